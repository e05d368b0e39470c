"""The roll-up engine (J3): the journal's writes queue their keys; ``drain`` moves the roll-ups of the
school and of every unit above it by deltas; the result always equals a rebuild from scratch."""

import random
from datetime import date, timedelta

import pytest

from bilim.analytics import engine
from bilim.analytics.models import MEASURES, DirtyGrade, DirtyLesson, LessonStat, PupilTerm, Rollup, TermGrade
from bilim.core import paths
from bilim.journal import services
from bilim.journal.models import ClassSubject, Enrolment, Pupil, Subject
from bilim.journal.tests.conftest import TERM_DAY, journal  # noqa: F401  (the fixture)


def save(j, day=TERM_DAY, number=1, cs=None, **kwargs):
    return services.lesson_save(class_subject=cs or j.cs, day=day, number=number, by=j.teacher, **kwargs)


def rollups() -> dict:
    return {(r["unit_id"], r["period_id"], r["subject_id"]): tuple(r[m] for m in MEASURES)
            for r in Rollup.objects.values("unit_id", "period_id", "subject_id", *MEASURES)}


def nonzero(table: dict) -> dict:
    return {k: v for k, v in table.items() if any(v)}


def row(unit, period, subject=0) -> dict:
    r = Rollup.objects.filter(unit=unit, period=period, subject_id=subject).values(*MEASURES).first()
    return r or dict.fromkeys(MEASURES, 0)


def test_a_saved_lesson_reaches_the_school_and_every_unit_above_after_the_drain(journal):
    p1, p2, p3 = journal.pupils
    save(journal, marks=[{"pupil": p1.pk, "kind": "formative", "value": 9}, {"pupil": p2.pk, "kind": "formative", "value": 5}],
         attendance={p3.pk: "sick"})
    assert DirtyGrade.objects.count() == 2 and DirtyLesson.objects.count() == 1
    assert not Rollup.objects.exists()  # nothing is computed in the writer's request
    assert engine.drain() == 3
    assert engine.pending() == 0
    school = journal.klass.school
    grades = dict(TermGrade.objects.values_list("pupil_id", "mark"))
    assert grades == {p1.pk: 5, p2.pk: 3}  # 90 % → 5, 50 % → 3
    for unit in paths.ids(school.path):  # school, district, region, republic
        for subject in (0, journal.cs.subject_id):
            r = row(unit, journal.term1, subject)
            assert (r["grades"], r["grade_sum"], r["n5"], r["n3"]) == (2, 8, 1, 1)
            assert (r["lessons"], r["pupil_lessons"], r["sick"]) == (1, 3, 1)
        all_subjects = row(unit, journal.term1)
        assert (all_subjects["pupils"], all_subjects["pupils_quality"], all_subjects["pupils_success"]) == (2, 1, 2)
        assert row(unit, journal.term1, journal.cs.subject_id)["pupils"] == 0  # pupil-based: all subjects only


def test_a_correction_moves_the_rollups_instead_of_adding_again(journal):
    p1, p2, _p3 = journal.pupils
    save(journal, marks=[{"pupil": p1.pk, "kind": "formative", "value": 9}], attendance={p2.pk: "absent"})
    engine.drain()
    save(journal, marks=[{"pupil": p1.pk, "kind": "formative", "value": 3}], attendance={p2.pk: "present"})
    engine.drain()
    r = row(journal.klass.school, journal.term1)
    assert (r["grades"], r["grade_sum"], r["n2"], r["n5"], r["pupils"], r["pupils_success"]) == (1, 2, 1, 0, 1, 0)
    assert (r["lessons"], r["pupil_lessons"], r["absent"]) == (1, 3, 0)
    # the mark removed: the pupil leaves every roll-up
    save(journal, marks=[{"pupil": p1.pk, "kind": "formative", "value": None}])
    engine.drain()
    r = row(journal.klass.school, journal.term1)
    assert (r["grades"], r["grade_sum"], r["n2"], r["pupils"]) == (0, 0, 0, 0)
    assert not TermGrade.objects.exists() and not PupilTerm.objects.exists()


def test_a_missed_summative_counts_as_not_assessed(journal):
    p1 = journal.pupils[0]
    save(journal, marks=[{"pupil": p1.pk, "kind": "formative", "value": 8}])
    save(journal, day=TERM_DAY + timedelta(days=1), marks=[{"pupil": p1.pk, "kind": "term_summative", "missed": True, "max_points": 25}])
    engine.drain()
    assert TermGrade.objects.get().status == "not_assessed"
    r = row(journal.klass.school, journal.term1, journal.cs.subject_id)
    assert (r["grades"], r["not_assessed"]) == (0, 1)


def test_the_incremental_rollups_equal_a_rebuild_after_random_writes(journal):
    """Whatever order the journal is written and drained in, the roll-ups equal a rebuild."""
    rng = random.Random(20261122)
    physics = Subject.objects.create(code="phys", name_kk="Физика", name_ru="Физика", name_en="Physics")
    cs2 = ClassSubject.objects.create(school_class=journal.klass, subject=physics, teacher=journal.teacher)
    more = [Pupil.objects.create(last_name=f"Қосымша{i}", first_name="Бек") for i in range(4)]
    for pupil in more:
        Enrolment.objects.create(pupil=pupil, school_class=journal.klass, starts=date(2025, 9, 1))
    pupils = journal.pupils + more
    days = [d for d in (date(2025, 9, 1) + timedelta(days=i) for i in range(120)) if d.weekday() < 5 and journal.term1.starts <= d]
    for step in range(40):
        day = rng.choice(days)
        if services.period_of(journal.cs, day) is None:
            continue
        marks = [{"pupil": p.pk, "kind": "formative", "value": rng.choice([None, 2, 4, 6, 8, 10])} for p in rng.sample(pupils, 3)]
        if rng.random() < 0.2:
            marks.append({"pupil": rng.choice(pupils).pk, "kind": "term_summative", "value": rng.randint(0, 20), "max_points": 20})
        save(journal, day=day, number=rng.randint(1, 2), cs=rng.choice([journal.cs, cs2]), marks=marks,
             attendance={p.pk: rng.choice(["present", "absent", "sick", "late"]) for p in rng.sample(pupils, 2)})
        if rng.random() < 0.3:
            engine.drain(limit=rng.randint(1, 5))
    engine.drain()
    incremental = nonzero(rollups())
    grades = set(TermGrade.objects.values_list("pupil_id", "class_subject_id", "period_id", "status", "mark"))
    stats = set(LessonStat.objects.values_list("lesson_id", "pupils", "absent", "sick", "excused", "late"))
    assert incremental and grades
    engine.rebuild()
    assert nonzero(rollups()) == incremental
    assert set(TermGrade.objects.values_list("pupil_id", "class_subject_id", "period_id", "status", "mark")) == grades
    assert set(LessonStat.objects.values_list("lesson_id", "pupils", "absent", "sick", "excused", "late")) == stats


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_drains_the_queue_once(journal):
    from django.core.management import call_command

    save(journal, marks=[{"pupil": journal.pupils[0].pk, "kind": "formative", "value": 7}])
    call_command("analytics_worker", "--once")
    assert engine.pending() == 0 and TermGrade.objects.get().mark == 4
