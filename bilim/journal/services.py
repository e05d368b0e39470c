"""Writes of the journal: a whole lesson (marks and attendance of every pupil) in one request, all
or nothing, upserted and audited; and the term grade computed by the versioned rule set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core import calendar
from bilim.core.audit import audit_record
from bilim.core.errors import DomainError
from bilim.core.kazakh import is_valid_iin
from bilim.core.models import Role
from bilim.core.scope import Scope

from . import grading, signals
from .models import Attendance, AttendanceStatus, ClassSubject, Enrolment, Lesson, Mark, MarkKind, ParentLink, Pupil, SchoolClass, StudyPeriod, TimetableSlot

SUMMATIVE = (MarkKind.SECTION_SUMMATIVE, MarkKind.TERM_SUMMATIVE)
MAX_POINTS = 1000  # no summative work has more points (the column holds up to 9,999.99)


def _not_found() -> DomainError:
    return DomainError("not_found", _("Not found."), status=404)


def period_of(class_subject: ClassSubject, day: date) -> StudyPeriod | None:
    return StudyPeriod.objects.filter(year_id=class_subject.school_class.year_id, kind=StudyPeriod.Kind.TERM,
                                      starts__lte=day, ends__gte=day).first()


def enrolled_pupils(class_subject: ClassSubject, day: date) -> set[int]:
    return set(Enrolment.objects.filter(Q(ends__isnull=True) | Q(ends__gt=day), school_class=class_subject.school_class,
                                        starts__lte=day).values_list("pupil_id", flat=True))


def _number(raw, field: str, errors: dict[str, str]) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        errors[field] = _("Enter a number.")
        return None
    if not value.is_finite():
        errors[field] = _("Enter a number.")
        return None
    return value


@dataclass
class _MarkIn:
    pupil: int
    kind: str
    value: Decimal | None
    max_points: Decimal | None
    missed: bool


@transaction.atomic
def lesson_save(
    *, class_subject: ClassSubject, day: date, number: int = 1, topic: str = "", marks: Iterable[Mapping[str, Any]] = (),
    attendance: Mapping[int, str | None] | None = None, by, request=None, rule_set: grading.RuleSet | None = None,
    period: StudyPeriod | None = None,
) -> Lesson:
    """Save one lesson: every mark and attendance entry is checked first; one bad entry rejects the
    whole request. Posting the same mark again updates it (one mark per pupil, lesson and kind).

    The returned lesson carries its state after the save — ``saved_marks`` (ordered by pupil and
    kind) and ``saved_attendance`` ({pupil: status}) — so callers answer without reading it again.
    ``period`` is the term of ``day`` when the caller has looked it up already."""
    if class_subject.teacher_id != getattr(by, "pk", None):
        raise _not_found()  # a teacher writes only in their own class-subjects
    errors: dict[str, str] = {}
    if day > timezone.localdate():
        errors["date"] = _("A lesson cannot be in the future.")
    if period is None or not (period.starts <= day <= period.ends):
        period = period_of(class_subject, day)
    if period is None:
        errors["date"] = _("The date is outside the terms of the school year.")
    if not 1 <= int(number) <= 12:
        errors["number"] = _("The lesson number is from 1 to 12.")
    grade = class_subject.school_class.grade
    if rule_set is None:
        try:
            rule_set = grading.rule_set_for(day)
        except grading.GradingError:
            errors["date"] = _("No assessment rules are in force on this date.")
            raise DomainError("invalid_lesson", _("The lesson has errors; nothing was saved."), fields=errors) from None
    enrolled = enrolled_pupils(class_subject, day)
    parsed: list[_MarkIn] = []
    for index, item in enumerate(marks):
        field = f"marks[{index}]"
        pupil, kind = item.get("pupil"), item.get("kind")
        if pupil not in enrolled:
            errors[f"{field}.pupil"] = _("This pupil is not in the class on this date.")
            continue
        if kind not in MarkKind.values:
            errors[f"{field}.kind"] = _("Unknown kind of mark.")
            continue
        if grade in rule_set.unmarked_grade_levels or grade == 0:
            errors[f"{field}.value"] = _("Pupils of this grade get no marks, only feedback.")
            continue
        value = _number(item.get("value"), f"{field}.value", errors)
        maximum = _number(item.get("max_points"), f"{field}.max_points", errors)
        missed = bool(item.get("missed", False))
        if kind == MarkKind.FORMATIVE and value is not None:
            low, high = rule_set.formative_min, rule_set.formative_max
            if not (low <= value <= high) or value != value.to_integral_value():
                errors[f"{field}.value"] = _("A formative mark is a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        if kind in SUMMATIVE and (value is not None or missed):
            if maximum is None or maximum <= 0:
                errors[f"{field}.max_points"] = _("Give the maximum points of the work.")
            elif maximum > MAX_POINTS:
                errors[f"{field}.max_points"] = _("The maximum points of a work are at most %(max)s.") % {"max": MAX_POINTS}
            elif value is not None and not (0 <= value <= maximum):
                errors[f"{field}.value"] = _("The points must be from 0 to the maximum (%(max)s).") % {"max": maximum}
        parsed.append(_MarkIn(pupil, kind, value, maximum, missed))
    statuses = dict(attendance or {})
    for pupil, status in statuses.items():
        if pupil not in enrolled:
            errors[f"attendance.{pupil}"] = _("This pupil is not in the class on this date.")
        elif status not in (None, "", "present") and status not in AttendanceStatus.values:
            errors[f"attendance.{pupil}"] = _("Unknown attendance mark.")
    if period is not None and any(m.kind == MarkKind.SECTION_SUMMATIVE and (m.value is not None or m.missed) for m in parsed):
        others = (Lesson.objects.filter(class_subject=class_subject, date__gte=period.starts, date__lte=period.ends,
                                        marks__kind=MarkKind.SECTION_SUMMATIVE)
                  .exclude(date=day, number=number).values("pk").distinct().count())
        if others >= rule_set.max_section_summatives:
            errors["marks"] = _("A term has at most %(n)s summative works for a section in this subject.") % {"n": rule_set.max_section_summatives}
    if errors:
        raise DomainError("invalid_lesson", _("The lesson has errors; nothing was saved."), fields=errors)

    lesson, _created = Lesson.objects.get_or_create(class_subject=class_subject, date=day, number=number, defaults={"topic": topic})
    if topic and lesson.topic != topic:
        lesson.topic = topic
        lesson.save(update_fields=["topic"])
    before, after = {}, {}
    existing = {(m.pupil_id, m.kind): m for m in Mark.objects.filter(lesson=lesson)
                .only("pupil_id", "kind", "value", "max_points", "missed", "updated_at")} if not _created else {}
    now = timezone.now()
    upsert, delete = [], []
    for m in parsed:
        row = existing.get((m.pupil, m.kind))
        key = f"{m.pupil}:{m.kind}"
        state = (m.value, m.max_points if m.kind in SUMMATIVE else None, m.missed)
        if m.value is None and not m.missed:
            if row is not None:
                delete.append(row.pk)
                before[key] = _state(row)
                after[key] = None
            continue
        if row is not None and (row.value, row.max_points, row.missed) == state:
            continue
        before[key], after[key] = (_state(row) if row is not None else None), _jsonable(state)
        upsert.append(Mark(lesson=lesson, pupil_id=m.pupil, kind=m.kind, value=state[0], max_points=state[1], missed=state[2],
                           updated_by=by, updated_at=now))
    # new and changed marks in one INSERT … ON CONFLICT DO UPDATE (the unique key: lesson, pupil, kind)
    Mark.objects.bulk_create(upsert, update_conflicts=True, unique_fields=["lesson", "pupil", "kind"],
                             update_fields=["value", "max_points", "missed", "updated_by", "updated_at"])
    Mark.objects.filter(pk__in=delete).delete()
    current = {a.pupil_id: a for a in Attendance.objects.filter(lesson=lesson).only("pupil_id", "status")} if not _created else {}
    absent_upsert, absent_delete, absent_delete_pupils = [], [], set()
    for pupil, status in statuses.items():
        row = current.get(pupil)
        status = None if status in (None, "", "present") else status
        if (row.status if row else None) == status:
            continue
        before[f"{pupil}:attendance"], after[f"{pupil}:attendance"] = (row.status if row else None), status
        if status is None:
            absent_delete.append(row.pk)
            absent_delete_pupils.add(pupil)
        else:
            absent_upsert.append(Attendance(lesson=lesson, pupil_id=pupil, status=status, updated_by=by, updated_at=now))
    Attendance.objects.bulk_create(absent_upsert, update_conflicts=True, unique_fields=["lesson", "pupil"],
                                   update_fields=["status", "updated_by", "updated_at"])
    Attendance.objects.filter(pk__in=absent_delete).delete()
    touched = {int(key.split(":")[0]) for key in after if not key.endswith(":attendance")}
    attendance_changed = _created or any(key.endswith(":attendance") for key in after)
    if touched or attendance_changed:
        signals.lesson_saved.send(sender=Lesson, class_subject_id=class_subject.pk, period_id=period.pk, pupils=touched,
                                  lesson_id=lesson.pk if attendance_changed else None)
    if before or after:
        audit_record(actor=by, action="journal.lesson_save", obj=lesson, org_unit=class_subject.school_class.school,
                     before=before, after=after, request=request)
    final = dict(existing)
    final.update({(m.pupil_id, m.kind): m for m in upsert})
    for row in existing.values():
        if row.pk in delete:
            del final[(row.pupil_id, row.kind)]
    lesson.saved_marks = [final[key] for key in sorted(final)]
    lesson.saved_attendance = {pupil: row.status for pupil, row in current.items() if pupil not in absent_delete_pupils}
    lesson.saved_attendance.update({row.pupil_id: row.status for row in absent_upsert})
    return lesson


def _jsonable(state) -> list:
    return [str(v) if isinstance(v, Decimal) else v for v in state]


def _state(mark: Mark) -> list:
    return _jsonable((mark.value, mark.max_points, mark.missed))


def term_input(class_subject: ClassSubject, marks: Iterable[Mark]) -> grading.TermInput:
    """The rule set's input from one pupil's marks of a term in a class-subject (in lesson order)."""
    formative, sections, term = [], [], None
    for mark in marks:
        if mark.kind == MarkKind.FORMATIVE and mark.value is not None:
            formative.append(mark.value)
        elif mark.kind == MarkKind.SECTION_SUMMATIVE:
            sections.append(grading.Score(mark.value, mark.max_points, missed=mark.missed))
        elif mark.kind == MarkKind.TERM_SUMMATIVE:
            term = grading.Score(mark.value, mark.max_points, missed=mark.missed)
    return grading.TermInput(grade_level=max(class_subject.school_class.grade, 1), formative=formative, section_summatives=sections,
                             term_summative=term, subject_rule=class_subject.subject.grading_rule or None)


def term_grade(*, pupil: Pupil, class_subject: ClassSubject, period: StudyPeriod, rule_set: grading.RuleSet | None = None) -> grading.TermResult:
    """The term grade of one pupil in one subject, computed from the journal by the rule set valid at
    the end of the term, with the explanation shown on the pupil's page."""
    rule_set = rule_set or grading.rule_set_for(period.ends)
    marks = (Mark.objects.filter(pupil=pupil, lesson__class_subject=class_subject, lesson__date__gte=period.starts,
                                 lesson__date__lte=period.ends).order_by("lesson__date", "lesson__number"))
    return grading.compute_term(rule_set, term_input(class_subject, marks))


# ---- the school's side: timetable → lessons, transfers ----

SCHOOL_ADMINS = (Role.ORG_HEAD,)


def _may_administer(user, school) -> bool:
    return Scope.of(user, SCHOOL_ADMINS).contains_path(school.path)


def school_days(start: date, end: date, weekday: int) -> list[date]:
    """The days of ``weekday`` (0 Monday … 5 Saturday) from ``start`` to ``end`` that are school days:
    public holidays and the days off moved by decree are not; Saturdays are (six-day schools)."""
    off = set(calendar.days_off(start, end))
    days, day = [], start + timedelta(days=(weekday - start.weekday()) % 7)
    while day <= end:
        if day not in off or (weekday == 5 and not calendar.is_holiday(day)):
            days.append(day)
        day += timedelta(days=7)
    return days


@transaction.atomic
def lessons_from_timetable(*, school_class: SchoolClass, period: StudyPeriod, by, request=None) -> int:
    """Create the lessons of a term from the class's weekly timetable: one per slot on every school
    day of the term. Lessons already there (added by a teacher, or a second run) are kept as they
    are. Returns the number of lessons created."""
    if not _may_administer(by, school_class.school):
        raise _not_found()
    if period.year_id != school_class.year_id:
        raise DomainError("invalid_period", _("The term is not of this class's school year."), fields={"period": _("The term is not of this class's school year.")})
    slots = list(TimetableSlot.objects.filter(class_subject__school_class=school_class))
    if not slots:
        raise DomainError("no_timetable", _("The class has no timetable yet."), fields={"timetable": _("The class has no timetable yet.")})
    existing = set(Lesson.objects.filter(class_subject__school_class=school_class, date__gte=period.starts, date__lte=period.ends)
                   .values_list("class_subject_id", "date", "number"))
    create = []
    for slot in slots:
        for day in school_days(period.starts, period.ends, slot.weekday):
            if (slot.class_subject_id, day, slot.number) not in existing:
                create.append(Lesson(class_subject_id=slot.class_subject_id, date=day, number=slot.number))
    Lesson.objects.bulk_create(create, batch_size=1000)
    audit_record(actor=by, action="journal.lessons_from_timetable", obj=school_class, org_unit=school_class.school,
                 after={"period": period.pk, "lessons": len(create)}, request=request)
    return len(create)


@transaction.atomic
def pupil_transfer(*, pupil: Pupil, to_class: SchoolClass, on: date, by, request=None) -> Enrolment:
    """Move a pupil to ``to_class`` from ``on``: the current enrolment ends that day and a new one
    starts. The receiving school's head does it (the order of admission). Marks already given in the
    old class stay there; marks on or after ``on`` in the old class would lose their pupil, so such
    a transfer is refused until they are moved or removed."""
    if not _may_administer(by, to_class.school):
        raise _not_found()
    errors: dict[str, str] = {}
    year = to_class.year
    if not (year.starts <= on <= year.ends):
        errors["on"] = _("The date must be within the school year %(year)s.") % {"year": year.code}
    current = (Enrolment.objects.select_for_update().filter(Q(ends__isnull=True) | Q(ends__gt=on), pupil=pupil, starts__lte=on)
               .select_related("school_class").first())
    if current is not None and current.school_class_id == to_class.pk:
        errors["to_class"] = _("The pupil is already in this class.")
    elif current is not None and current.starts >= on:
        errors["on"] = _("The pupil joined the current class on %(day)s; a transfer must come after it.") % {"day": current.starts.isoformat()}
    later = Enrolment.objects.filter(pupil=pupil, starts__gt=on).exists()
    if later:
        errors["on"] = _("The pupil already has an enrolment after this date.")
    if current is not None and "on" not in errors and Mark.objects.filter(
            pupil=pupil, lesson__class_subject__school_class=current.school_class, lesson__date__gte=on).exists():
        errors["on"] = _("The pupil has marks in class %(klass)s on or after this date.") % {"klass": str(current.school_class)}
    if errors:
        raise DomainError("invalid_transfer", _("The transfer has errors; nothing was saved."), fields=errors)
    if current is not None:
        current.ends = on
        current.save(update_fields=["ends"])
    enrolment = Enrolment.objects.create(pupil=pupil, school_class=to_class, starts=on)
    audit_record(actor=by, action="journal.pupil_transfer", obj=pupil, org_unit=to_class.school,
                 before={"class": current.school_class_id if current else None},
                 after={"class": to_class.pk, "on": on.isoformat()}, request=request)
    return enrolment


# ---- parents (J2): a parent asks for a link to a child; the child's school confirms it ----

PARENT_LINK_DECIDERS = (Role.ORG_HEAD,)


def _school_of(pupil: Pupil, day: date | None = None):
    """The school the pupil is enrolled in on ``day`` (today by default), or None."""
    day = day or timezone.localdate()
    enrolment = (Enrolment.objects.filter(Q(ends__isnull=True) | Q(ends__gt=day), pupil=pupil, starts__lte=day)
                 .select_related("school_class__school").order_by("-starts").first())
    return enrolment.school_class.school if enrolment else None


@transaction.atomic
def parent_link_request(*, parent, iin: str, birth_date: date | None, request=None) -> ParentLink:
    """A parent asks to follow a child, naming the child's IIN and date of birth. The link stays
    pending, and shows nothing, until the child's school confirms it. A wrong pair of IIN and birth
    date gets the same answer as an unknown IIN: the form must not tell who studies where."""
    errors: dict[str, str] = {}
    iin = (iin or "").strip()
    if not (len(iin) == 12 and iin.isdigit()):
        errors["iin"] = _("The IIN is 12 digits.")
    elif not is_valid_iin(iin):
        errors["iin"] = _("This IIN is not valid: its check digit does not match. Check the digits.")
    if birth_date is None:
        errors["birth_date"] = _("Give the child's date of birth.")
    if errors:
        raise DomainError("invalid_link", _("The request has errors; nothing was saved."), fields=errors)
    pupil = Pupil.objects.filter(iin=iin, birth_date=birth_date).first()
    school = _school_of(pupil) if pupil else None
    if pupil is None or school is None:
        raise DomainError("invalid_link", _("No pupil with this IIN and date of birth is enrolled in a school."),
                          fields={"iin": _("No pupil with this IIN and date of birth is enrolled in a school.")})
    link, created = ParentLink.objects.get_or_create(parent=parent, pupil=pupil)
    if not created:
        raise DomainError("duplicate_link", _("You have already asked for this child."), fields={"iin": _("You have already asked for this child.")}, status=409)
    audit_record(actor=parent, action="journal.parent_link_request", obj=link, org_unit=school, after={"pupil": pupil.pk}, request=request)
    return link


def can_decide_link(user, link: ParentLink) -> bool:
    school = _school_of(link.pupil)
    return school is not None and Scope.of(user, PARENT_LINK_DECIDERS).contains_path(school.path)


@transaction.atomic
def parent_link_decide(*, link: ParentLink, approve: bool, by, request=None) -> ParentLink | None:
    """The school confirms a pending link, or rejects it (the request is deleted). Only the head of
    the child's current school (or someone above) decides; anyone else gets 404."""
    link = ParentLink.objects.select_for_update().select_related("pupil").get(pk=link.pk)
    if not can_decide_link(by, link):
        raise _not_found()
    school = _school_of(link.pupil)
    if link.confirmed:
        raise DomainError("already_confirmed", _("This link is already confirmed."), status=409)
    if approve:
        link.confirmed_by, link.confirmed_at = by, timezone.now()
        link.save(update_fields=["confirmed_by", "confirmed_at"])
        audit_record(actor=by, action="journal.parent_link_confirm", obj=link, org_unit=school,
                     after={"parent": link.parent_id, "pupil": link.pupil_id}, request=request)
        return link
    audit_record(actor=by, action="journal.parent_link_reject", obj=link, org_unit=school,
                 before={"parent": link.parent_id, "pupil": link.pupil_id}, request=request)
    link.delete()
    return None


def parent_visit(*, link: ParentLink) -> datetime | None:
    """Record a visit of the child's page; return the previous visit (what changed since then is
    highlighted). Not audited: it is the parent's own reading, not a change of the journal."""
    now = timezone.now()
    previous = link.seen_at
    ParentLink.objects.filter(pk=link.pk).update(seen_before=previous, seen_at=now)
    link.seen_before, link.seen_at = previous, now
    return previous
