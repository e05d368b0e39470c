"""The school journal (J1–J2): the school year and its periods as data, classes, pupils and their
enrolment, subjects and their teachers, lessons, marks and attendance, and parents' links.

Sized for the country (≈ 4 million pupils, tens of millions of marks a term): marks and attendance
are narrow rows keyed by lesson and pupil, with the indexes the journal grid and the roll-ups read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bilim.core.models import Multilingual, OrgUnit


class SchoolYear(models.Model):
    code = models.CharField(_("school year"), max_length=9, unique=True, help_text=_("e.g. 2025-2026"))
    starts = models.DateField(_("first day"))
    ends = models.DateField(_("last day"))

    class Meta:
        ordering = ["-starts"]
        verbose_name = _("school year")
        verbose_name_plural = _("school years")

    def __str__(self) -> str:
        return self.code


class StudyPeriod(models.Model):
    """A term of a school, or a semester of a college (its breaks lie between the periods)."""

    class Kind(models.TextChoices):
        TERM = "term", _("Term")
        SEMESTER = "semester", _("Semester")

    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    number = models.PositiveSmallIntegerField()
    starts = models.DateField()
    ends = models.DateField()

    class Meta:
        ordering = ["year", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["year", "kind", "number"], name="studyperiod_unique")]

    def __str__(self) -> str:
        return f"{self.year.code} {self.get_kind_display()} {self.number}"


class Subject(Multilingual, models.Model):
    code = models.CharField(max_length=32, unique=True)
    name_kk = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    # a subject rule of the grading rule set (e.g. one hour a week: graded by half-year), if any
    grading_rule = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["code"]


class SchoolClass(models.Model):
    """A class of a school in a school year: 1 А … 11 Б (grade 0 is the pre-school class)."""

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="classes")
    grade = models.PositiveSmallIntegerField()
    letter = models.CharField(max_length=3)
    language = models.CharField(max_length=8, choices=[("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))], default="kk")

    class Meta:
        ordering = ["school", "grade", "letter"]
        constraints = [models.UniqueConstraint(fields=["school", "year", "grade", "letter"], name="schoolclass_unique")]

    def __str__(self) -> str:
        return f"{self.grade} {self.letter}"


class Pupil(models.Model):
    iin = models.CharField(_("IIN"), max_length=12, unique=True, null=True, blank=True)
    last_name = models.CharField(max_length=100)
    first_name = models.CharField(max_length=100)
    patronymic = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="pupil")

    class Meta:
        ordering = ["last_name", "first_name"]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class Enrolment(models.Model):
    """A pupil in a class from ``starts`` until ``ends`` (exclusive; None: still there). A transfer
    ends one enrolment and starts another."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="enrolments")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="enrolments")
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["school_class", "starts"], name="enrolment_class")]


class ClassSubject(models.Model):
    """A subject taught to a class, and its teacher: the unit a teacher writes the journal in."""

    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="subjects")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="class_subjects")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school_class", "subject"], name="classsubject_unique")]


class TimetableSlot(models.Model):
    """A weekly slot of the timetable: this class-subject on this weekday (0 Monday … 5 Saturday) at
    this lesson number. ``lessons_from_timetable`` turns the slots into the term's lessons on working
    days."""

    class_subject = models.ForeignKey(ClassSubject, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["weekday", "number"]
        constraints = [models.UniqueConstraint(fields=["class_subject", "weekday", "number"], name="timetableslot_unique")]


class Lesson(models.Model):
    class_subject = models.ForeignKey(ClassSubject, on_delete=models.CASCADE, related_name="lessons")
    date = models.DateField()
    number = models.PositiveSmallIntegerField(default=1, help_text=_("lesson of the day"))
    topic = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["date", "number"]
        constraints = [models.UniqueConstraint(fields=["class_subject", "date", "number"], name="lesson_unique")]


class MarkKind(models.TextChoices):
    FORMATIVE = "formative", _("Formative (ФО / ҚБ)")
    SECTION_SUMMATIVE = "section_summative", _("Summative for a section (СОр / БЖБ)")
    TERM_SUMMATIVE = "term_summative", _("Summative for the term (СОч / ТЖБ)")


class Mark(models.Model):
    """One mark of one pupil at one lesson: a formative mark 1–10, or the points of a summative work
    out of its maximum (``missed``: the pupil did not write it)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="marks")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="marks")
    kind = models.CharField(max_length=20, choices=MarkKind.choices)
    value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    missed = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lesson", "pupil", "kind"], name="mark_unique")]
        indexes = [models.Index(fields=["pupil", "lesson"], name="mark_pupil")]


class AttendanceStatus(models.TextChoices):
    ABSENT = "absent", _("Absent without a reason")
    SICK = "sick", _("Sick")
    EXCUSED = "excused", _("Excused")
    LATE = "late", _("Late")


# The letters Kazakh- and Russian-language journals use.
ATTENDANCE_LETTERS = {
    "kk": {"absent": "Ж", "sick": "А", "excused": "Д", "late": "К"},
    "ru": {"absent": "Н", "sick": "Б", "excused": "У", "late": "О"},
    "en": {"absent": "A", "sick": "S", "excused": "E", "late": "L"},
}


class Attendance(models.Model):
    """A pupil not present, or late, at a lesson. Presence is the absence of a row: at the country's
    scale only the exceptions are stored."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attendance")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=8, choices=AttendanceStatus.choices)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lesson", "pupil"], name="attendance_unique")]
        indexes = [models.Index(fields=["pupil", "lesson"], name="attendance_pupil")]


class ParentLink(models.Model):
    """A parent's link to a child, confirmed by the school before the parent sees anything (J2)."""

    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="children_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_links")
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # the parent's previous and latest visits of the child's page: "what changed since the last visit"
    seen_before = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["parent", "pupil"], name="parentlink_unique")]

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None
