"""Fixtures of the journal's tests: a school year 2025-2026 with its four terms, class 5 А of the demo
school in Esil with mathematics taught by the demo teacher, and three pupils; the demo parent's
confirmed link to the first of them (`parent_link`), a class-subject of another teacher
(`other_cs`), and IINs with a valid check digit (`valid_iin`)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from bilim.core.kazakh import iin_check_digit
from bilim.core.models import Role, RoleGrant, User
from bilim.journal.models import ClassSubject, Enrolment, ParentLink, Pupil, SchoolClass, SchoolYear, StudyPeriod, Subject

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


@pytest.fixture
def parent_link(journal):
    """The demo parent's confirmed link to the first pupil (confirmed by the school's head), last
    visited a day ago: what the teacher writes now is new to the parent."""
    now = timezone.now()
    journal.parent = journal.user("parent")
    journal.head = journal.user("head.school")
    journal.link = ParentLink.objects.create(parent=journal.parent, pupil=journal.pupils[0], requested_at=now - timedelta(days=3),
                                             confirmed_by=journal.head, confirmed_at=now - timedelta(days=2),
                                             seen_at=now - timedelta(days=1))
    return journal


@pytest.fixture
def other_cs(journal):
    """Physics of the same class, taught by another teacher of the school."""
    teacher = User.objects.create_user(username="teacher.physics", password=None, first_name="Асан", last_name="Физиков")
    RoleGrant.objects.create(user=teacher, role=Role.TEACHER, org_unit=journal.klass.school)
    physics = Subject.objects.create(code="physics", name_kk="Физика", name_ru="Физика", name_en="Physics")
    return ClassSubject.objects.create(school_class=journal.klass, subject=physics, teacher=teacher)


def valid_iin(base: str = "15010150012") -> str:
    """An IIN with a correct check digit, close to ``base``."""
    for last in range(10):
        stem = base[:-1] + str(last)
        if iin_check_digit(stem) < 10:
            return stem + str(iin_check_digit(stem))
    raise AssertionError("no valid IIN")
