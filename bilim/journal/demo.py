"""Journal demo: two school years, subjects, classes with pupils, weekly timetables, and the lessons,
marks and attendance of the past terms up to today — for `make run` (small) and for the benchmarks
(national: every school of the national tree, three classes of 30, more than 20 million marks).

The structure (classes, pupils, enrolments, teachers, timetables) is created through the ORM; the
lessons, marks and attendance — millions of rows at the national scale — by set-based SQL that runs
unchanged on SQLite and PostgreSQL. Their "randomness" is an integer hash of the ids, so the data are
the same on every run and on both databases:

* a pupil has an ability (5…10 of 10); a formative mark is the ability ± 2, given to about a third of
  the class at a lesson; the lessons at a quarter, half and three quarters of a term are section
  summatives (СОр, 20 points) for the whole class, the last lesson of a finished term is the term
  summative (СОч, 25 points); 1 % of the summatives are missed (the pupil writes it later);
* about 4 % of pupil-lessons are absences: sick, unexcused, excused, or late.

The school year 2025-2026 is the ministry's (KAZAKHSTAN.md); the terms of 2026-2027 are set the same
way (1 Sep – 25 May, breaks at the end of October, the New Year and in March) until the order for
that year is entered — administrators edit the terms in the admin.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from bilim.core.kazakh import iin_check_digit
from bilim.core.models import Level, OrgKind, OrgUnit, Role, RoleGrant, User

from .models import (
    Attendance, ClassSubject, Enrolment, Lesson, Mark, ParentLink, Pupil, SchoolClass, SchoolYear, StudyPeriod, Subject, TimetableSlot,
)
from .services import school_days

YEARS = {
    "2025-2026": [(date(2025, 9, 1), date(2025, 10, 26)), (date(2025, 11, 3), date(2025, 12, 28)),
                  (date(2026, 1, 8), date(2026, 3, 18)), (date(2026, 3, 30), date(2026, 5, 25))],
    "2026-2027": [(date(2026, 9, 1), date(2026, 10, 25)), (date(2026, 11, 2), date(2026, 12, 27)),
                  (date(2027, 1, 8), date(2027, 3, 19)), (date(2027, 3, 29), date(2027, 5, 25))],
}

SUBJECTS = [
    # code, kk, ru, en, lessons a week, grading rule
    ("math", "Математика", "Математика", "Mathematics", 4, ""),
    ("kazakh", "Қазақ тілі", "Казахский язык", "Kazakh language", 3, ""),
    ("russian", "Орыс тілі мен әдебиеті", "Русский язык и литература", "Russian language and literature", 2, ""),
    ("english", "Ағылшын тілі", "Английский язык", "English", 3, ""),
    ("history", "Қазақстан тарихы", "История Казахстана", "History of Kazakhstan", 2, ""),
    ("science", "Жаратылыстану", "Естествознание", "Natural science", 2, ""),
    ("art", "Көркем еңбек", "Художественный труд", "Art and technology", 1, "one_hour_half_year"),
]

FIRST_NAMES = ["Әлия", "Аружан", "Айым", "Томирис", "Жансая", "Дана", "Мадина", "Інкәр", "Айша", "Асылым",
               "Нұрислам", "Алихан", "Ерасыл", "Темірлан", "Әмір", "Санжар", "Диас", "Ернұр", "Айсұлтан", "Мирас",
               "Анна", "Виктория", "Максим", "Артём", "Данияр", "Алина"]
LAST_NAMES = ["Ахметов", "Сейітов", "Омаров", "Жұмабаев", "Нұрланов", "Қасымов", "Бекқожин", "Тоқтаров", "Смағұлов",
              "Исаев", "Оспанов", "Әбенов", "Серіков", "Құдайбергенов", "Мұхамеджанов", "Иванов", "Ким", "Петренко"]


@dataclass(frozen=True)
class Plan:
    grades: tuple[int, ...]       # classes of the school (letter А; the demo school has more)
    pupils: int                   # per class
    subjects: int                 # the first N subjects
    schools: str                  # "astana+1": every school of Astana and one per other region; "all"
    history: bool                 # last year's classes and journal too


PLANS = {
    "small": Plan(grades=(5, 9), pupils=12, subjects=4, schools="astana+1", history=True),
    "national": Plan(grades=(5, 7, 9), pupils=30, subjects=4, schools="all", history=False),
}
DEMO_SCHOOL_CLASSES = [(1, "А"), (5, "А"), (5, "Б"), (9, "А")]  # the school of the demo logins
DEMO_SCHOOL_PUPILS = 20


def _hash(*parts: str, salt: int) -> str:
    """An SQL expression: a deterministic pseudo-random integer 0 … 2^31 − 2 of integer columns."""
    terms = " + ".join(f"{p} * {m}" for p, m in zip(parts, (1103515245, 12345, 2654435761)))
    return f"(({terms} + {salt}) % 2147483647)"


def _iin(birth: date, female: bool, serials: dict) -> str:
    """A well-formed IIN: date of birth, century and sex (5/6: born 2000–2099), a serial, the check digit."""
    while True:
        serials[birth] = serials.get(birth, 0) + 1
        first11 = f"{birth:%y%m%d}{6 if female else 5}{serials[birth]:04d}"
        check = iin_check_digit(first11)
        if check is not None:
            return first11 + str(check)


def _years() -> dict[str, SchoolYear]:
    years = {}
    for code, terms in YEARS.items():
        year, _ = SchoolYear.objects.get_or_create(code=code, defaults={"starts": terms[0][0], "ends": terms[-1][1]})
        for number, (starts, ends) in enumerate(terms, start=1):
            StudyPeriod.objects.get_or_create(year=year, kind=StudyPeriod.Kind.TERM, number=number, defaults={"starts": starts, "ends": ends})
        years[code] = year
    return years


def _schools(plan: Plan) -> list[OrgUnit]:
    schools = OrgUnit.objects.filter(kind=OrgKind.SCHOOL, is_active=True).order_by("path")
    if plan.schools == "all":
        return list(schools)
    astana = OrgUnit.objects.get(level=Level.REGION, kato="710000000")
    chosen, regions = [], set()
    for school in schools:
        region = school.path[10:20]
        if school.path.startswith(astana.path) or region not in regions:
            chosen.append(school)
        regions.add(region)
    return chosen


def _staff(school: OrgUnit, password: str, cache: dict) -> User:
    """An inactive stand-in teacher per school (the demo's logins are the `teacher` account)."""
    if school.pk not in cache:
        user = User.objects.create(username=f"demo-teacher-{school.pk}", password=password, is_active=False,
                                   last_name="Мұғалім", first_name=f"№{school.pk}", preferred_language="kk")
        cache[school.pk] = user
    return cache[school.pk]


@transaction.atomic
def seed(scale: str = "small", today: date | None = None) -> dict:
    if SchoolClass.objects.exists():
        return {"created": False}
    plan = PLANS[scale]
    today = today or timezone.localdate()
    rng = random.Random(4)
    years = _years()
    subjects = []
    for code, kk, ru, en, _hours, rule in SUBJECTS:
        subject, _ = Subject.objects.get_or_create(code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en, "grading_rule": rule})
        subjects.append(subject)
    hours = {s.code: h for s, (_c, _k, _r, _e, h, _g) in zip(subjects, SUBJECTS)}
    teacher = User.objects.get(username="teacher")
    demo_school = RoleGrant.objects.get(user=teacher, role=Role.TEACHER).org_unit
    password = make_password(None)
    stand_ins: dict[int, User] = {}

    # classes of both years: last year's class of grade g-1 moved up to grade g with the same pupils
    classes, cs_rows, pupils_by_class = [], [], {}
    for school in _schools(plan):
        layout = DEMO_SCHOOL_CLASSES if school.pk == demo_school.pk else [(g, "А") for g in plan.grades]
        size = DEMO_SCHOOL_PUPILS if school.pk == demo_school.pk else plan.pupils
        n_subjects = len(subjects) if school.pk == demo_school.pk else plan.subjects
        for grade, letter in layout:
            language = "ru" if letter == "Б" else "kk"
            current = SchoolClass(school=school, year=years["2026-2027"], grade=grade, letter=letter, language=language)
            previous = None
            if grade > 1 and (plan.history or school.pk == demo_school.pk):
                previous = SchoolClass(school=school, year=years["2025-2026"], grade=grade - 1, letter=letter, language=language)
            classes.append((current, previous, size, n_subjects, school))
    SchoolClass.objects.bulk_create([c for row in classes for c in row[:2] if c is not None], batch_size=2000)

    pupils, enrolments, serials = [], [], {}
    for current, previous, size, _n, _school in classes:
        born = 2026 - current.grade - 6
        for i in range(size):
            first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
            last = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
            female = FIRST_NAMES.index(first) < 10 or first in ("Анна", "Виктория", "Алина")
            if female:
                last = last + "а" if last.endswith(("ов", "ев", "ин")) else last
            birth = date(born, 1, 1) + timedelta(days=rng.randrange(365))
            pupil = Pupil(last_name=last, first_name=first, birth_date=birth, iin=_iin(birth, female, serials))
            pupils.append(pupil)
    Pupil.objects.bulk_create(pupils, batch_size=5000)
    cursor = 0
    for current, previous, size, _n, _school in classes:
        chunk = pupils[cursor : cursor + size]
        cursor += size
        pupils_by_class[current.pk] = chunk
        for pupil in chunk:
            enrolments.append(Enrolment(pupil=pupil, school_class=current, starts=years["2026-2027"].starts))
            if previous is not None:
                enrolments.append(Enrolment(pupil=pupil, school_class=previous, starts=years["2025-2026"].starts, ends=years["2025-2026"].ends))
    Enrolment.objects.bulk_create(enrolments, batch_size=5000)

    slots = []
    for current, previous, _size, n_subjects, school in classes:
        for klass in (current, previous):
            if klass is None:
                continue
            day_load = [0] * 5
            for index, subject in enumerate(subjects[:n_subjects]):
                own = school.pk == demo_school.pk and subject.code == "math" and klass.year_id == years["2026-2027"].pk
                cs = ClassSubject(school_class=klass, subject=subject, teacher=teacher if own else _staff(school, password, stand_ins))
                cs_rows.append(cs)
                for h in range(hours[subject.code]):
                    weekday = (index + 2 * h) % 5
                    day_load[weekday] += 1
                    slots.append((cs, weekday, day_load[weekday]))
    ClassSubject.objects.bulk_create(cs_rows, batch_size=5000)
    TimetableSlot.objects.bulk_create([TimetableSlot(class_subject=cs, weekday=w, number=n) for cs, w, n in slots], batch_size=5000)

    counts = _journal_sql(today)
    links = _parents(demo_school, pupils_by_class, classes)
    return {"created": True, "classes": len(classes), "pupils": len(pupils), **counts, "parent_links": links}


def _journal_sql(today: date) -> dict:
    """Lessons from the timetables on the school days of every term up to ``today``, then the marks
    and absences of those lessons, all set-based."""
    periods = list(StudyPeriod.objects.filter(kind=StudyPeriod.Kind.TERM, starts__lte=today))
    days = [(p.pk, p.year_id, weekday, day) for p in periods for weekday in range(5)
            for day in school_days(p.starts, min(p.ends, today), weekday)]
    t = {m: m._meta.db_table for m in (Lesson, Mark, ClassSubject, SchoolClass, TimetableSlot, Enrolment, StudyPeriod)}
    attendance = Attendance._meta.db_table
    true, false = ("TRUE", "FALSE")
    with connection.cursor() as c:
        c.execute("CREATE TEMPORARY TABLE demo_days (period_id integer, year_id integer, weekday integer, day date)")
        for start in range(0, len(days), 500):
            chunk = days[start : start + 500]
            c.execute("INSERT INTO demo_days VALUES " + ", ".join(["(%s, %s, %s, %s)"] * len(chunk)), [v for row in chunk for v in row])
        # the planner must know the sizes of the tables filled a moment ago in this transaction
        # (without statistics PostgreSQL would join hundreds of thousands of rows by nested loops)
        for table in (t[TimetableSlot], t[ClassSubject], t[SchoolClass], t[Enrolment], t[StudyPeriod], "demo_days"):
            c.execute(f"ANALYZE {table}")
        c.execute(f"INSERT INTO {t[Lesson]} (class_subject_id, date, number, topic) "
                  f"SELECT s.class_subject_id, d.day, s.number, '' FROM {t[TimetableSlot]} s "
                  f"JOIN {t[ClassSubject]} cs ON cs.id = s.class_subject_id JOIN {t[SchoolClass]} k ON k.id = cs.school_class_id "
                  f"JOIN demo_days d ON d.year_id = k.year_id AND d.weekday = s.weekday")
        # each lesson's place in its term: section summatives at 1/4, 1/2, 3/4, the term summative last
        c.execute("CREATE TEMPORARY TABLE demo_lessons AS "
                  f"SELECT l.id, l.date, k.id AS class_id, k.grade, p.ends <= %s AS complete, "
                  f"ROW_NUMBER() OVER (PARTITION BY l.class_subject_id, p.id ORDER BY l.date, l.number) AS seq, "
                  f"COUNT(*) OVER (PARTITION BY l.class_subject_id, p.id) AS total "
                  f"FROM {t[Lesson]} l JOIN {t[ClassSubject]} cs ON cs.id = l.class_subject_id "
                  f"JOIN {t[SchoolClass]} k ON k.id = cs.school_class_id "
                  f"JOIN {t[StudyPeriod]} p ON p.year_id = k.year_id AND p.kind = 'term' AND l.date BETWEEN p.starts AND p.ends", [today])
        c.execute(f"ANALYZE {t[Lesson]}")
        c.execute("ANALYZE demo_lessons")
        # every pupil on the roll at every lesson: not materialized (about 100 million rows nationally)
        roll = ("(SELECT l.id AS lesson_id, l.grade, l.seq, l.total, l.complete, e.pupil_id "
                f"FROM demo_lessons l JOIN {t[Enrolment]} e ON e.school_class_id = l.class_id AND e.starts <= l.date "
                "AND (e.ends IS NULL OR e.ends > l.date)) r")
        absent = f"{_hash('r.lesson_id', 'r.pupil_id', salt=17)} % 1000 < 40"
        reason = f"{_hash('r.pupil_id', 'r.lesson_id', salt=29)} % 10"
        c.execute(f"INSERT INTO {attendance} (lesson_id, pupil_id, status, updated_at) SELECT r.lesson_id, r.pupil_id, "
                  f"CASE WHEN {reason} < 5 THEN 'sick' WHEN {reason} < 7 THEN 'absent' WHEN {reason} < 8 THEN 'excused' ELSE 'late' END, "
                  f"CURRENT_TIMESTAMP FROM {roll} WHERE {absent}")
        away = f"({absent} AND {reason} < 8)"
        section = "(r.seq = (r.total + 2) / 4 OR r.seq = (r.total + 1) / 2 OR r.seq = (3 * r.total + 2) / 4)"
        term = "(r.complete AND r.seq = r.total)"
        ability = f"(5 + {_hash('r.pupil_id', salt=3)} % 6)"
        level = f"({ability} + {_hash('r.lesson_id', 'r.pupil_id', salt=5)} % 5 - 2)"
        clamped = f"(CASE WHEN {level} < 1 THEN 1 WHEN {level} > 10 THEN 10 ELSE {level} END)"
        missed = f"({_hash('r.pupil_id', 'r.lesson_id', salt=41)} % 100 < 1)"
        c.execute(
            f"INSERT INTO {t[Mark]} (lesson_id, pupil_id, kind, value, max_points, missed, updated_at) "
            f"SELECT r.lesson_id, r.pupil_id, "
            f"CASE WHEN {term} THEN 'term_summative' WHEN {section} THEN 'section_summative' ELSE 'formative' END, "
            f"CASE WHEN ({term} OR {section}) AND {missed} THEN NULL WHEN {term} THEN 25 * {clamped} / 10 "
            f"WHEN {section} THEN 2 * {clamped} ELSE {clamped} END, "
            f"CASE WHEN {term} THEN 25 WHEN {section} THEN 20 ELSE NULL END, "
            f"CASE WHEN ({term} OR {section}) AND {missed} THEN {true} ELSE {false} END, CURRENT_TIMESTAMP "
            f"FROM {roll} WHERE r.grade > 1 AND NOT {away} "
            f"AND ({term} OR {section} OR {_hash('r.pupil_id', 'r.lesson_id', salt=53)} % 100 < 30)")
        for table in ("demo_lessons", "demo_days"):
            c.execute(f"DROP TABLE {table}")
    return {"lessons": Lesson.objects.count(), "marks": Mark.objects.count()}


def _parents(school: OrgUnit, pupils_by_class: dict, classes) -> int:
    """The demo parent follows two children of the demo school (confirmed) and has asked for a third
    (waiting for the head)."""
    parent = User.objects.get(username="parent")
    head = User.objects.filter(username="head.school").first()
    own = [c for c, _p, _s, _n, sch in classes if sch.pk == school.pk]
    fifth = next(c for c in own if (c.grade, c.letter) == (5, "А"))
    ninth = next(c for c in own if c.grade == 9)
    now = timezone.now()
    ParentLink.objects.create(parent=parent, pupil=pupils_by_class[fifth.pk][0], confirmed_by=head, confirmed_at=now)
    ParentLink.objects.create(parent=parent, pupil=pupils_by_class[ninth.pk][0], confirmed_by=head, confirmed_at=now)
    ParentLink.objects.create(parent=parent, pupil=pupils_by_class[fifth.pk][1])
    return 3
