"""The journal's demo (`make run`): past terms of marks and attendance, the parent's children, and
roll-ups that equal the journal."""

from datetime import date

from django.core.management import call_command

from bilim.analytics.models import RatingPublication, Rollup, TermGrade
from bilim.journal.models import Attendance, ClassSubject, Lesson, Mark, ParentLink, StudyPeriod


def test_the_demo_has_a_journal_up_to_today_and_the_rollups_follow_it(db):
    call_command("seed_demo", "--quiet")
    today = date(2026, 11, 20)
    assert Lesson.objects.exists() and not Lesson.objects.filter(date__gt=date.today()).exists()
    kinds = set(Mark.objects.values_list("kind", flat=True))
    assert kinds == {"formative", "section_summative", "term_summative"}
    assert Attendance.objects.exists()
    assert not Mark.objects.filter(lesson__class_subject__school_class__grade=1).exists()  # grade 1: no marks
    assert ClassSubject.objects.filter(teacher__username="teacher", school_class__year__code="2026-2027").count() >= 3
    links = ParentLink.objects.filter(parent__username="parent")
    assert links.filter(confirmed_at__isnull=False).count() == 2 and links.filter(confirmed_at__isnull=True).count() == 1
    term1 = StudyPeriod.objects.get(year__code="2026-2027", number=1)
    assert term1.ends < today
    republic = Rollup.objects.get(unit__level=0, period=term1, subject_id=0)
    assert republic.grades == TermGrade.objects.filter(period=term1, status="mark").count() > 0
    assert 0 < republic.pupils_quality < republic.pupils_success <= republic.pupils
    # the ministry has published the open rating of every finished term (four of 2025-26, one of 2026-27)
    assert RatingPublication.objects.count() == 5 and RatingPublication.objects.filter(period=term1).exists()
    call_command("seed_demo", "--quiet")  # a second run adds nothing
    assert Rollup.objects.get(unit__level=0, period=term1, subject_id=0).grades == republic.grades
