"""The roll-up engine: keeps ``TermGrade``, ``PupilTerm``, ``LessonStat`` and ``Rollup`` current as
the journal is written, by deltas — no nightly batch (J3).

Writers call ``enqueue`` inside their own transaction: one plain INSERT of the touched keys, a few
hundred microseconds. The worker (``manage.py analytics_worker``) calls ``drain``: it takes a batch
of queued keys, recomputes exactly those term grades by the rule set and those lessons' attendance,
and adds the differences to the roll-up rows of the school and of every unit above it with one
``INSERT … ON CONFLICT DO UPDATE SET m = m + delta`` per chunk (``core.deltas``).

Why no lost update (PostgreSQL, READ COMMITTED): the queue is append-only — a writer *inserts* its
queue rows, with no unique key, so it never conflicts with (and never waits for) rows the worker
holds; the same key written twice is simply queued twice. A writer's queue rows and its marks
commit together, so a queue row the worker can see is one whose marks it can see: the worker takes
its batch with ``SELECT … FOR UPDATE SKIP LOCKED`` (rows committed by then), deletes them, and then
reads the marks in later statements, which therefore include every write that queued those rows.
A write that commits after the batch was taken left its own queue row for the next batch. On
SQLite every write transaction is serialized.

An earlier version upserted the queue rows to keep one row per key; a writer then waited for the
worker's whole batch transaction whenever it touched a key the worker held, which made lesson
saves queue behind the worker under load (measured in ``bench journal``).

One worker at a time moves the roll-ups (two would only contend on the same rows); the queue rows
are the durable record of what is still to do, so a crashed worker loses nothing.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from bilim.core import deltas, paths
from bilim.core.models import OrgUnit
from bilim.journal import grading
from bilim.journal.models import Attendance, ClassSubject, Enrolment, Lesson, Mark, SchoolClass, StudyPeriod
from bilim.journal.services import term_input

from .models import MEASURES, DirtyGrade, DirtyLesson, LessonStat, PupilTerm, Rollup, TermGrade, TermStatus

BATCH = 2000
ROLLUP_KEYS = ("unit_id", "period_id", "subject_id")


def enqueue(*, class_subject_id: int, period_id: int, pupils: Iterable[int] = (), lesson_id: int | None = None) -> None:
    """Queue the term grades of ``pupils`` in a class-subject and period, and a lesson's attendance.
    Called by the journal's writes inside their transaction."""
    now = timezone.now()
    rows = [DirtyGrade(pupil_id=p, class_subject_id=class_subject_id, period_id=period_id, queued_at=now) for p in sorted(set(pupils))]
    if rows:
        DirtyGrade.objects.bulk_create(rows)
    if lesson_id is not None:
        DirtyLesson.objects.create(lesson_id=lesson_id, queued_at=now)


def on_lesson_saved(sender, *, class_subject_id: int, period_id: int, pupils: Iterable[int], lesson_id: int | None, **kwargs) -> None:
    enqueue(class_subject_id=class_subject_id, period_id=period_id, pupils=pupils, lesson_id=lesson_id)


def pending() -> int:
    return DirtyGrade.objects.count() + DirtyLesson.objects.count()


@dataclass
class _Mark:
    kind: str
    value: object
    max_points: object
    missed: bool


class _Deltas:
    """Measure deltas per (school, period, subject); ``rows`` spreads them to every ancestor and to
    the all-subjects row (subject 0)."""

    def __init__(self):
        self.by_key: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0] * len(MEASURES))

    def add(self, school: int, period: int, subject: int, **values: int) -> None:
        for key in ({subject, 0} if subject else {0}):
            row = self.by_key[(school, period, key)]
            for name, value in values.items():
                if key == subject and subject and name in ("pupils", "pupils_quality", "pupils_success"):
                    continue  # pupil-based measures exist for all subjects only
                row[MEASURES.index(name)] += value

    def rows(self) -> list[tuple]:
        schools = {school for school, _p, _s in self.by_key}
        ancestry = {pk: paths.ids(path) for pk, path in OrgUnit.objects.filter(pk__in=schools).values_list("pk", "path")}
        total: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0] * len(MEASURES))
        for (school, period, subject), values in self.by_key.items():
            if not any(values):
                continue
            for unit in ancestry.get(school, ()):
                row = total[(unit, period, subject)]
                for index, value in enumerate(values):
                    row[index] += value
        return [(*key, *values) for key, values in sorted(total.items()) if any(values)]


def _grade_measures(status: str | None, mark: int | None, sign: int) -> dict[str, int]:
    if status == TermStatus.MARK and mark:
        return {"grades": sign, "grade_sum": sign * mark, f"n{min(max(mark, 2), 5)}": sign}
    if status == TermStatus.NOT_ASSESSED:
        return {"not_assessed": sign}
    return {}


def _pupil_measures(lowest: int | None, sign: int) -> dict[str, int]:
    if lowest is None:
        return {}
    return {"pupils": sign, "pupils_quality": sign * (lowest >= 4), "pupils_success": sign * (lowest >= 3)}


def _grades(keys: list[tuple[int, int, int]], changes: _Deltas) -> None:
    """Recompute the term grades of ``keys`` (pupil, class-subject, period) and the pupils' terms."""
    cs_ids = {k[1] for k in keys}
    pupil_ids = {k[0] for k in keys}
    period_ids = {k[2] for k in keys}
    periods = StudyPeriod.objects.in_bulk(period_ids)
    class_subjects = ClassSubject.objects.select_related("school_class", "subject").in_bulk(cs_ids)
    rule_sets = {pk: grading.rule_set_for(period.ends) for pk, period in periods.items()}
    wanted = set(keys)
    marks: dict[tuple[int, int, int], list[tuple]] = defaultdict(list)
    if periods:
        low, high = min(p.starts for p in periods.values()), max(p.ends for p in periods.values())
        rows = (Mark.objects.filter(lesson__class_subject_id__in=cs_ids, pupil_id__in=pupil_ids, lesson__date__gte=low, lesson__date__lte=high)
                .values_list("pupil_id", "lesson__class_subject_id", "lesson__date", "lesson__number", "kind", "value", "max_points", "missed"))
        for pupil, cs, day, number, kind, value, maximum, missed in rows.iterator(chunk_size=5000):
            for pk, period in periods.items():
                if period.starts <= day <= period.ends and (pupil, cs, pk) in wanted:
                    marks[(pupil, cs, pk)].append((day, number, _Mark(kind, value, maximum, missed)))
    existing = {(t.pupil_id, t.class_subject_id, t.period_id): t for t in
                TermGrade.objects.filter(pupil_id__in=pupil_ids, class_subject_id__in=cs_ids, period_id__in=period_ids)}
    now = timezone.now()
    create, update, delete = [], [], []
    for key in keys:
        pupil, cs_id, period_id = key
        cs, old = class_subjects.get(cs_id), existing.get(key)
        status = mark = percent = None
        if cs is not None and period_id in periods and marks.get(key):
            entries = [m for _d, _n, m in sorted(marks[key], key=lambda e: (e[0], e[1]))]
            result = grading.compute_term(rule_sets[period_id], term_input(cs, entries), explain=False)
            status, mark, percent = result.kind, result.mark, result.rounded_percent
        if old is not None and (old.status, old.mark) == (status, mark) and old.percent == percent:
            continue
        if old is not None:
            changes.add(old.school_id, period_id, old.subject_id, **_grade_measures(old.status, old.mark, -1))
        if status is None:
            if old is not None:
                delete.append(old.pk)
            continue
        if cs is None:
            continue
        changes.add(cs.school_class.school_id, period_id, cs.subject_id, **_grade_measures(status, mark, +1))
        if old is None:
            create.append(TermGrade(pupil_id=pupil, class_subject_id=cs_id, period_id=period_id, school_class_id=cs.school_class_id,
                                    school_id=cs.school_class.school_id, subject_id=cs.subject_id, status=status, mark=mark,
                                    percent=percent, computed_at=now))
        else:
            old.status, old.mark, old.percent, old.computed_at = status, mark, percent, now
            update.append(old)
    TermGrade.objects.filter(pk__in=delete).delete()
    TermGrade.objects.bulk_create(create, batch_size=1000)
    TermGrade.objects.bulk_update(update, ["status", "mark", "percent", "computed_at"], batch_size=1000)
    _pupil_terms({(k[0], k[2]) for k in keys}, changes)


def _pupil_terms(pairs: set[tuple[int, int]], changes: _Deltas) -> None:
    pupil_ids, period_ids = {p for p, _ in pairs}, {t for _, t in pairs}
    current: dict[tuple[int, int], tuple[int, int]] = {}
    for pupil, period, school, mark in (TermGrade.objects.filter(pupil_id__in=pupil_ids, period_id__in=period_ids, status=TermStatus.MARK)
                                        .values_list("pupil_id", "period_id", "school_id", "mark")):
        if (pupil, period) in pairs:
            lowest, _school = current.get((pupil, period), (mark, school))
            current[(pupil, period)] = (min(lowest, mark), school)
    stored = {(t.pupil_id, t.period_id): t for t in PupilTerm.objects.filter(pupil_id__in=pupil_ids, period_id__in=period_ids)}
    create, update, delete = [], [], []
    for pair in pairs:
        old, new = stored.get(pair), current.get(pair)
        if old is not None and new is not None and (old.lowest, old.school_id) == new:
            continue
        if old is not None:
            changes.add(old.school_id, pair[1], 0, **_pupil_measures(old.lowest, -1))
        if new is not None:
            changes.add(new[1], pair[1], 0, **_pupil_measures(new[0], +1))
        if new is None:
            if old is not None:
                delete.append(old.pk)
        elif old is None:
            create.append(PupilTerm(pupil_id=pair[0], period_id=pair[1], lowest=new[0], school_id=new[1]))
        else:
            old.lowest, old.school_id = new
            update.append(old)
    PupilTerm.objects.filter(pk__in=delete).delete()
    PupilTerm.objects.bulk_create(create, batch_size=1000)
    PupilTerm.objects.bulk_update(update, ["lowest", "school_id"], batch_size=1000)


def _on_roll(class_dates: set[tuple[int, date]]) -> dict[tuple[int, date], int]:
    """Pupils on the roll of each class on each date."""
    dates: dict[int, list[date]] = defaultdict(list)
    for klass, day in class_dates:
        dates[klass].append(day)
    counts: dict[tuple[int, date], int] = defaultdict(int)
    for klass, starts, ends in Enrolment.objects.filter(school_class_id__in=dates).values_list("school_class_id", "starts", "ends"):
        for day in dates[klass]:
            if starts <= day and (ends is None or ends > day):
                counts[(klass, day)] += 1
    return counts


def _lessons(lesson_ids: list[int], changes: _Deltas) -> None:
    lessons = {row["pk"]: row for row in Lesson.objects.filter(pk__in=lesson_ids).values(
        "pk", "date", "class_subject__school_class_id", "class_subject__school_class__school_id", "class_subject__school_class__year_id",
        "class_subject__subject_id")}
    years = {row["class_subject__school_class__year_id"] for row in lessons.values()}
    periods = list(StudyPeriod.objects.filter(year_id__in=years, kind=StudyPeriod.Kind.TERM))
    on_roll = _on_roll({(row["class_subject__school_class_id"], row["date"]) for row in lessons.values()})
    absences: dict[int, dict[str, int]] = defaultdict(dict)
    for lesson, status, count in Attendance.objects.filter(lesson_id__in=lesson_ids).values("lesson_id", "status").annotate(n=Count("pk")).values_list("lesson_id", "status", "n"):
        absences[lesson][status] = count
    stored = LessonStat.objects.in_bulk(lesson_ids)
    create, update = [], []
    for pk in lesson_ids:
        row, old = lessons.get(pk), stored.get(pk)
        if old is not None:
            changes.add(old.school_id, old.period_id, old.subject_id, lessons=-1, pupil_lessons=-old.pupils, absent=-old.absent,
                        sick=-old.sick, excused=-old.excused, late=-old.late)
        period = row and next((p for p in periods if p.year_id == row["class_subject__school_class__year_id"] and p.starts <= row["date"] <= p.ends), None)
        if row is None or period is None:
            continue  # the lesson is gone (its stat went with it) or lies outside the terms
        found = absences.get(pk, {})
        stat = LessonStat(lesson_id=pk, school_id=row["class_subject__school_class__school_id"], period_id=period.pk,
                          subject_id=row["class_subject__subject_id"],
                          pupils=on_roll.get((row["class_subject__school_class_id"], row["date"]), 0),
                          **{s: found.get(s, 0) for s in ("absent", "sick", "excused", "late")})
        changes.add(stat.school_id, stat.period_id, stat.subject_id, lessons=1, pupil_lessons=stat.pupils, absent=stat.absent,
                    sick=stat.sick, excused=stat.excused, late=stat.late)
        (update if old is not None else create).append(stat)
    LessonStat.objects.bulk_create(create, batch_size=1000)
    LessonStat.objects.bulk_update(update, ["school_id", "period_id", "subject_id", "pupils", "absent", "sick", "excused", "late"], batch_size=1000)


def drain_once(limit: int = BATCH) -> int:
    """Process one batch of the queue; return how many keys were done (0: the queue is empty)."""
    with transaction.atomic():
        grade_rows = list(DirtyGrade.objects.select_for_update(skip_locked=True).order_by("pk")
                          .values_list("pk", "pupil_id", "class_subject_id", "period_id")[:limit])
        lesson_rows = list(DirtyLesson.objects.select_for_update(skip_locked=True).order_by("pk").values_list("pk", "lesson_id")[:limit])
        if not grade_rows and not lesson_rows:
            return 0
        DirtyGrade.objects.filter(pk__in=[r[0] for r in grade_rows]).delete()
        DirtyLesson.objects.filter(pk__in=[r[0] for r in lesson_rows]).delete()
        changes = _Deltas()
        if grade_rows:
            _grades(sorted({r[1:] for r in grade_rows}), changes)
        if lesson_rows:
            _lessons(sorted({r[1] for r in lesson_rows}), changes)
        deltas.add(Rollup._meta.db_table, ROLLUP_KEYS, MEASURES, changes.rows(), extra={"updated_at": "CURRENT_TIMESTAMP"})
        return len(grade_rows) + len(lesson_rows)


def drain(*, limit: int = BATCH, max_seconds: float | None = None) -> int:
    """Empty the queue (or work for ``max_seconds``); return the number of keys processed."""
    started, done = time.monotonic(), 0
    while True:
        count = drain_once(limit)
        done += count
        if not count or (max_seconds is not None and time.monotonic() - started >= max_seconds):
            return done


def rebuild() -> int:
    """Recompute every roll-up from the journal: clear the derived tables, queue every key, drain.
    For a new installation, a restore, or a change of the rule set; the worker does the same work
    incrementally every day."""
    requeue_all()
    return drain()


def requeue_all() -> None:
    """Clear the derived tables and queue every term grade and lesson of the journal."""
    with transaction.atomic():
        for model in (Rollup, PupilTerm, TermGrade, LessonStat, DirtyGrade, DirtyLesson):
            model.objects.all().delete()
        t = {m: m._meta.db_table for m in (DirtyGrade, DirtyLesson, Mark, Lesson, ClassSubject, StudyPeriod)}
        classes = SchoolClass._meta.db_table
        with connection.cursor() as cursor:  # set-based: millions of keys never pass through Python
            cursor.execute(
                f"INSERT INTO {t[DirtyGrade]} (pupil_id, class_subject_id, period_id, queued_at) "
                f"SELECT DISTINCT m.pupil_id, l.class_subject_id, p.id, CURRENT_TIMESTAMP FROM {t[Mark]} m "
                f"JOIN {t[Lesson]} l ON l.id = m.lesson_id JOIN {t[ClassSubject]} cs ON cs.id = l.class_subject_id "
                f"JOIN {classes} c ON c.id = cs.school_class_id "
                f"JOIN {t[StudyPeriod]} p ON p.year_id = c.year_id AND p.kind = %s AND l.date BETWEEN p.starts AND p.ends "
                "ORDER BY 2, 1",  # a batch of the queue then covers whole class-subjects
                [StudyPeriod.Kind.TERM])
            cursor.execute(f"INSERT INTO {t[DirtyLesson]} (lesson_id, queued_at) SELECT id, CURRENT_TIMESTAMP FROM {t[Lesson]} ORDER BY id")
