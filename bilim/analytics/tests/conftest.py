"""Fixtures of the analytics tests: a school year 2025-2026 with four terms on the small demo, and a
factory that writes roll-ups, term grades and lesson statistics directly (not through the engine).

``Factory.add`` adds measures to a unit's roll-up and to every unit above it, as the engine does, so
the tree stays consistent; ``Factory.klass`` makes a class with pupils, term grades and lessons."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from bilim.analytics.models import MEASURES, LessonStat, PupilTerm, Rollup, TermGrade
from bilim.core import paths
from bilim.core.models import Level, OrgKind, OrgUnit, RoleGrant, User
from bilim.journal.models import ClassSubject, Enrolment, Lesson, Pupil, SchoolClass, SchoolYear, StudyPeriod, Subject

TERMS = [(date(2025, 9, 1), date(2025, 10, 26)), (date(2025, 11, 3), date(2025, 12, 28)),
         (date(2026, 1, 8), date(2026, 3, 18)), (date(2026, 3, 30), date(2026, 5, 25))]

# Hand-made roll-ups of two schools of Esil in term 1 (see test_selectors for what they give).
SCHOOL_A_T1 = dict(grades=100, grade_sum=420, n2=5, n3=20, n4=40, n5=35, not_assessed=2, pupils=20, pupils_quality=8,
                   pupils_success=18, lessons=50, pupil_lessons=1000, absent=10, sick=30, excused=10, late=7)
SCHOOL_B_T1 = dict(grades=50, grade_sum=175, n2=10, n3=15, n4=15, n5=10, not_assessed=0, pupils=10, pupils_quality=2,
                   pupils_success=6, lessons=25, pupil_lessons=500, absent=20, sick=5, excused=0, late=3)
SCHOOL_A_T2 = dict(grades=100, grade_sum=430, n2=0, n3=20, n4=30, n5=50, not_assessed=0, pupils=20, pupils_quality=10,
                   pupils_success=20, lessons=40, pupil_lessons=800, absent=8, sick=0, excused=0, late=0)
MATH_A_T1 = dict(grades=20, grade_sum=80, n2=1, n3=4, n4=9, n5=6, lessons=10, pupil_lessons=200, absent=2, sick=6, excused=2, late=1)


@dataclass
class Factory:
    demo: object
    year: SchoolYear
    terms: list[StudyPeriod]

    def add(self, unit: OrgUnit, period: StudyPeriod, subject_id: int = 0, **measures) -> None:
        """Add ``measures`` to the roll-up of ``unit`` and of every unit above it."""
        unknown = set(measures) - set(MEASURES)
        assert not unknown, unknown
        for unit_id in paths.ids(unit.path):
            row, _created = Rollup.objects.get_or_create(unit_id=unit_id, period=period, subject_id=subject_id)
            for name, value in measures.items():
                setattr(row, name, getattr(row, name) + value)
            row.save()

    def subject(self, code: str, kk: str, ru: str, en: str) -> Subject:
        return Subject.objects.get_or_create(code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en})[0]

    def klass(self, school: OrgUnit, grade: int, letter: str, marks: dict[str, dict[Subject, int | str]], *,
              period: StudyPeriod | None = None, lessons: list[tuple[Subject, int, int, int, int]] = ()) -> SchoolClass:
        """A class of ``school`` with one pupil per key of ``marks`` (last name), their term grades in
        ``period`` (an int: a mark; a str: a status) and held lessons (subject, absent, sick, excused, late)."""
        period = period or self.terms[0]
        klass = SchoolClass.objects.create(school=school, year=self.year, grade=grade, letter=letter)
        teacher = self.demo.user("teacher")
        subjects = {s for row in marks.values() for s in row} | {lesson[0] for lesson in lessons}
        class_subjects = {s: ClassSubject.objects.get_or_create(school_class=klass, subject=s, defaults={"teacher": teacher})[0]
                          for s in subjects}
        pupils = []
        for last_name, row in marks.items():
            pupil = Pupil.objects.create(last_name=last_name, first_name="Әлия")
            pupils.append(pupil)
            Enrolment.objects.create(pupil=pupil, school_class=klass, starts=self.year.starts)
            numbers = []
            for subject, value in row.items():
                is_mark = isinstance(value, int)
                TermGrade.objects.create(pupil=pupil, class_subject=class_subjects[subject], period=period, school_class=klass,
                                         school=school, subject=subject, status="mark" if is_mark else value,
                                         mark=value if is_mark else None)
                if is_mark:
                    numbers.append(value)
            if numbers:
                PupilTerm.objects.create(pupil=pupil, period=period, school=school, lowest=min(numbers))
        for index, (subject, absent, sick, excused, late) in enumerate(lessons):
            lesson = Lesson.objects.create(class_subject=class_subjects[subject], date=period.starts + timedelta(days=index // 6),
                                           number=index % 6 + 1)
            LessonStat.objects.create(lesson=lesson, school=school, period=period, subject=subject, pupils=len(pupils),
                                      absent=absent, sick=sick, excused=excused, late=late)
        return klass

    def user(self, username: str, role: str, unit: OrgUnit) -> User:
        user = User.objects.create(username=username)
        RoleGrant.objects.create(user=user, role=role, org_unit=unit)
        return user

    def fill_school(self, school: OrgUnit, *, seed: int = 11, periods: int = 2, classes=((5, "А"), (5, "Б"), (7, "А"), (9, "В")),
                    size: int = 12) -> list[SchoolClass]:
        """Classes of ``school`` with pupils, term grades in four subjects and held lessons in the
        first ``periods`` terms; the school's roll-ups (and those above it) are their totals."""
        from bilim.analytics.selectors import _class_parts

        rng = random.Random(seed)
        subjects = [self.subject("alg", "Алгебра", "Алгебра", "Algebra"), self.subject("kaz", "Қазақ тілі", "Казахский язык", "Kazakh"),
                    self.subject("hist", "Қазақстан тарихы", "История Казахстана", "History of Kazakhstan"),
                    self.subject("eng", "Ағылшын тілі", "Английский язык", "English")]
        teacher = self.demo.user("teacher")
        names = ["Ахметов", "Бекова", "Жақсылықов", "Исаева", "Қасымов", "Нұрланова", "Оспанов", "Сейітова", "Төлеуов", "Ұлықпанова",
                 "Әбілов", "Ғалымова", "Дәулетов", "Ержанова", "Мұратов"]
        made = []
        for grade, letter in classes:
            klass = SchoolClass.objects.create(school=school, year=self.year, grade=grade, letter=letter)
            made.append(klass)
            cs = {s: ClassSubject.objects.create(school_class=klass, subject=s, teacher=teacher) for s in subjects}
            pupils = [Pupil.objects.create(last_name=names[(i + grade) % len(names)], first_name=rng.choice(["Әлия", "Дана", "Арман", "Ерлан"]))
                      for i in range(size)]
            for pupil in pupils:
                Enrolment.objects.create(pupil=pupil, school_class=klass, starts=self.year.starts)
            for period in self.terms[:periods]:
                for pupil in pupils:
                    ability = rng.uniform(2.6, 5.2)
                    lowest = 5
                    for subject in subjects:
                        if rng.random() < 0.03:
                            TermGrade.objects.create(pupil=pupil, class_subject=cs[subject], period=period, school_class=klass,
                                                     school=school, subject=subject, status="not_assessed")
                            continue
                        mark = max(2, min(5, round(ability + rng.uniform(-0.8, 0.8))))
                        lowest = min(lowest, mark)
                        TermGrade.objects.create(pupil=pupil, class_subject=cs[subject], period=period, school_class=klass,
                                                 school=school, subject=subject, status="mark", mark=mark)
                    PupilTerm.objects.create(pupil=pupil, period=period, school=school, lowest=lowest)
                for index in range(24):
                    subject = subjects[index % len(subjects)]
                    lesson = Lesson.objects.create(class_subject=cs[subject], date=period.starts + timedelta(days=index // 4),
                                                   number=index % 4 + 1)
                    LessonStat.objects.create(lesson=lesson, school=school, period=period, subject=subject, pupils=size,
                                              absent=rng.choice([0, 0, 0, 1]), sick=rng.choice([0, 0, 1, 2]),
                                              excused=rng.choice([0, 0, 0, 1]), late=rng.choice([0, 0, 1]))
        for period in self.terms[:periods]:
            parts = _class_parts([k.pk for k in made], [period], None)
            for metrics in parts.values():
                self.add(school, period, **metrics.as_dict())
        return made

    def fill_country(self, seed: int = 7, periods: int = 2, skip_kato: str = "620000000", skip: tuple[int, ...] = ()) -> None:
        """Plausible roll-ups for every school of the demo (summed up the tree) and, for the regions
        without districts in the demo, for the region itself; ``skip_kato``'s region gets none, nor
        do the schools in ``skip``."""
        rng = random.Random(seed)
        schools = list(OrgUnit.objects.filter(level=Level.ORGANIZATION, kind=OrgKind.SCHOOL).exclude(pk__in=skip).order_by("path"))
        with_schools = {paths.ids(s.path)[1] for s in schools}
        regions = [r for r in OrgUnit.objects.filter(level=Level.REGION).order_by("kato")
                   if r.pk not in with_schools and r.kato != skip_kato]
        for period in self.terms[:periods]:
            for unit in schools:
                self.add(unit, period, **measures(rng, rng.randint(300, 900)))
            for unit in regions:
                self.add(unit, period, **measures(rng, rng.randint(40_000, 160_000)))


def measures(rng: random.Random, pupils: int) -> dict[str, int]:
    subjects = 9
    grades = pupils * subjects
    shares = [rng.uniform(0.01, 0.06), rng.uniform(0.25, 0.4), rng.uniform(0.3, 0.45)]
    n2, n3, n4 = (int(grades * s) for s in shares)
    n5 = grades - n2 - n3 - n4
    lessons = pupils // 25 * 9 * 40
    pupil_lessons = lessons * 25
    return dict(grades=grades, grade_sum=2 * n2 + 3 * n3 + 4 * n4 + 5 * n5, n2=n2, n3=n3, n4=n4, n5=n5, not_assessed=rng.randint(0, 20),
                pupils=pupils, pupils_quality=int(pupils * rng.uniform(0.3, 0.65)), pupils_success=int(pupils * rng.uniform(0.9, 0.99)),
                lessons=lessons, pupil_lessons=pupil_lessons, absent=int(pupil_lessons * rng.uniform(0.005, 0.02)),
                sick=int(pupil_lessons * rng.uniform(0.01, 0.04)), excused=int(pupil_lessons * rng.uniform(0.003, 0.01)),
                late=int(pupil_lessons * rng.uniform(0.002, 0.01)))


def make_factory(demo) -> Factory:
    year = SchoolYear.objects.create(code="2025-2026", starts=date(2025, 9, 1), ends=date(2026, 5, 25))
    terms = [StudyPeriod.objects.create(year=year, kind="term", number=n, starts=s, ends=e) for n, (s, e) in enumerate(TERMS, start=1)]
    for term in terms:
        term.year = year
    return Factory(demo, year, terms)


@pytest.fixture
def af(demo):
    """The demo with the school year 2025-2026 and the analytics factory (``demo.af``)."""
    factory = make_factory(demo)
    demo.af = factory
    demo.astana = demo.esil.parent
    return factory


@pytest.fixture
def hand(af):
    """The hand-made table: schools A and B of Esil in term 1 (A also in term 2), school C of
    Saryarka in term 1, and mathematics at A in term 1."""
    demo = af.demo
    schools = list(OrgUnit.objects.filter(parent=demo.esil, kind=OrgKind.SCHOOL).order_by("pk"))
    af.school_a, af.school_b = schools[0], schools[1]
    af.school_c = demo.school_in(demo.saryarka)
    af.math = af.subject("math", "Математика", "Математика", "Mathematics")
    t1, t2 = af.terms[0], af.terms[1]
    af.add(af.school_a, t1, **SCHOOL_A_T1)
    af.add(af.school_b, t1, **SCHOOL_B_T1)
    af.add(af.school_a, t2, **SCHOOL_A_T2)
    af.add(af.school_c, t1, **SCHOOL_B_T1)
    af.add(af.school_a, t1, subject_id=af.math.pk, **MATH_A_T1)
    return af


