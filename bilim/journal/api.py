"""Journal API: what school systems, teachers' apps and parents' apps use to read a class-subject's
journal of a term, write a whole lesson (marks and attendance, all or nothing), and read a child's
term. Scoped like the pages: whatever the caller may not see is a 404."""


import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from bilim.core.api import ERRORS, ErrorOut, Pagination
from bilim.core.errors import DomainError

from . import cells, grading, selectors, services
from .models import AttendanceStatus, ClassSubject, MarkKind, StudyPeriod

router = Router(tags=["journal"])
ID = Path(..., ge=1, le=2**62)
WRITE_ERRORS = {**ERRORS, 403: ErrorOut, 409: ErrorOut}  # 403: a browser session without its CSRF token
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refused here (422), not in the database (500)


def _decimal_text(value) -> str | None:
    """A stored number as a plain decimal string ("8", "12.5")."""
    if value is None:
        return None
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


# --- schemas -----------------------------------------------------------------------------------------

class ClassSubjectOut(Schema):
    id: int
    school_id: int
    school_name: str
    year: str
    class_id: int
    grade: int
    letter: str
    subject_code: str
    subject_name: str
    teacher_name: str
    can_write: bool = Field(description="Only the subject's teacher writes; heads and officers read")


def _class_subject(user, cs: ClassSubject) -> ClassSubjectOut:
    klass = cs.school_class
    return ClassSubjectOut(id=cs.pk, school_id=klass.school_id, school_name=klass.school.name, year=klass.year.code, class_id=klass.pk,
                           grade=klass.grade, letter=klass.letter, subject_code=cs.subject.code, subject_name=cs.subject.name,
                           teacher_name=cs.teacher.full_name, can_write=selectors.can_write(user, cs))


class ClassSubjectFilter(Schema):
    school: int | None = Field(None, ge=1, le=2**62, description="Only the class-subjects of this school")
    year: str | None = Field(None, max_length=9, pattern=r"^\d{4}-\d{4}$", description="A school year, e.g. 2025-2026")


class TermOut(Schema):
    id: int
    number: int
    starts: dt.date
    ends: dt.date


def _term(t: StudyPeriod) -> TermOut:
    return TermOut(id=t.pk, number=t.number, starts=t.starts, ends=t.ends)


class TermQuery(Schema):
    term: int | None = Field(None, ge=1, le=12, description="The term's number in the school year; default: the term under way, "
                                                             "else the latest that has started")


class SpanOut(Schema):
    starts: dt.date
    ends: dt.date | None = Field(description="Exclusive; null: still in the class")


class GridPupilOut(Schema):
    id: int
    last_name: str
    first_name: str
    patronymic: str
    enrolled: list[SpanOut]


class MarkOut(Schema):
    pupil: int
    kind: MarkKind
    value: str | None = Field(description="A formative mark 1–10, or the points of a summative work, as a decimal string")
    max_points: str | None
    missed: bool = Field(description="The pupil did not write the summative work (writes it later)")
    updated_at: dt.datetime


class LessonOut(Schema):
    id: int
    date: dt.date
    number: int
    topic: str
    marks: list[MarkOut]
    attendance: dict[str, AttendanceStatus] = Field(description="pupil id → status; a pupil not listed was present")


class GradeOut(Schema):
    kind: str = Field(description="mark, not_assessed (a summative work missed), insufficient, no_marks_grade_1, "
                                  "or error (the rule set cannot grade this input)")
    mark: int | None
    percent: str | None = Field(description="The rounded weighted percentage the mark was looked up with")
    explanation: list[str] = Field(description="How the grade was computed, line by line, in the caller's language")


def _grade(result: grading.TermResult | None, reason: str = "") -> GradeOut:
    if result is None:
        return GradeOut(kind="error", mark=None, percent=None, explanation=[reason] if reason else [])
    return GradeOut(kind=result.kind, mark=result.mark, percent=_decimal_text(result.rounded_percent), explanation=list(result.explanation))


class PupilGradeOut(GradeOut):
    pupil: int


class GridOut(Schema):
    class_subject: ClassSubjectOut
    term: TermOut
    terms: list[TermOut]
    pupils: list[GridPupilOut]
    lessons: list[LessonOut]
    term_grades: list[PupilGradeOut] = Field(description="Each pupil's term grade so far, by the rule set in force")


class MarkIn(Schema):
    pupil: int = Field(..., ge=1, le=2**62)
    kind: MarkKind
    value: float | None = Field(None, ge=0, le=1000, description="A formative mark 1–10 (whole), or summative points (at most 2 "
                                                                  "decimals); null with missed=false removes the mark")
    max_points: float | None = Field(None, ge=0, le=1000, description="The maximum points of a summative work")
    missed: bool = False


class LessonIn(Schema):
    date: dt.date
    number: int = Field(1, ge=1, le=12, description="The lesson of the day")
    topic: str = Field("", max_length=300, pattern=NO_NUL)
    marks: list[MarkIn] = Field(default_factory=list, max_length=500)
    attendance: dict[str, Literal["absent", "sick", "excused", "late", "present"] | None] = Field(
        default_factory=dict, description="pupil id → absent, sick, excused, late; present or null removes an entry")


class ChildOut(Schema):
    pupil_id: int
    last_name: str
    first_name: str
    class_name: str | None
    school_name: str | None
    own: bool = Field(description="The caller's own pupil record (not a child)")


class LinkRequestIn(Schema):
    iin: str = Field(..., min_length=12, max_length=12, pattern=r"^[0-9]{12}$", description="The child's IIN")
    birth_date: dt.date


class LinkOut(Schema):
    id: int
    pupil_id: int
    requested_at: dt.datetime
    confirmed: bool


class ReportMarkOut(Schema):
    date: dt.date
    lesson_number: int
    kind: MarkKind
    value: str | None
    max_points: str | None
    missed: bool
    new: bool = Field(description="Changed after the parent's previous visit")


class AttendanceEntryOut(Schema):
    date: dt.date
    lesson_number: int
    status: AttendanceStatus


class YearGradeOut(Schema):
    kind: str = Field(description="mark or no_mark")
    mark: int | None
    explanation: list[str]


class SubjectReportOut(Schema):
    class_subject_id: int
    subject_code: str
    subject_name: str
    teacher_name: str
    marks: list[ReportMarkOut]
    term_grade: GradeOut
    year_grade: YearGradeOut | None = Field(description="Once every term of the school year has ended")
    attendance: dict[str, int] = Field(description="status → lessons")
    new_attendance: list[AttendanceEntryOut]


class ReportQuery(TermQuery):
    year: int | None = Field(None, ge=1, le=2**62, description="The school year's id; default: the pupil's current one")


class ReportOut(Schema):
    pupil_id: int
    last_name: str
    first_name: str
    class_name: str | None
    school_name: str | None
    year: str | None
    term: TermOut | None
    terms: list[TermOut]
    since: dt.datetime | None = Field(description="The parent's previous visit: what changed after it is new")
    new_count: int
    attendance: dict[str, int]
    subjects: list[SubjectReportOut]


class PendingLinkOut(Schema):
    id: int
    parent_name: str
    parent_iin: str
    pupil_id: int
    pupil_name: str
    class_name: str | None
    requested_at: dt.datetime


class DecisionIn(Schema):
    approve: bool


class DecisionOut(Schema):
    id: int
    confirmed: bool = Field(description="true: confirmed; false: rejected (the request is deleted)")


# --- class-subjects and the grid -----------------------------------------------------------------

@router.get("/class-subjects", response={200: list[ClassSubjectOut], **ERRORS},
            summary="Class-subjects the caller teaches, and those of the schools they read")
@paginate(Pagination)
def class_subjects(request, filters: Query[ClassSubjectFilter]):
    user = request.user
    qs = selectors.class_subjects_readable(user)
    if filters.school is not None:
        qs = qs.filter(school_class__school_id=filters.school)
    if filters.year is not None:
        qs = qs.filter(school_class__year__code=filters.year)
    rows = qs.order_by("school_class__year__starts", "school_class__school_id", "school_class__grade", "school_class__letter", "subject__code", "pk")
    return [_class_subject(user, cs) for cs in rows]


def _lesson_out(lesson, marks, attendance) -> LessonOut:
    return LessonOut(
        id=lesson.pk, date=lesson.date, number=lesson.number, topic=lesson.topic,
        marks=[MarkOut(pupil=m.pupil_id, kind=m.kind, value=_decimal_text(m.value), max_points=_decimal_text(m.max_points), missed=m.missed,
                       updated_at=m.updated_at) for m in marks],
        attendance={str(pupil): status for pupil, status in attendance},
    )


@router.get("/class-subjects/{class_subject_id}/grid", response={200: GridOut, **ERRORS},
            summary="The journal of a term: pupils, lessons with marks and attendance, term grades so far")
def grid(request, filters: Query[TermQuery], class_subject_id: int = ID):
    user = request.user
    cs = selectors.class_subject_get(user, class_subject_id)
    terms = selectors.terms_of(cs.school_class.year)
    term = selectors.term_choose(terms, filters.term)
    g = selectors.journal_grid(user, cs, term, terms)
    lessons = []
    for column in g.lessons:
        lesson = column.lesson
        marks = [mark for entry in g.pupils for mark in g.marks.get((lesson.pk, entry.pupil.pk), {}).values()]
        attendance = [(entry.pupil.pk, g.attendance[(lesson.pk, entry.pupil.pk)]) for entry in g.pupils
                      if (lesson.pk, entry.pupil.pk) in g.attendance]
        lessons.append(_lesson_out(lesson, marks, attendance))
    pupils = [GridPupilOut(id=e.pupil.pk, last_name=e.pupil.last_name, first_name=e.pupil.first_name, patronymic=e.pupil.patronymic,
                           enrolled=[SpanOut(starts=s, ends=x) for s, x in e.spans]) for e in g.pupils]
    grades = [PupilGradeOut(pupil=e.pupil.pk, **_grade(g.grades.get(e.pupil.pk), g.grade_errors.get(e.pupil.pk, "")).model_dump()) for e in g.pupils]
    return GridOut(class_subject=_class_subject(user, cs), term=_term(term), terms=[_term(t) for t in terms], pupils=pupils,
                   lessons=lessons, term_grades=grades)


def _number_in(value: float | None, field: str, errors: dict[str, str]) -> str | None:
    if value is None:
        return None
    text = format(Decimal(repr(value)), "f")
    problem = cells.decimal_error(text)
    if problem:
        errors[field] = problem
    return text


@router.put("/class-subjects/{class_subject_id}/lessons", response={200: LessonOut, 400: ErrorOut, **WRITE_ERRORS},
            summary="Save a whole lesson: its marks and attendance, all or nothing (the same date and number again updates it)")
def lesson_put(request, payload: LessonIn, class_subject_id: int = ID):
    user = request.user
    cs = selectors.class_subject_for_writing(user, class_subject_id)  # heads and officers read, never write: 404
    errors: dict[str, str] = {}
    marks = []
    for index, item in enumerate(payload.marks):
        marks.append({"pupil": item.pupil, "kind": item.kind.value, "missed": item.missed,
                      "value": _number_in(item.value, f"marks[{index}].value", errors),
                      "max_points": _number_in(item.max_points, f"marks[{index}].max_points", errors)})
    attendance: dict[int, str | None] = {}
    for key, status in payload.attendance.items():
        if not (key.isascii() and key.isdigit()) or len(key) > 18:
            errors[f"attendance.{key}"] = _("This pupil is not in the class on this date.")
            continue
        attendance[int(key)] = status
    period = services.period_of(cs, payload.date)
    if period is None:
        errors["date"] = _("The date is outside the terms of the school year.")
    if errors:
        raise DomainError("invalid_lesson", _("The lesson has errors; nothing was saved."), fields=errors)
    lesson = services.lesson_save(class_subject=cs, day=payload.date, number=payload.number, topic=payload.topic, marks=marks,
                                  attendance=attendance, by=user, request=request, period=period)
    return _lesson_out(lesson, lesson.saved_marks, sorted(lesson.saved_attendance.items()))


# --- parents --------------------------------------------------------------------------------------

@router.get("/children", response={200: list[ChildOut], **ERRORS}, summary="The caller's children (confirmed links) and own pupil record")
def children(request):
    user = request.user
    links = list(selectors.children_links(user))
    own = selectors.own_pupil(user)
    pupils = [link.pupil for link in links] + ([own] if own and own.pk not in {link.pupil_id for link in links} else [])
    classes = selectors.classes_of(pupils)
    out = []
    for pupil in pupils:
        klass = classes.get(pupil.pk)
        out.append(ChildOut(pupil_id=pupil.pk, last_name=pupil.last_name, first_name=pupil.first_name,
                            class_name=f"{klass.grade} {klass.letter}" if klass else None, school_name=klass.school.name if klass else None,
                            own=own is not None and pupil.pk == own.pk))
    return out


@router.post("/children/requests", response={201: LinkOut, 400: ErrorOut, **WRITE_ERRORS},
             summary="Ask for a link to a child (IIN and date of birth); the school confirms it")
def link_request(request, payload: LinkRequestIn):
    link = services.parent_link_request(parent=request.user, iin=payload.iin, birth_date=payload.birth_date, request=request)
    return Status(201, LinkOut(id=link.pk, pupil_id=link.pupil_id, requested_at=link.requested_at, confirmed=link.confirmed))


@router.get("/children/{pupil_id}/report", response={200: ReportOut, **ERRORS},
            summary="A child's term: marks per subject, term grade and how it was computed, year grade, attendance")
def child_report(request, filters: Query[ReportQuery], pupil_id: int = ID):
    user = request.user
    _pupil, link = selectors.child_get(user, pupil_id)
    since = link.seen_at if link is not None else None  # reading through the API is not a visit of the page
    report = selectors.pupil_report(user, pupil_id, year_id=filters.year, term_number=filters.term, since=since)
    klass = report.school_class
    subjects = []
    for s in report.subjects:
        cs = s.class_subject
        year = (YearGradeOut(kind=s.year.kind, mark=s.year.mark, explanation=list(s.year.explanation)) if s.year is not None else None)
        subjects.append(SubjectReportOut(
            class_subject_id=cs.pk, subject_code=cs.subject.code, subject_name=cs.subject.name, teacher_name=cs.teacher.full_name,
            marks=[ReportMarkOut(date=m.date, lesson_number=m.mark.lesson.number, kind=m.mark.kind, value=_decimal_text(m.mark.value),
                                 max_points=_decimal_text(m.mark.max_points), missed=m.mark.missed, new=m.is_new) for m in s.marks],
            term_grade=_grade(s.grade, s.grade_error), year_grade=year, attendance={k: v for k, v in s.attendance.items() if v},
            new_attendance=[AttendanceEntryOut(date=a.lesson.date, lesson_number=a.lesson.number, status=a.status) for a in s.new_attendance],
        ))
    return ReportOut(
        pupil_id=report.pupil.pk, last_name=report.pupil.last_name, first_name=report.pupil.first_name,
        class_name=f"{klass.grade} {klass.letter}" if klass else None, school_name=klass.school.name if klass else None,
        year=report.year.code if report.year else None, term=_term(report.term) if report.term else None,
        terms=[_term(t) for t in report.terms], since=report.since, new_count=report.new_count,
        attendance=dict(report.attendance), subjects=subjects,
    )


# --- the school: parent link requests -------------------------------------------------------------

@router.get("/links/pending", response={200: list[PendingLinkOut], **ERRORS},
            summary="Parent link requests waiting for the caller's school (heads of schools)")
def links_pending(request):
    pending = list(selectors.pending_links(request.user)[:500])
    classes = selectors.classes_of([link.pupil for link in pending])
    out = []
    for link in pending:
        klass = classes.get(link.pupil_id)
        out.append(PendingLinkOut(id=link.pk, parent_name=link.parent.full_name, parent_iin=link.parent.iin, pupil_id=link.pupil_id,
                                  pupil_name=link.pupil.full_name, class_name=f"{klass.grade} {klass.letter}" if klass else None,
                                  requested_at=link.requested_at))
    return out


@router.post("/links/{link_id}/decide", response={200: DecisionOut, 400: ErrorOut, **WRITE_ERRORS},
             summary="Confirm (approve=true) or reject a parent's link request")
def link_decide(request, payload: DecisionIn, link_id: int = ID):
    link = selectors.link_for_decision(request.user, link_id)
    result = services.parent_link_decide(link=link, approve=payload.approve, by=request.user, request=request)
    return DecisionOut(id=link_id, confirmed=result is not None)
