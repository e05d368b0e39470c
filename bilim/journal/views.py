"""Pages of the school journal (J1–J2): the teacher's classes and the journal grid of a class-subject
(keyboard entry, a whole lesson column saved in one request), the school's journals read-only for
its head and the officers above, the parents' pages (their children, a child's term, a request for a
link) and the head's list of link requests. Thin: parse the request, call one selector or service,
render. Every object is reached through a selector, so anything outside the user's scope is a 404."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bilim.core.errors import DomainError
from bilim.core.params import BadInput as _BadInput, bad_request as _bad_request, int_param as _int_param

from . import cells, grading, selectors, services
from .forms import LessonForm, LinkRequestForm
from .models import Attendance, AttendanceStatus, ClassSubject, Mark, MarkKind, StudyPeriod

HOME_LIMIT = 20
# A parent's page views closer together than this are one visit: switching terms does not make
# everything seen so far "old" again.
VISIT_WINDOW = timedelta(minutes=30)
CELL_FIELD = re.compile(r"^cell-([1-9][0-9]{0,17})$")
MARK_ERROR = re.compile(r"^marks\[(\d+)\]\.(\w+)$")


# --- small helpers ----------------------------------------------------------------------------------

def _not_found() -> Http404:
    return Http404(_("Not found."))


def _chosen_year(request, years):
    """The school year of the ``year`` parameter among ``years`` (404 if it is not one of them), or
    the default one when the parameter is absent."""
    year_id = _int_param(request, "year")
    if year_id is None:
        return _default_year(years)
    year = next((y for y in years if y.pk == year_id), None)
    if year is None:
        raise _not_found()
    return year


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or request.headers.get("X-Requested-With") == "fetch"


def kind_labels() -> dict[str, str]:
    """Short names of the kinds of mark for column headers (ФО / СОр / СОч, ҚБ / БЖБ / ТЖБ)."""
    return {MarkKind.FORMATIVE: _("FA"), MarkKind.SECTION_SUMMATIVE: _("SAU"), MarkKind.TERM_SUMMATIVE: _("SAT")}


def grade_view(result: grading.TermResult | None, reason: str = "") -> dict[str, Any]:
    """A term grade for the grid and the pupil's page: the mark or why there is none, and how it was
    computed line by line."""
    if result is None:
        return {"kind": "error", "text": "?", "label": _("The term grade cannot be computed."), "explanation": [reason] if reason else [],
                "percent": "", "mark": None}
    text = {grading.MARK: str(result.mark), grading.NOT_ASSESSED: _("n/a")}.get(result.kind, "—")
    label = {
        grading.MARK: _("Term grade so far"),
        grading.NOT_ASSESSED: _("Temporarily not assessed"),
        grading.INSUFFICIENT: _("Not enough marks yet"),
        grading.NO_MARKS_GRADE_1: _("No marks in this grade"),
    }.get(result.kind, "")
    percent = f"{cells.number_text(result.rounded_percent)} %" if result.rounded_percent is not None else ""
    return {"kind": result.kind, "text": text, "label": label, "explanation": list(result.explanation), "percent": percent,
            "mark": result.mark}


def year_view(result: grading.YearResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"kind": result.kind, "text": str(result.mark) if result.mark is not None else "—", "explanation": list(result.explanation)}


# --- home widgets (called by core.views.home through JournalConfig) -----------------------------------

def home_widgets(request) -> dict[str, Any]:
    """The teacher's classes of the current year, the parent's children (and a pupil's own page), the
    head's school journals and the parent link requests waiting for the head. Only what the user's
    roles call for is read, in as few queries as possible: the home page is everyone's first page
    (the grants are read once per request by ``Scope``)."""
    from bilim.core import paths
    from bilim.core.models import Role
    from bilim.core.scope import Scope

    user = request.user
    context: dict[str, Any] = {"journal_classes": [], "journal_year": None, "journal_children": [], "journal_requests": [],
                               "journal_own_pupil": None, "journal_is_parent": False, "journal_schools": []}
    if Scope.of(user, [Role.TEACHER]):
        taught = list(selectors.class_subjects_taught(user))
        years = sorted({cs.school_class.year for cs in taught}, key=lambda y: y.starts, reverse=True)
        started = [y for y in years if y.starts <= selectors.today()]
        year = started[0] if started else (years[-1] if years else None)
        context["journal_year"] = year
        context["journal_classes"] = [cs for cs in taught if year and cs.school_class.year_id == year.pk][:HOME_LIMIT]
    heads = Scope.of(user, [Role.ORG_HEAD]).roots
    if heads:
        # the organizations' ids come from the grants, and the number of requests waiting is loaded
        # by htmx once the page is shown (``links_count``): no query here
        context["journal_schools"] = [paths.ids(root)[-1] for root in heads]
    if Scope.of(user, [Role.PARENT, Role.STUDENT]):
        links = selectors.links_of(user)
        context["journal_children"] = [link for link in links if link.confirmed]
        context["journal_requests"] = [link for link in links if not link.confirmed]
        context["journal_is_parent"] = bool(links) or bool(Scope.of(user, [Role.PARENT]))
    if Scope.of(user, [Role.STUDENT]):
        context["journal_own_pupil"] = selectors.own_pupil(user)
    return context


def _default_year(years):
    if not years:
        return None
    current = selectors.current_year()
    return current if current in years else years[0]


# --- the teacher's classes ---------------------------------------------------------------------------

@login_required
@require_GET
def index(request):
    """The classes and subjects the teacher teaches in a school year; the schools a head reads."""
    user = request.user
    years = selectors.teacher_years(user)
    try:
        year = _chosen_year(request, years)
    except _BadInput as error:
        return _bad_request(error)
    class_subjects = list(selectors.class_subjects_taught(user, year)) if year else []
    context = {"years": years, "year": year, "class_subjects": class_subjects, "schools": selectors.schools_headed(user)}
    return render(request, "journal/index.html", context)


# --- the journal grid -------------------------------------------------------------------------------

def _grid_context(request, grid: selectors.JournalGrid) -> dict[str, Any]:
    lang = cells.language()
    shown = cells.letters(lang)
    labels = kind_labels()
    columns = []
    for index, column in enumerate(grid.lessons):
        lesson = column.lesson
        columns.append({
            "index": index, "lesson": lesson, "kind": column.kind, "kind_label": labels[column.kind],
            "max_points": cells.number_text(column.max_points), "summative": column.kind in cells.SUMMATIVE,
        })
    rows = []
    for number, entry in enumerate(grid.pupils, start=1):
        pupil = entry.pupil
        row_cells = []
        for column in grid.lessons:
            lesson = column.lesson
            if not entry.enrolled_on(lesson.date):
                row_cells.append(None)
                continue
            marks = grid.marks.get((lesson.pk, pupil.pk), {})
            status = grid.attendance.get((lesson.pk, pupil.pk))
            mark = marks.get(column.kind)
            row_cells.append({
                "text": cells.cell_text(column.kind, mark, status, lang), "status": status or "",
                "missed": bool(mark and mark.missed), "others": [
                    f"{labels[kind]} {cells.number_text(m.value) if m.value is not None else cells.MISSED}"
                    for kind, m in marks.items() if kind != column.kind],
                "aria": f"{pupil.last_name} {pupil.first_name} — {lesson.date:%d.%m}",
            })
        rows.append({"number": number, "pupil": pupil, "cells": row_cells,
                     "grade": grade_view(grid.grades.get(pupil.pk), grid.grade_errors.get(pupil.pk, ""))})
    return {
        "grid": grid, "cs": grid.class_subject, "klass": grid.class_subject.school_class, "term": grid.term, "terms": grid.terms,
        "columns": columns, "rows": rows, "editable": grid.editable, "kinds": list(labels.items()),
        "legend": [(shown[status], label) for status, label in AttendanceStatus.choices],
        "letters_json": json.dumps({"shown": shown, "accepted": cells.accepted_letters(lang)}, ensure_ascii=False),
        "width": len(columns) + 2, "marked": _marked(grid.class_subject, grid.term),
    }


def _marked(cs: ClassSubject, term: StudyPeriod) -> bool:
    """Whether the class gets marks at all (grade 1 and the pre-school class: feedback only)."""
    grade = cs.school_class.grade
    try:
        unmarked = grading.rule_set_for(term.ends).unmarked_grade_levels
    except grading.GradingError:
        return True
    return grade >= 1 and grade not in unmarked


def _grid_page(request, cs: ClassSubject, term: StudyPeriod, terms: list[StudyPeriod], *, status: int = 200,
               lesson_form: LessonForm | None = None, form_errors: list[str] | None = None):
    grid = selectors.journal_grid(request.user, cs, term, terms)
    context = _grid_context(request, grid)
    if lesson_form is not None:
        _mark_invalid(lesson_form)
    today = selectors.today()
    initial = {"date": min(max(today, term.starts), term.ends), "number": 1}
    context.update({
        "lesson_form": lesson_form or LessonForm(initial=initial), "form_errors": form_errors or [],
        "show_form": lesson_form is not None,
    })
    return render(request, "journal/grid.html", context, status=status)


@login_required
@require_GET
def grid(request, pk: int):
    cs = selectors.class_subject_get(request.user, pk)
    terms = selectors.terms_of(cs.school_class.year)
    try:
        number = _int_param(request, "term")
    except _BadInput as error:
        return _bad_request(error)
    term = selectors.term_choose(terms, number)
    return _grid_page(request, cs, term, terms)


def _mark_invalid(form) -> None:
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def _grid_url(cs: ClassSubject, term: StudyPeriod | None) -> str:
    url = reverse("journal:grid", args=[cs.pk])
    return f"{url}?term={term.number}" if term else url


@login_required
@require_POST
def lesson_save(request, pk: int):
    """One lesson column in one request: the date, number and topic, the kind of mark of the column
    (and the maximum of a summative work) and every pupil's cell as typed (``cell-<pupil id>``). Each
    cell's text becomes a mark and an attendance entry; ``services.lesson_save`` checks them all and
    saves all or nothing. Errors come back per cell. Without cells it adds a lesson."""
    user = request.user
    cs = selectors.class_subject_for_writing(user, pk)  # read-only for heads and officers: 404, nothing to post to
    as_json = _wants_json(request)
    form = LessonForm(request.POST)
    field_errors: dict[str, str] = {}
    cell_errors: dict[str, str] = {}
    if not form.is_valid():
        field_errors.update({name: str(errors[0]) for name, errors in form.errors.items()})
    kind = request.POST.get("kind", MarkKind.FORMATIVE) or MarkKind.FORMATIVE
    if kind not in MarkKind.values:
        field_errors["kind"] = _("Choose one of the allowed values.")
    previous = request.POST.get("previous_kind", "")
    previous = previous if previous in MarkKind.values and previous != kind else ""
    max_points = (request.POST.get("max_points", "") or "").strip()
    if kind in cells.SUMMATIVE and max_points:
        problem = cells.decimal_error(max_points)
        if problem:
            field_errors["max_points"] = problem
    typed: dict[int, cells.Cell] = {}
    for name, text in request.POST.items():
        match = CELL_FIELD.match(name)
        if not match:
            continue
        pupil = int(match.group(1))
        parsed = cells.parse(text, kind)
        if parsed.error:
            cell_errors[str(pupil)] = parsed.error
        typed[pupil] = parsed
    code, general, status = "invalid_lesson", _("The lesson has errors; nothing was saved."), 400
    if not field_errors and not cell_errors:
        day, number, topic = form.cleaned_data["date"], form.cleaned_data["number"], form.cleaned_data["topic"]
        # an empty cell sends a mark only to remove one there is (grade 1 gets no marks at all)
        existing = set(Mark.objects.filter(lesson__class_subject=cs, lesson__date=day, lesson__number=number)
                       .values_list("pupil_id", "kind"))
        marks, attendance, owners = [], {}, []
        for pupil, cell in typed.items():
            if cell.value is not None or cell.missed or (pupil, kind) in existing:
                marks.append({"pupil": pupil, "kind": kind, "value": cell.value, "missed": cell.missed,
                              "max_points": max_points if kind in cells.SUMMATIVE else None})
                owners.append(pupil)
            attendance[pupil] = cell.status
        if previous:  # the column changed its kind: the marks of the former kind go
            for pupil in typed:
                if (pupil, previous) in existing:
                    marks.append({"pupil": pupil, "kind": previous, "value": None, "max_points": None, "missed": False})
                    owners.append(pupil)
        if services.period_of(cs, day) is None:
            # checked here as well: lesson_save would first look for the rule set of a date before any
            field_errors["date"] = _("The date is outside the terms of the school year.")
        else:
            try:
                lesson = services.lesson_save(class_subject=cs, day=day, number=number, topic=topic, marks=marks,
                                              attendance=attendance, by=user, request=request)
            except DomainError as error:
                if error.status == 404:
                    raise _not_found() from None
                _map_errors(error, owners, field_errors, cell_errors)
                code, general, status = error.code, error.message, error.status
            else:
                return _saved(request, cs, lesson, kind, typed, as_json)
    if as_json:
        return JsonResponse({"code": code, "message": general, "fields": field_errors, "cells": cell_errors}, status=status)
    terms = selectors.terms_of(cs.school_class.year)
    term = selectors.term_choose(terms, _posted_term(request, terms))
    extra = []
    for name, message in field_errors.items():
        if name in form.fields:
            if name not in form.errors:
                form.add_error(name, message)
        else:
            extra.append(message)
    extra += list(cell_errors.values())
    return _grid_page(request, cs, term, terms, status=status, lesson_form=form, form_errors=[general] + extra)


def _posted_term(request, terms) -> int | None:
    raw = request.POST.get("term", "")
    return int(raw) if raw.isdigit() and any(t.number == int(raw) for t in terms) else None


def _map_errors(error: DomainError, owners: list[int], fields: dict[str, str], cells_out: dict[str, str]) -> None:
    """The service's field names (``marks[3].value``, ``attendance.17``, ``date``) → the cell of the
    pupil or the column's own field."""
    for key, message in error.fields.items():
        match = MARK_ERROR.match(key)
        if match:
            index, part = int(match.group(1)), match.group(2)
            if part in ("max_points", "kind"):
                fields[part] = message
            elif index < len(owners):
                cells_out.setdefault(str(owners[index]), message)
            continue
        if key.startswith("attendance."):
            cells_out.setdefault(key.split(".", 1)[1], message)
            continue
        fields[key] = message


def _saved(request, cs: ClassSubject, lesson, kind: str, typed: dict[int, cells.Cell], as_json: bool):
    term = services.period_of(cs, lesson.date)
    if not as_json:
        messages.success(request, _("Saved"))
        return redirect(_grid_url(cs, term) + f"#lesson-{lesson.pk}")
    marks = {(m.pupil_id): m for m in Mark.objects.filter(lesson=lesson, kind=kind)}
    statuses = dict(Attendance.objects.filter(lesson=lesson).values_list("pupil_id", "status"))
    texts = {str(pupil): cells.cell_text(kind, marks.get(pupil), statuses.get(pupil)) for pupil in typed}
    grades = {}
    for pupil, (result, reason) in selectors.term_grades(request.user, cs, term).items():
        grades[str(pupil)] = grade_view(result, reason)
    maximum = next((m.max_points for m in marks.values() if m.max_points is not None), None)
    return JsonResponse({"message": _("Saved"), "lesson": {"id": lesson.pk, "date": lesson.date.isoformat(), "number": lesson.number,
                                                           "topic": lesson.topic}, "kind": kind,
                         "max_points": cells.number_text(maximum), "cells": texts, "grades": grades})


# --- the school's journals, read-only ------------------------------------------------------------

@login_required
@require_GET
def school(request, unit_id: int):
    user = request.user
    unit = selectors.school_get(user, unit_id)
    years = selectors.school_years(unit)
    try:
        year = _chosen_year(request, years)
    except _BadInput as error:
        return _bad_request(error)
    groups: dict[int, dict] = {}
    for cs in (selectors.school_class_subjects(user, unit, year) if year else []):
        groups.setdefault(cs.school_class_id, {"klass": cs.school_class, "subjects": []})["subjects"].append(cs)
    context = {"school": unit, "years": years, "year": year, "classes": list(groups.values()),
               "may_decide": unit in selectors.schools_headed(user)}
    return render(request, "journal/school.html", context)


# --- parents ---------------------------------------------------------------------------------------

def _children_page(request, form: LinkRequestForm | None = None, status: int = 200, general: list[str] | None = None):
    user = request.user
    links = list(selectors.children_links(user))
    classes = selectors.classes_of([link.pupil for link in links])
    children = [{"link": link, "pupil": link.pupil, "klass": classes.get(link.pupil_id)} for link in links]
    context = {"children": children, "requests": list(selectors.pending_requests_of(user)), "own": selectors.own_pupil(user),
               "form": form or LinkRequestForm(), "general_errors": general or [], "open_form": form is not None}
    return render(request, "journal/children.html", context, status=status)


@login_required
@require_GET
def children(request):
    return _children_page(request)


@login_required
@require_POST
def link_request(request):
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        return _children_page(request, form, status=400)
    try:
        services.parent_link_request(parent=request.user, iin=form.cleaned_data["iin"], birth_date=form.cleaned_data["birth_date"],
                                     request=request)
    except DomainError as error:
        general = []
        for name, message in error.fields.items():
            if name in form.fields:
                form.add_error(name, message)
            else:
                general.append(message)
        if not error.fields:
            general.append(error.message)
        return _children_page(request, form, status=error.status, general=general)
    messages.success(request, _("The request was sent. The school will confirm it; until then the child's page is not shown."))
    return redirect("journal:children")


@login_required
@require_GET
def child(request, pupil_id: int):
    """A child's term on a phone: marks per subject, the term grade and how it was computed, the year
    grade, attendance, and what is new since the parent's previous visit."""
    user = request.user
    pupil, link = selectors.child_get(user, pupil_id)
    try:
        term_number = _int_param(request, "term")
        year_id = _int_param(request, "year")
    except _BadInput as error:
        return _bad_request(error)
    since = None
    if link is not None:
        if link.seen_at is not None and timezone.now() - link.seen_at < VISIT_WINDOW:
            since = link.seen_before  # the same visit, another term
        else:
            since = services.parent_visit(link=link)
    report = selectors.pupil_report(user, pupil.pk, year_id=year_id, term_number=term_number, since=since)
    shown = cells.letters()
    labels = kind_labels()
    subjects = []
    for item in report.subjects:
        marks = []
        for entry in item.marks:
            mark = entry.mark
            if mark.kind == MarkKind.FORMATIVE:
                value = cells.number_text(mark.value)
            elif mark.missed and mark.value is None:
                value = _("missed")
            else:
                value = f"{cells.number_text(mark.value)}/{cells.number_text(mark.max_points)}"
            marks.append({"date": entry.date, "kind": mark.kind, "kind_label": labels.get(mark.kind, ""), "value": value,
                          "new": entry.is_new, "summative": mark.kind in cells.SUMMATIVE, "title": mark.get_kind_display()})
        subjects.append({
            "cs": item.class_subject, "name": item.class_subject.subject.name, "marks": marks,
            "grade": grade_view(item.grade, item.grade_error), "year": year_view(item.year),
            "attendance": [(shown[s], label, item.attendance.get(s, 0)) for s, label in AttendanceStatus.choices if item.attendance.get(s)],
            "new_attendance": [{"date": a.lesson.date, "letter": shown.get(a.status, ""), "label": a.get_status_display()}
                               for a in item.new_attendance],
            "new_count": item.new_count,
        })
    context = {
        "report": report, "pupil": report.pupil, "subjects": subjects, "link": link,
        "attendance": [(shown[s], label, report.attendance.get(s, 0)) for s, label in AttendanceStatus.choices],
        "absent_total": sum(report.attendance.values()), "is_self": link is None,
    }
    return render(request, "journal/child.html", context)


@login_required
@require_GET
def me(request):
    pupil = selectors.own_pupil(request.user)
    if pupil is None:
        raise _not_found()
    return redirect("journal:child", pupil_id=pupil.pk)


# --- the head: parent link requests ---------------------------------------------------------------

@login_required
@require_GET
def links(request):
    user = request.user
    if not selectors.may_decide_links(user):
        raise _not_found()
    pending = list(selectors.pending_links(user)[:500])
    classes = selectors.classes_of([link.pupil for link in pending])
    rows = [{"link": link, "klass": classes.get(link.pupil_id)} for link in pending]
    return render(request, "journal/links.html", {"rows": rows})


@login_required
@require_GET
def links_count(request):
    """The number of link requests waiting for the head (a badge the home page loads with htmx)."""
    user = request.user
    if not selectors.may_decide_links(user):
        raise _not_found()
    count = selectors.pending_links(user).count()
    return render(request, "journal/_links_count.html", {"count": count})


@login_required
@require_POST
def link_decide(request, pk: int):
    user = request.user
    link = selectors.link_for_decision(user, pk)
    decision = request.POST.get("decision", "")
    if decision not in ("confirm", "reject"):
        return _bad_request(_BadInput("decision", _("Choose one of the allowed values.")))
    try:
        services.parent_link_decide(link=link, approve=decision == "confirm", by=user, request=request)
    except DomainError as error:
        if error.status == 404:
            raise _not_found() from None
        messages.error(request, error.message)
        return redirect("journal:links")
    if decision == "confirm":
        messages.success(request, _("The link was confirmed: the parent now sees the child's marks."))
    else:
        messages.success(request, _("The request was rejected."))
    return redirect("journal:links")
