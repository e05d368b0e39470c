"""Fixtures of the journal's tests: a school year 2025-2026 with its four terms, class 5 А of the demo
school in Esil with mathematics taught by the demo teacher, and three pupils."""

from datetime import date

import pytest

from bilim.journal.models import ClassSubject, Enrolment, Pupil, SchoolClass, SchoolYear, StudyPeriod, Subject

TERM_DAY = date(2025, 10, 8)  # a Wednesday of term 1 of 2025-2026


@pytest.fixture
def journal(demo):
    year = SchoolYear.objects.create(code="2025-2026", starts=date(2025, 9, 1), ends=date(2026, 5, 25))
    for number, (starts, ends) in enumerate([(date(2025, 9, 1), date(2025, 10, 26)), (date(2025, 11, 3), date(2025, 12, 28)),
                                             (date(2026, 1, 8), date(2026, 3, 18)), (date(2026, 3, 30), date(2026, 5, 25))], start=1):
        StudyPeriod.objects.create(year=year, kind="term", number=number, starts=starts, ends=ends)
    school = demo.school_in(demo.esil)
    klass = SchoolClass.objects.create(school=school, year=year, grade=5, letter="А")
    math = Subject.objects.create(code="math", name_kk="Математика", name_ru="Математика", name_en="Mathematics")
    teacher = demo.user("teacher")
    cs = ClassSubject.objects.create(school_class=klass, subject=math, teacher=teacher)
    pupils = [Pupil.objects.create(last_name=f"Оқушы{i}", first_name="Әлия") for i in range(3)]
    for pupil in pupils:
        Enrolment.objects.create(pupil=pupil, school_class=klass, starts=date(2025, 9, 1))
    demo.cs, demo.pupils, demo.teacher, demo.klass, demo.term1 = cs, pupils, teacher, klass, StudyPeriod.objects.get(number=1)
    return demo
