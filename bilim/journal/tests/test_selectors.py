"""The journal's reads, each taking the acting user: who reads which class-subjects (the teacher's
own; heads and officers the schools in their scope; never a parent or another teacher), the grid of
a term (pupils enrolled during it, transfers, lessons of the term only), the parent's confirmed
children and a child's term, and the head's pending link requests."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from bilim.journal import selectors, services
from bilim.journal.models import Enrolment, ParentLink, Pupil, SchoolClass, StudyPeriod

from .conftest import TERM_DAY


def readable(j, username):
    return set(selectors.class_subjects_readable(j.user(username)).values_list("pk", flat=True))


def test_who_reads_which_class_subjects(journal, other_cs):
    assert readable(journal, "teacher") == {journal.cs.pk}  # a TEACHER grant at the school reads only their own
    assert readable(journal, "teacher.physics") == {other_cs.pk}
    for reader in ("head.school", "district.esil", "region.astana", "ministry"):
        assert readable(journal, reader) == {journal.cs.pk, other_cs.pk}, reader
    for outsider in ("district.saryarka", "parent", "admin", "intl.enu"):
        assert readable(journal, outsider) == set(), outsider
    with pytest.raises(Http404):
        selectors.class_subject_get(journal.user("district.saryarka"), journal.cs.pk)
    assert selectors.can_write(journal.teacher, journal.cs) and not selectors.can_write(journal.user("head.school"), journal.cs)
    assert [s.pk for s in selectors.schools_headed(journal.user("head.school"))] == [journal.klass.school_id]
    with pytest.raises(Http404):
        selectors.school_get(journal.user("district.saryarka"), journal.klass.school_id)


def test_the_grid_of_a_term(journal):
    p0, p1, p2 = journal.pupils
    term1 = journal.term1
    Enrolment.objects.filter(pupil=p2).update(ends=date(2025, 10, 1))  # transferred out during term 1
    late = Pupil.objects.create(last_name="Кейін", first_name="Келген")
    Enrolment.objects.create(pupil=late, school_class=journal.klass, starts=date(2025, 11, 10))  # arrived in term 2
    services.lesson_save(class_subject=journal.cs, day=date(2025, 9, 24), by=journal.teacher, attendance={p2.pk: "excused"},
                         marks=[{"pupil": p0.pk, "kind": "formative", "value": 9}])
    services.lesson_save(class_subject=journal.cs, day=TERM_DAY, number=2, by=journal.teacher,
                         marks=[{"pupil": p1.pk, "kind": "section_summative", "value": 14, "max_points": 20}])
    services.lesson_save(class_subject=journal.cs, day=date(2025, 11, 12), by=journal.teacher)  # term 2
    grid = selectors.journal_grid(journal.user("district.esil"), journal.cs, term1)
    assert not grid.editable
    assert [e.pupil.pk for e in grid.pupils] == [p0.pk, p1.pk, p2.pk]  # by name; the late one is not in term 1
    assert [(c.lesson.date, c.lesson.number, c.kind) for c in grid.lessons] == [
        (date(2025, 9, 24), 1, "formative"), (TERM_DAY, 2, "section_summative")]
    assert grid.lessons[1].max_points == 20
    leaver = grid.pupils[2]
    assert leaver.enrolled_on(date(2025, 9, 24)) and not leaver.enrolled_on(TERM_DAY)
    first = grid.lessons[0].lesson.pk
    assert grid.marks[(first, p0.pk)]["formative"].value == 9 and grid.attendance == {(first, p2.pk): "excused"}
    assert grid.grades[p0.pk].mark == 5 and grid.grades[p1.pk].mark == 4 and grid.grades[p2.pk].kind == "insufficient"
    assert selectors.journal_grid(journal.teacher, journal.cs, term1).editable
    term2 = StudyPeriod.objects.get(year=term1.year, number=2)
    assert late.pk in [e.pupil.pk for e in selectors.journal_grid(journal.teacher, journal.cs, term2).pupils]
    with pytest.raises(Http404):
        selectors.journal_grid(journal.user("district.saryarka"), journal.cs, term1)


def test_the_default_term(journal):
    terms = selectors.terms_of(journal.klass.year)
    assert selectors.term_choose(terms, None, day=date(2025, 11, 20)).number == 2
    assert selectors.term_choose(terms, None, day=date(2025, 10, 29)).number == 1  # the autumn break: the term before
    assert selectors.term_choose(terms, None, day=date(2025, 8, 1)).number == 1
    assert selectors.term_choose(terms, None, day=date(2026, 11, 22)).number == 4
    with pytest.raises(Http404):
        selectors.term_choose(terms, 5)


def test_a_parents_children_are_the_confirmed_links(parent_link):
    j = parent_link
    pending = ParentLink.objects.create(parent=j.parent, pupil=j.pupils[1])
    assert [link.pupil_id for link in selectors.children_links(j.parent)] == [j.pupils[0].pk]
    assert [link.pk for link in selectors.pending_requests_of(j.parent)] == [pending.pk]
    assert selectors.child_get(j.parent, j.pupils[0].pk)[1] == j.link
    for pupil in (j.pupils[1], j.pupils[2]):
        with pytest.raises(Http404):
            selectors.child_get(j.parent, pupil.pk)
    with pytest.raises(Http404):
        selectors.pupil_report(j.user("head.school"), j.pupils[0].pk)


def test_a_childs_term_report(parent_link):
    j = parent_link
    child = j.pupils[0]
    services.lesson_save(class_subject=j.cs, day=TERM_DAY, by=j.teacher, marks=[{"pupil": child.pk, "kind": "formative", "value": 6}])
    services.lesson_save(class_subject=j.cs, day=date(2025, 10, 15), by=j.teacher, attendance={child.pk: "late"})
    since = timezone.now() - timedelta(minutes=5)
    report = selectors.pupil_report(j.parent, child.pk, term_number=1, since=since)
    (subject,) = report.subjects
    assert [(m.date, m.mark.value, m.is_new) for m in subject.marks] == [(TERM_DAY, 6, True)]
    assert subject.grade.mark == 3 and subject.attendance["late"] == 1 and len(subject.new_attendance) == 1
    assert report.year_complete and subject.year.mark == 3 and report.new_count == 2
    assert selectors.pupil_report(j.parent, child.pk, term_number=1, since=timezone.now()).new_count == 0
    # a term not over yet: no year grade
    StudyPeriod.objects.filter(year=j.term1.year, number=4).update(ends=timezone.localdate() + timedelta(days=30))
    report = selectors.pupil_report(j.parent, child.pk, term_number=1)
    assert not report.year_complete and report.subjects[0].year is None
    assert selectors.pupil_report(j.parent, child.pk, term_number=2).subjects[0].marks == []


def test_pending_links_of_the_heads_school(journal):
    link = ParentLink.objects.create(parent=journal.user("parent"), pupil=journal.pupils[0])
    head = journal.user("head.school")
    assert list(selectors.pending_links(head)) == [link]
    assert selectors.link_for_decision(head, link.pk) == link
    assert list(selectors.pending_links(journal.user("district.esil"))) == []  # only heads decide
    # the pupil moves to a school in another district: the old school no longer sees the request
    other_school = journal.school_in(journal.saryarka)
    klass = SchoolClass.objects.create(school=other_school, year=journal.klass.year, grade=5, letter="Б")
    Enrolment.objects.filter(pupil=journal.pupils[0]).update(ends=timezone.localdate() - timedelta(days=1))
    Enrolment.objects.create(pupil=journal.pupils[0], school_class=klass, starts=timezone.localdate() - timedelta(days=1))
    assert list(selectors.pending_links(head)) == []
    with pytest.raises(Http404):
        selectors.link_for_decision(head, link.pk)
