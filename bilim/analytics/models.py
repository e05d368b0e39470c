"""Analytics of the journal (J3, J4): roll-ups kept current as marks are written.

Flow: ``journal.services.lesson_save`` queues what it touched (``DirtyGrade``: a pupil's term in a
class-subject; ``DirtyLesson``: a lesson's attendance) in the writer's own transaction; the worker
(``manage.py analytics_worker``, ``engine.drain``) recomputes those term grades by the rule set and
the lesson's attendance counts, and moves the roll-ups of the school and of every unit above it by
the difference. Dashboards read ``Rollup`` rows only: a handful of rows per page, whatever the
number of marks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bilim.core.models import OrgUnit
from bilim.journal.models import ClassSubject, Lesson, Pupil, SchoolClass, StudyPeriod, Subject


class TermStatus(models.TextChoices):
    MARK = "mark", _("Mark")
    NOT_ASSESSED = "not_assessed", _("Temporarily not assessed")
    INSUFFICIENT = "insufficient", _("Not enough marks")
    NO_MARKS = "no_marks_grade_1", _("No marks (grade 1)")


class TermGrade(models.Model):
    """The term grade so far of a pupil in a class-subject, by the rule set, from the journal."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    class_subject = models.ForeignKey(ClassSubject, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(StudyPeriod, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=TermStatus.choices)
    mark = models.PositiveSmallIntegerField(null=True)
    percent = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "class_subject", "period"], name="termgrade_unique")]
        indexes = [models.Index(fields=["school_class", "period"], name="termgrade_class"),
                   models.Index(fields=["pupil", "period"], name="termgrade_pupil")]


class PupilTerm(models.Model):
    """A pupil's term across subjects: the lowest term grade decides knowledge quality (all 4 and 5)
    and success (no 2)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(StudyPeriod, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    lowest = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "period"], name="pupilterm_unique")]


class LessonStat(models.Model):
    """A held lesson: pupils on the roll that day and the absences by reason."""

    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, primary_key=True, related_name="+")
    school = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(StudyPeriod, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    pupils = models.PositiveIntegerField(default=0)
    absent = models.PositiveIntegerField(default=0)
    sick = models.PositiveIntegerField(default=0)
    excused = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)


# The additive measures of a roll-up row; the dashboards derive the rates from them.
MEASURES = ("grades", "grade_sum", "n2", "n3", "n4", "n5", "not_assessed", "pupils", "pupils_quality", "pupils_success",
            "lessons", "pupil_lessons", "absent", "sick", "excused", "late")


class Rollup(models.Model):
    """Totals of one unit (school, district, region, republic) in one period, for one subject or for
    all subjects (``subject_id`` 0). Only ever moved by deltas (``engine``)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(StudyPeriod, on_delete=models.CASCADE, related_name="+")
    subject_id = models.IntegerField(default=0)
    grades = models.IntegerField(default=0)         # term grades that are a mark (2–5)
    grade_sum = models.IntegerField(default=0)
    n2 = models.IntegerField(default=0)
    n3 = models.IntegerField(default=0)
    n4 = models.IntegerField(default=0)
    n5 = models.IntegerField(default=0)
    not_assessed = models.IntegerField(default=0)
    pupils = models.IntegerField(default=0)         # pupils with at least one term mark (all subjects only)
    pupils_quality = models.IntegerField(default=0)  # … whose marks are all 4 or 5
    pupils_success = models.IntegerField(default=0)  # … who have no 2
    lessons = models.IntegerField(default=0)
    pupil_lessons = models.BigIntegerField(default=0)
    absent = models.IntegerField(default=0)
    sick = models.IntegerField(default=0)
    excused = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "period", "subject_id"], name="rollup_unique")]
        indexes = [models.Index(fields=["unit", "subject_id", "period"], name="rollup_unit_subject")]


class DirtyGrade(models.Model):
    """Queue: a pupil's term in a class-subject whose marks changed. Append-only — a key written
    twice is queued twice and done once — so a writer never waits for the worker (engine.py)."""

    pupil_id = models.IntegerField()
    class_subject_id = models.IntegerField()
    period_id = models.IntegerField()
    queued_at = models.DateTimeField(default=timezone.now)


class DirtyLesson(models.Model):
    """Queue: a lesson whose attendance (or existence) changed. Append-only, like ``DirtyGrade``."""

    lesson_id = models.IntegerField()
    queued_at = models.DateTimeField(default=timezone.now)


class RatingPublication(models.Model):
    """The open regional rating for a period (J4), published by the ministry: a frozen snapshot with
    the version of the method it was computed by."""

    period = models.ForeignKey(StudyPeriod, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=20)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-period__starts", "-published_at"]


class RatingRow(models.Model):
    publication = models.ForeignKey(RatingPublication, on_delete=models.CASCADE, related_name="rows")
    region = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(null=True)  # None: no data in the period, listed last
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    quality = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    success = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    attendance = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    average = models.DecimalField(max_digits=4, decimal_places=2, null=True)
    pupils = models.IntegerField(default=0)

    class Meta:
        ordering = [models.F("rank").asc(nulls_last=True), "region__kato"]
        constraints = [models.UniqueConstraint(fields=["publication", "region"], name="ratingrow_unique")]
