"""The journal's lesson save: one request per lesson, all or nothing, upserts, audit; and the term
grade computed from the journal by the rule set (J1)."""

from datetime import date

import pytest

from bilim.core.errors import DomainError
from bilim.core.models import AuditLog
from bilim.journal import services
from bilim.journal.models import Attendance, ClassSubject, Enrolment, Lesson, Mark, Pupil, SchoolClass, StudyPeriod, Subject

from .conftest import TERM_DAY

def save(j, day=TERM_DAY, number=1, **kwargs):
    return services.lesson_save(class_subject=j.cs, day=day, number=number, by=kwargs.pop("by", j.teacher), **kwargs)


def test_a_whole_lesson_in_one_request_and_the_same_mark_again_is_an_update(journal):
    p1, p2, p3 = journal.pupils
    save(journal, marks=[{"pupil": p1.pk, "kind": "formative", "value": 8}, {"pupil": p2.pk, "kind": "formative", "value": "9"}],
         attendance={p3.pk: "sick"})
    save(journal, marks=[{"pupil": p1.pk, "kind": "formative", "value": 10}], attendance={p3.pk: "present"})
    assert list(Mark.objects.filter(pupil=p1).values_list("value", flat=True)) == [10]
    assert Mark.objects.count() == 2 and not Attendance.objects.exists()
    last = AuditLog.objects.filter(action="journal.lesson_save").last()
    assert last.before == {f"{p1.pk}:formative": ["8.00", None, False], f"{p3.pk}:attendance": "sick"}


@pytest.mark.parametrize("marks, field", [
    ([{"kind": "formative", "value": 11}], "marks[0].value"),
    ([{"kind": "formative", "value": 0}], "marks[0].value"),
    ([{"kind": "formative", "value": "7.5"}], "marks[0].value"),
    ([{"kind": "formative", "value": "ten"}], "marks[0].value"),
    ([{"kind": "section_summative", "value": 21, "max_points": 20}], "marks[0].value"),
    ([{"kind": "section_summative", "value": 5}], "marks[0].max_points"),
    ([{"kind": "grade", "value": 5}], "marks[0].kind"),
])
def test_bad_marks_are_refused_whole(journal, marks, field):
    good = {"pupil": journal.pupils[1].pk, "kind": "formative", "value": 8}
    with pytest.raises(DomainError) as error:
        save(journal, marks=[{"pupil": journal.pupils[0].pk, **marks[0]}, good])
    assert field in error.value.fields
    assert not Mark.objects.exists() and not Lesson.objects.exists()


def test_pupil_not_in_the_class_on_that_date(journal):
    stranger = Pupil.objects.create(last_name="Басқа", first_name="Бала")
    Enrolment.objects.create(pupil=stranger, school_class=journal.klass, starts=date(2025, 11, 1))  # arrived later
    with pytest.raises(DomainError) as error:
        save(journal, marks=[{"pupil": stranger.pk, "kind": "formative", "value": 7}])
    assert "marks[0].pupil" in error.value.fields
    left = journal.pupils[0]
    Enrolment.objects.filter(pupil=left).update(ends=date(2025, 10, 1))  # transferred out
    with pytest.raises(DomainError):
        save(journal, attendance={left.pk: "absent"})


@pytest.mark.parametrize("day, why", [(date(2025, 10, 29), "autumn break"), (date(2025, 8, 20), "before the year"), (date(2099, 10, 8), "future")])
def test_dates_outside_the_terms_or_in_the_future(journal, day, why):
    with pytest.raises(DomainError) as error:
        save(journal, day=day, marks=[{"pupil": journal.pupils[0].pk, "kind": "formative", "value": 7}])
    assert "date" in error.value.fields, why


def test_only_the_subjects_teacher_writes(journal):
    with pytest.raises(DomainError) as error:
        save(journal, by=journal.user("head.school"), marks=[{"pupil": journal.pupils[0].pk, "kind": "formative", "value": 7}])
    assert error.value.status == 404


def test_a_fourth_section_summative_in_a_term_is_refused(journal):
    pupil = journal.pupils[0].pk
    for number, day in enumerate([date(2025, 9, 10), date(2025, 9, 24), date(2025, 10, 8)], start=1):
        save(journal, day=day, marks=[{"pupil": pupil, "kind": "section_summative", "value": 15, "max_points": 20}])
    with pytest.raises(DomainError) as error:
        save(journal, day=date(2025, 10, 15), marks=[{"pupil": pupil, "kind": "section_summative", "value": 15, "max_points": 20}])
    assert "marks" in error.value.fields
    # correcting one of the three is still allowed
    save(journal, day=date(2025, 10, 8), marks=[{"pupil": pupil, "kind": "section_summative", "value": 16, "max_points": 20}])


def test_grade_one_gets_no_marks(journal):
    SchoolClass.objects.filter(pk=journal.klass.pk).update(grade=1)
    journal.cs.refresh_from_db()
    with pytest.raises(DomainError) as error:
        save(journal, marks=[{"pupil": journal.pupils[0].pk, "kind": "formative", "value": 7}])
    assert "marks[0].value" in error.value.fields


def test_term_grade_from_the_journal(journal):
    pupil = journal.pupils[0]
    # ФО 8, 9, 10, 7 → 34/40 = 85 %; СОр 18/20 + 9/10 → 27/30 = 90 %; СОч 22/25 = 88 %
    # 0.25·85 + 0.25·90 + 0.5·88 = 87.75 % → 5
    for n, (day, value) in enumerate([(date(2025, 9, 3), 8), (date(2025, 9, 10), 9), (date(2025, 9, 17), 10), (date(2025, 9, 24), 7)]):
        save(journal, day=day, marks=[{"pupil": pupil.pk, "kind": "formative", "value": value}])
    save(journal, day=date(2025, 10, 1), marks=[{"pupil": pupil.pk, "kind": "section_summative", "value": 18, "max_points": 20}])
    save(journal, day=date(2025, 10, 8), marks=[{"pupil": pupil.pk, "kind": "section_summative", "value": 9, "max_points": 10}])
    save(journal, day=date(2025, 10, 22), marks=[{"pupil": pupil.pk, "kind": "term_summative", "value": 22, "max_points": 25}])
    result = services.term_grade(pupil=pupil, class_subject=journal.cs, period=journal.term1)
    assert result.kind == "mark" and result.mark == 5 and result.explanation
    # a missed term summative: temporarily not assessed
    save(journal, day=date(2025, 10, 22), marks=[{"pupil": pupil.pk, "kind": "term_summative", "value": None, "max_points": 25, "missed": True}])
    assert services.term_grade(pupil=pupil, class_subject=journal.cs, period=journal.term1).kind == "not_assessed"
