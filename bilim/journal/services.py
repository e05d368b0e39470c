"""Writes of the journal: a whole lesson (marks and attendance of every pupil) in one request, all
or nothing, upserted and audited; and the term grade computed by the versioned rule set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core.audit import audit_record
from bilim.core.errors import DomainError
from bilim.core.models import Role
from bilim.core.scope import Scope

from . import grading
from .models import Attendance, AttendanceStatus, ClassSubject, Enrolment, Lesson, Mark, MarkKind, ParentLink, Pupil, StudyPeriod

SUMMATIVE = (MarkKind.SECTION_SUMMATIVE, MarkKind.TERM_SUMMATIVE)


def _not_found() -> DomainError:
    return DomainError("not_found", _("Not found."), status=404)


def period_of(class_subject: ClassSubject, day: date) -> StudyPeriod | None:
    return StudyPeriod.objects.filter(year=class_subject.school_class.year, kind=StudyPeriod.Kind.TERM,
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
) -> Lesson:
    """Save one lesson: every mark and attendance entry is checked first; one bad entry rejects the
    whole request. Posting the same mark again updates it (one mark per pupil, lesson and kind)."""
    if class_subject.teacher_id != getattr(by, "pk", None):
        raise _not_found()  # a teacher writes only in their own class-subjects
    errors: dict[str, str] = {}
    if day > timezone.localdate():
        errors["date"] = _("A lesson cannot be in the future.")
    period = period_of(class_subject, day)
    if period is None:
        errors["date"] = _("The date is outside the terms of the school year.")
    if not 1 <= int(number) <= 12:
        errors["number"] = _("The lesson number is from 1 to 12.")
    grade = class_subject.school_class.grade
    rule_set = rule_set or grading.rule_set_for(day)
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
    existing = {(m.pupil_id, m.kind): m for m in Mark.objects.filter(lesson=lesson)}
    now = timezone.now()
    create, update, delete = [], [], []
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
        if row is None:
            create.append(Mark(lesson=lesson, pupil_id=m.pupil, kind=m.kind, value=state[0], max_points=state[1], missed=state[2],
                               updated_by=by, updated_at=now))
            before[key], after[key] = None, _jsonable(state)
        elif (row.value, row.max_points, row.missed) != state:
            before[key], after[key] = _state(row), _jsonable(state)
            row.value, row.max_points, row.missed, row.updated_by, row.updated_at = *state, by, now
            update.append(row)
    Mark.objects.bulk_create(create)
    Mark.objects.bulk_update(update, ["value", "max_points", "missed", "updated_by", "updated_at"])
    Mark.objects.filter(pk__in=delete).delete()
    current = {a.pupil_id: a for a in Attendance.objects.filter(lesson=lesson)}
    for pupil, status in statuses.items():
        row = current.get(pupil)
        status = None if status in (None, "", "present") else status
        if row is not None and status is None:
            before[f"{pupil}:attendance"], after[f"{pupil}:attendance"] = row.status, None
            row.delete()
        elif row is None and status is not None:
            Attendance.objects.create(lesson=lesson, pupil_id=pupil, status=status, updated_by=by, updated_at=now)
            before[f"{pupil}:attendance"], after[f"{pupil}:attendance"] = None, status
        elif row is not None and row.status != status:
            before[f"{pupil}:attendance"], after[f"{pupil}:attendance"] = row.status, status
            row.status, row.updated_by, row.updated_at = status, by, now
            row.save(update_fields=["status", "updated_by", "updated_at"])
    if before or after:
        audit_record(actor=by, action="journal.lesson_save", obj=lesson, org_unit=class_subject.school_class.school,
                     before=before, after=after, request=request)
    return lesson


def _jsonable(state) -> list:
    return [str(v) if isinstance(v, Decimal) else v for v in state]


def _state(mark: Mark) -> list:
    return _jsonable((mark.value, mark.max_points, mark.missed))


def term_grade(*, pupil: Pupil, class_subject: ClassSubject, period: StudyPeriod, rule_set: grading.RuleSet | None = None) -> grading.TermResult:
    """The term grade of one pupil in one subject, computed from the journal by the rule set valid at
    the end of the term, with the explanation shown on the pupil's page."""
    rule_set = rule_set or grading.rule_set_for(period.ends)
    marks = (Mark.objects.filter(pupil=pupil, lesson__class_subject=class_subject, lesson__date__gte=period.starts,
                                 lesson__date__lte=period.ends).order_by("lesson__date", "lesson__number"))
    formative, sections, term = [], [], None
    for mark in marks:
        if mark.kind == MarkKind.FORMATIVE and mark.value is not None:
            formative.append(mark.value)
        elif mark.kind == MarkKind.SECTION_SUMMATIVE:
            sections.append(grading.Score(mark.value, mark.max_points, missed=mark.missed))
        elif mark.kind == MarkKind.TERM_SUMMATIVE:
            term = grading.Score(mark.value, mark.max_points, missed=mark.missed)
    return grading.compute_term(rule_set, grading.TermInput(
        grade_level=max(class_subject.school_class.grade, 1), formative=formative, section_summatives=sections,
        term_summative=term, subject_rule=class_subject.subject.grading_rule or None,
    ))


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
