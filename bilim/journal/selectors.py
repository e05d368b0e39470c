"""Every read of the journal, taking the acting user and filtering through ``core.scope``: whatever
the user may not see is a 404, the same answer as "does not exist".

Who reads what:

* a teacher: the class-subjects they teach (``ClassSubject.teacher``), and only those they write in;
* the head of a school and the officers above (``READER_ROLES``): the journals of the schools in
  their scope, read-only;
* a parent: the children of their CONFIRMED links (``ParentLink.confirmed_at``); a pupil with an
  account: their own page;
* the head of a school: the pending parent links of the pupils enrolled in the school today."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core.models import Level, OrgUnit, Role, User
from bilim.core.scope import Scope

from . import grading, services
from .models import (Attendance, AttendanceStatus, ClassSubject, Enrolment, Lesson, Mark, MarkKind, ParentLink, Pupil,
                     SchoolClass, SchoolYear, StudyPeriod)

# Roles that read (never write) the journals of the schools in their scope.
READER_ROLES = (Role.ORG_HEAD, Role.DISTRICT_OFFICER, Role.REGION_OFFICER, Role.MINISTRY_OFFICER)
SUMMATIVE = (MarkKind.SECTION_SUMMATIVE, MarkKind.TERM_SUMMATIVE)


def _404() -> Http404:
    return Http404(_("Not found."))


def today() -> date:
    return timezone.localdate()


# --- school years and terms --------------------------------------------------------------------------

def current_year(day: date | None = None) -> SchoolYear | None:
    """The school year under way on ``day`` (today), else the latest one that has started, else the
    first one there is."""
    day = day or today()
    return (SchoolYear.objects.filter(starts__lte=day).order_by("-starts").first()
            or SchoolYear.objects.order_by("starts").first())


def terms_of(year: SchoolYear) -> list[StudyPeriod]:
    return list(StudyPeriod.objects.filter(year=year, kind=StudyPeriod.Kind.TERM).order_by("number"))


def term_choose(terms: list[StudyPeriod], number: int | None, day: date | None = None) -> StudyPeriod:
    """The term ``number`` of the list (404 when there is no such term); without a number the term
    under way, else the latest one that has started, else the first."""
    if not terms:
        raise _404()
    if number is not None:
        for term in terms:
            if term.number == number:
                return term
        raise _404()
    day = day or today()
    started = [term for term in terms if term.starts <= day]
    return started[-1] if started else terms[0]


# --- class-subjects: the teacher's own, and the schools' journals for readers ------------------------

def _class_subjects() -> QuerySet[ClassSubject]:
    return ClassSubject.objects.select_related("school_class", "school_class__school", "school_class__year", "subject", "teacher")


def class_subjects_taught(user: User, year: SchoolYear | None = None) -> QuerySet[ClassSubject]:
    """The class-subjects the user teaches (in ``year``, when given)."""
    if not user.is_authenticated:
        return ClassSubject.objects.none()
    qs = _class_subjects().filter(teacher=user)
    if year is not None:
        qs = qs.filter(school_class__year=year)
    return qs.order_by("school_class__grade", "school_class__letter", "subject__code")


def teacher_years(user: User) -> list[SchoolYear]:
    """The school years in which the user teaches, newest first."""
    if not user.is_authenticated:
        return []
    return list(SchoolYear.objects.filter(classes__subjects__teacher=user).distinct().order_by("-starts"))


def class_subjects_readable(user: User) -> QuerySet[ClassSubject]:
    """Own class-subjects, and every class-subject of the schools in the user's reader scope."""
    if not user.is_authenticated:
        return ClassSubject.objects.none()
    return _class_subjects().filter(Q(teacher=user) | Scope.of(user, READER_ROLES).q("school_class__school"))


def class_subject_get(user: User, pk: int) -> ClassSubject:
    cs = class_subjects_readable(user).filter(pk=pk).first()
    if cs is None:
        raise _404()
    return cs


def class_subject_for_writing(user: User, pk: int) -> ClassSubject:
    """A class-subject its own teacher writes to, in one query. Anyone else gets 404, as for a
    journal they cannot see: heads and officers read journals, never write them."""
    found = list(ClassSubject.objects.select_related("school_class", "school_class__school", "subject")
                 .filter(pk=pk, teacher_id=user.pk)[:1]) if user.is_authenticated else []
    if not found:
        raise _404()
    return found[0]


def can_write(user: User, class_subject: ClassSubject) -> bool:
    """Only the subject's own teacher writes its journal (heads and officers read it)."""
    return user.is_authenticated and class_subject.teacher_id == user.pk


def schools_readable(user: User) -> QuerySet[OrgUnit]:
    """The organizations whose journals the user reads (the whole subtree for an officer)."""
    return OrgUnit.objects.filter(Scope.of(user, READER_ROLES).q(), level=Level.ORGANIZATION)


def schools_headed(user: User) -> list[OrgUnit]:
    """The organizations the user heads (the roots of their ORG_HEAD scope)."""
    roots = Scope.of(user, [Role.ORG_HEAD]).roots
    return list(OrgUnit.objects.filter(path__in=roots, level=Level.ORGANIZATION).order_by("path")) if roots else []


def school_get(user: User, unit_id: int) -> OrgUnit:
    school = schools_readable(user).filter(pk=unit_id).first()
    if school is None:
        raise _404()
    return school


def school_years(school: OrgUnit) -> list[SchoolYear]:
    return list(SchoolYear.objects.filter(classes__school=school).distinct().order_by("-starts"))


def school_class_subjects(user: User, school: OrgUnit, year: SchoolYear | None) -> QuerySet[ClassSubject]:
    """The class-subjects of a school the user reads (404 outside the scope), in ``year``."""
    school = school_get(user, school.pk)
    qs = _class_subjects().filter(school_class__school=school)
    if year is not None:
        qs = qs.filter(school_class__year=year)
    return qs.order_by("school_class__grade", "school_class__letter", "subject__code")


# --- the journal grid ---------------------------------------------------------------------------------

@dataclass
class GridPupil:
    pupil: Pupil
    spans: list[tuple[date, date | None]]  # enrolments in the class: [starts, ends)

    def enrolled_on(self, day: date) -> bool:
        return any(starts <= day and (ends is None or day < ends) for starts, ends in self.spans)


@dataclass
class GridLesson:
    lesson: Lesson
    kind: str                        # the kind of mark the column holds
    max_points: object = None        # the maximum of a summative column (Decimal) or None


@dataclass
class JournalGrid:
    class_subject: ClassSubject
    term: StudyPeriod
    terms: list[StudyPeriod]
    editable: bool
    pupils: list[GridPupil]
    lessons: list[GridLesson]
    marks: dict[tuple[int, int], dict[str, Mark]]          # (lesson id, pupil id) → kind → mark
    attendance: dict[tuple[int, int], str]                 # (lesson id, pupil id) → status
    grades: dict[int, grading.TermResult | None]           # pupil id → term grade so far
    grade_errors: dict[int, str] = field(default_factory=dict)


def enrolled_in_term(school_class: SchoolClass, term: StudyPeriod) -> list[GridPupil]:
    """Pupils enrolled in the class at any time during the term, with their spans, by name."""
    rows = (Enrolment.objects.filter(Q(ends__isnull=True) | Q(ends__gt=term.starts), school_class=school_class, starts__lte=term.ends)
            .select_related("pupil").order_by("pupil__last_name", "pupil__first_name", "pupil_id", "starts"))
    pupils: dict[int, GridPupil] = {}
    for row in rows:
        entry = pupils.setdefault(row.pupil_id, GridPupil(row.pupil, []))
        entry.spans.append((row.starts, row.ends))
    return list(pupils.values())


def term_grade_safe(pupil: Pupil, class_subject: ClassSubject, term: StudyPeriod,
                    marks: list[Mark] | None = None) -> tuple[grading.TermResult | None, str]:
    """``services.term_grade`` (from ``marks`` when they are already read: the pupil's marks of the
    term in lesson order), or None and the reason when the rule set cannot grade this input."""
    try:
        if marks is None:
            return services.term_grade(pupil=pupil, class_subject=class_subject, period=term), ""
        return grading.compute_term(grading.rule_set_for(term.ends), services.term_input(class_subject, marks)), ""
    except grading.GradingError as error:
        return None, error.message


def column_kind(marks: list[Mark]) -> tuple[str, object]:
    """A lesson column holds one kind of mark: the summative kind when the lesson has summative
    marks, else formative; with the maximum points of the summative work."""
    for kind in (MarkKind.TERM_SUMMATIVE, MarkKind.SECTION_SUMMATIVE):
        of_kind = [m for m in marks if m.kind == kind]
        if of_kind:
            maximum = next((m.max_points for m in of_kind if m.max_points is not None), None)
            return kind, maximum
    return MarkKind.FORMATIVE, None


def journal_grid(user: User, class_subject: ClassSubject, term: StudyPeriod, terms: list[StudyPeriod] | None = None,
                 with_grades: bool = True) -> JournalGrid:
    """The class × lessons of the term: pupils enrolled during the term, the lessons by date and
    number, their marks and attendance (no row: present), and each pupil's term grade so far."""
    class_subject = class_subject_get(user, class_subject.pk)
    if term.year_id != class_subject.school_class.year_id:
        raise _404()
    pupils = enrolled_in_term(class_subject.school_class, term)
    lessons = list(Lesson.objects.filter(class_subject=class_subject, date__gte=term.starts, date__lte=term.ends).order_by("date", "number"))
    ids = [lesson.pk for lesson in lessons]
    marks: dict[tuple[int, int], dict[str, Mark]] = defaultdict(dict)
    by_lesson: dict[int, list[Mark]] = defaultdict(list)
    for mark in Mark.objects.filter(lesson_id__in=ids):
        marks[(mark.lesson_id, mark.pupil_id)][mark.kind] = mark
        by_lesson[mark.lesson_id].append(mark)
    attendance = {(a.lesson_id, a.pupil_id): a.status for a in Attendance.objects.filter(lesson_id__in=ids)}
    columns = [GridLesson(lesson, *column_kind(by_lesson.get(lesson.pk, []))) for lesson in lessons]
    grades, errors = {}, {}
    if with_grades:
        for entry in pupils:
            own = [marks[(lesson.pk, entry.pupil.pk)][kind] for lesson in lessons for kind in MarkKind.values
                   if kind in marks.get((lesson.pk, entry.pupil.pk), {})]
            grades[entry.pupil.pk], reason = term_grade_safe(entry.pupil, class_subject, term, own)
            if reason:
                errors[entry.pupil.pk] = reason
    return JournalGrid(class_subject=class_subject, term=term, terms=terms if terms is not None else terms_of(class_subject.school_class.year),
                       editable=can_write(user, class_subject), pupils=pupils, lessons=columns, marks=dict(marks),
                       attendance=attendance, grades=grades, grade_errors=errors)


def term_grades(user: User, class_subject: ClassSubject, term: StudyPeriod) -> dict[int, tuple[grading.TermResult | None, str]]:
    """Each pupil's term grade so far (after a lesson was saved)."""
    class_subject = class_subject_get(user, class_subject.pk)
    return {entry.pupil.pk: term_grade_safe(entry.pupil, class_subject, term) for entry in enrolled_in_term(class_subject.school_class, term)}


# --- parents and pupils -----------------------------------------------------------------------------

def children_links(user: User) -> QuerySet[ParentLink]:
    """The user's confirmed links (a pending one shows nothing of the child)."""
    if not user.is_authenticated:
        return ParentLink.objects.none()
    return (ParentLink.objects.filter(parent=user, confirmed_at__isnull=False).select_related("pupil")
            .order_by("pupil__last_name", "pupil__first_name"))


def links_of(user: User) -> list[ParentLink]:
    """All the user's links, confirmed or not, in one query (the home page splits them)."""
    if not user.is_authenticated:
        return []
    return list(ParentLink.objects.filter(parent=user).select_related("pupil").order_by("pupil__last_name", "pupil__first_name"))


def pending_requests_of(user: User) -> QuerySet[ParentLink]:
    """The user's own requests still waiting for the school."""
    if not user.is_authenticated:
        return ParentLink.objects.none()
    return ParentLink.objects.filter(parent=user, confirmed_at__isnull=True).select_related("pupil").order_by("-requested_at")


def own_pupil(user: User) -> Pupil | None:
    if not user.is_authenticated:
        return None
    return Pupil.objects.filter(user=user).first()


def child_get(user: User, pupil_id: int) -> tuple[Pupil, ParentLink | None]:
    """The pupil and the user's confirmed link to them; or the user's own pupil record (no link).
    Anyone else's child, or a child of a pending link, is a 404."""
    if not user.is_authenticated:
        raise _404()
    link = children_links(user).filter(pupil_id=pupil_id).first()
    if link is not None:
        return link.pupil, link
    pupil = Pupil.objects.filter(pk=pupil_id, user=user).first()
    if pupil is None:
        raise _404()
    return pupil, None


def current_class(pupil: Pupil, day: date | None = None) -> SchoolClass | None:
    """The pupil's class on ``day`` (today), else the class of their latest enrolment."""
    day = day or today()
    enrolments = Enrolment.objects.filter(pupil=pupil).select_related("school_class", "school_class__school", "school_class__year")
    current = enrolments.filter(Q(ends__isnull=True) | Q(ends__gt=day), starts__lte=day).order_by("-starts").first()
    latest = current or enrolments.order_by("-starts").first()
    return latest.school_class if latest else None


def pupil_years(pupil: Pupil) -> list[SchoolYear]:
    return list(SchoolYear.objects.filter(classes__enrolments__pupil=pupil).distinct().order_by("-starts"))


@dataclass
class ReportMark:
    mark: Mark
    date: date
    is_new: bool


@dataclass
class SubjectReport:
    class_subject: ClassSubject
    marks: list[ReportMark]
    grade: grading.TermResult | None
    grade_error: str
    year: grading.YearResult | None
    attendance: dict[str, int]          # status → lessons
    new_attendance: list[Attendance]    # changed since the previous visit
    new_count: int


@dataclass
class PupilReport:
    pupil: Pupil
    link: ParentLink | None
    school_class: SchoolClass | None
    year: SchoolYear | None
    years: list[SchoolYear]
    terms: list[StudyPeriod]
    term: StudyPeriod | None
    subjects: list[SubjectReport]
    attendance: dict[str, int]
    since: datetime | None
    year_complete: bool

    @property
    def new_count(self) -> int:
        return sum(s.new_count for s in self.subjects)


def pupil_report(user: User, pupil_id: int, *, year_id: int | None = None, term_number: int | None = None,
                 since: datetime | None = None) -> PupilReport:
    """A pupil's term for their parent (or themselves): per subject the marks with dates and kinds,
    the term grade so far with how it was computed, the year grade once every term of the year has
    ended, attendance by status; marks and attendance changed after ``since`` are new."""
    pupil, link = child_get(user, pupil_id)
    years = pupil_years(pupil)
    klass = current_class(pupil)
    if year_id is not None:
        year = next((y for y in years if y.pk == year_id), None)
        if year is None:
            raise _404()
    else:
        year = klass.year if klass is not None else (years[0] if years else None)
    if year is None:
        return PupilReport(pupil, link, None, None, years, [], None, [], {}, since, False)
    terms = terms_of(year)
    term = term_choose(terms, term_number) if terms or term_number is not None else None
    enrolments = list(Enrolment.objects.filter(pupil=pupil, school_class__year=year).select_related("school_class", "school_class__school")
                      .order_by("-starts"))
    school_class = enrolments[0].school_class if enrolments else None
    if term is None:
        return PupilReport(pupil, link, school_class, year, years, terms, None, [], {}, since, False)
    in_term = [e for e in enrolments if e.starts <= term.ends and (e.ends is None or e.ends > term.starts)]
    class_ids = list(dict.fromkeys(e.school_class_id for e in in_term))
    subjects_qs = (_class_subjects().filter(school_class_id__in=class_ids)
                   .order_by("subject__code", "school_class__year__starts", "pk"))
    class_subjects = list(subjects_qs)
    marks = (Mark.objects.filter(pupil=pupil, lesson__class_subject__in=class_subjects, lesson__date__gte=term.starts,
                                 lesson__date__lte=term.ends).select_related("lesson").order_by("lesson__date", "lesson__number", "kind"))
    absences = (Attendance.objects.filter(pupil=pupil, lesson__class_subject__in=class_subjects, lesson__date__gte=term.starts,
                                          lesson__date__lte=term.ends).select_related("lesson").order_by("lesson__date", "lesson__number"))
    marks_by: dict[int, list[Mark]] = defaultdict(list)
    for mark in marks:
        marks_by[mark.lesson.class_subject_id].append(mark)
    absences_by: dict[int, list[Attendance]] = defaultdict(list)
    for row in absences:
        absences_by[row.lesson.class_subject_id].append(row)
    day = today()
    year_complete = bool(terms) and all(t.ends < day for t in terms)
    totals = {status: 0 for status in AttendanceStatus.values}
    subjects = []
    for cs in class_subjects:
        grade, reason = term_grade_safe(pupil, cs, term, marks_by.get(cs.pk, []))
        year_result = None
        if year_complete:
            term_marks = []
            for t in terms:
                result = grade if t.pk == term.pk else term_grade_safe(pupil, cs, t)[0]
                term_marks.append(result.mark if result is not None and result.kind == grading.MARK else None)
            try:
                year_result = grading.compute_year(grading.rule_set_for(year.ends), term_marks)
            except grading.GradingError:
                year_result = None
        counts = {status: 0 for status in AttendanceStatus.values}
        for row in absences_by.get(cs.pk, []):
            counts[row.status] = counts.get(row.status, 0) + 1
            totals[row.status] = totals.get(row.status, 0) + 1
        items = [ReportMark(m, m.lesson.date, since is not None and m.updated_at > since) for m in marks_by.get(cs.pk, [])]
        new_attendance = [a for a in absences_by.get(cs.pk, []) if since is not None and a.updated_at > since]
        subjects.append(SubjectReport(cs, items, grade, reason, year_result, counts, new_attendance,
                                      sum(1 for m in items if m.is_new) + len(new_attendance)))
    return PupilReport(pupil, link, school_class, year, years, terms, term, subjects, totals, since, year_complete)


# --- parent links waiting for the school ---------------------------------------------------------

def _current_enrolment_in_scope(user: User, day: date):
    scope = Scope.of(user, services.PARENT_LINK_DECIDERS)
    return (Enrolment.objects.filter(Q(ends__isnull=True) | Q(ends__gt=day), pupil=OuterRef("pupil"), starts__lte=day)
            .filter(scope.q("school_class__school")))


def may_decide_links(user: User) -> bool:
    return bool(Scope.of(user, services.PARENT_LINK_DECIDERS))


def pending_links(user: User) -> QuerySet[ParentLink]:
    """Pending links of the pupils enrolled today in a school the user heads, oldest first."""
    if not may_decide_links(user):
        return ParentLink.objects.none()
    return (ParentLink.objects.filter(confirmed_at__isnull=True).filter(Exists(_current_enrolment_in_scope(user, today())))
            .select_related("parent", "pupil").order_by("requested_at", "pk"))


def link_for_decision(user: User, pk: int) -> ParentLink:
    """A link (pending or already confirmed) the user may decide on; else 404."""
    link = ParentLink.objects.filter(pk=pk).select_related("pupil", "parent").first()
    if link is None or not services.can_decide_link(user, link):
        raise _404()
    return link


def classes_of(pupils: list[Pupil], day: date | None = None) -> dict[int, SchoolClass]:
    """Each pupil's class today (for the list of requests)."""
    day = day or today()
    rows = (Enrolment.objects.filter(Q(ends__isnull=True) | Q(ends__gt=day), pupil__in=pupils, starts__lte=day)
            .select_related("school_class", "school_class__school").order_by("starts"))
    return {row.pupil_id: row.school_class for row in rows}
