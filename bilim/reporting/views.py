"""Pages of the reporting workflow (R3–R8): the home widgets, an assignment's data-entry grid with
autosave, checks, XLSX, submission and review, a campaign's completeness and consolidated totals
with drill-down. Thin: parse the request, call one selector or service, render. Every object is
reached through a selector, so anything outside the user's scope is a 404."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from bilim.core import calendar, paths
from bilim.core.errors import DomainError
from bilim.core.models import Level, OrgUnit
from bilim.core.scope import Scope
from bilim.core.params import BadInput as _BadInput, bad_request as _bad_request, int_param as _int_param

from . import selectors, services, xlsx
from .forms import AcceptForm, CampaignForm, ExtensionForm, ReturnForm, SubmitForm, UploadForm
from .models import Assignment, Campaign, Form
from .spec import CELL_KEY, FormSpec, ValueType, localized
from .specs import spec_for

THIN_SPACE = "\u2009"
YES_NO = {"kk": ("иә", "жоқ"), "ru": ("да", "нет"), "en": ("yes", "no")}
STATUS_BADGES = {
    Assignment.Status.DRAFT: "secondary", Assignment.Status.SUBMITTED: "primary",
    Assignment.Status.RETURNED: "warning", Assignment.Status.ACCEPTED: "success",
}
LIST_STATUSES = ("missing", "overdue", "returned", "submitted", "accepted")
HOME_LIMIT = 20
SUBMIT_FIELDS = {"signature": "signature_file"}  # a service's field name → the submit form's field


# --- small helpers ----------------------------------------------------------------------------------

def _lang() -> str:
    return (get_language() or "kk")[:2]


def _not_found() -> Http404:
    return Http404(_("Not found."))


def _raise_if_not_found(error: DomainError) -> None:
    if error.status == 404:
        raise _not_found()


class _Deadlines:
    """``calendar.effective_deadline`` once per distinct date in a request (it reads the calendar)."""

    def __init__(self):
        self._cache: dict = {}
        self.now = timezone.now()

    def __call__(self, day):
        if day not in self._cache:
            self._cache[day] = calendar.effective_deadline(day)
        return self._cache[day]

    def overdue(self, assignment: Assignment) -> bool:
        return (assignment.status in (Assignment.Status.DRAFT, Assignment.Status.RETURNED)
                and self.now > self(assignment.effective_due_date))


def _number_text(value: Decimal, *, grouped: bool) -> str:
    """A number as people read it: thin spaces between thousands (when ``grouped``), the decimal
    mark of the language (a comma in Kazakh and Russian)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        text = f"{int(value):,}" if grouped else str(int(value))
        return text.replace(",", THIN_SPACE)
    sign = "-" if value < 0 else ""
    whole, _dot, fraction = format(abs(value).normalize(), "f").partition(".")
    whole = f"{int(whole):,}".replace(",", THIN_SPACE) if grouped else whole
    return f"{sign}{whole}{',' if _lang() in ('kk', 'ru') else '.'}{fraction}"


def display_value(cell, value) -> str:
    """A stored or consolidated value for reading."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (int, Decimal)):
        return _number_text(Decimal(value), grouped=True)
    return str(value)


def input_value(cell, value) -> str:
    """A stored value as it goes back into an input: what ``parse_value`` reads again."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        yes, no = YES_NO.get(_lang(), YES_NO["kk"])
        return yes if value else no
    if isinstance(value, (int, Decimal)):
        return _number_text(Decimal(value), grouped=False)
    return str(value)


# --- the grid ---------------------------------------------------------------------------------------

def build_grid(spec: FormSpec, values: dict[str, Any], *, editable: bool, errors: dict[str, str] | None = None,
               drill_base: str | None = None, marked: set[str] | None = None, typed: dict[str, str] | None = None) -> dict[str, Any]:
    """The form laid out for the template: sections, rows with their code and label, one entry per
    column (None where the form has no cell). ``typed``: what was posted and refused, shown again in
    the inputs so nothing typed is lost."""
    errors = errors or {}
    typed = typed or {}
    marked = marked or set()
    lang = _lang()
    columns = [{"code": c.code, "label": localized(c.label, lang)} for c in spec.columns]
    sections = []
    for section in spec.sections:
        rows = []
        for row in section.rows:
            label = localized(row.label, lang)
            cells = []
            for column in columns:
                cell = spec.cell(row.code, column["code"])
                if cell is None:
                    cells.append(None)
                    continue
                value = values.get(cell.key)
                cells.append({
                    "key": cell.key, "type": cell.value_type, "display": display_value(cell, value),
                    "input": typed[cell.key] if cell.key in typed else input_value(cell, value), "error": errors.get(cell.key, ""),
                    "numeric": cell.value_type in ValueType.NUMERIC, "marked": cell.key in marked,
                    "aria": f"{row.code} {label} — {column['label']}",
                    "drill": f"{drill_base}&cell={cell.key}" if drill_base and value is not None else "",
                })
            rows.append({"code": row.code, "label": label, "cells": cells})
        sections.append({"code": section.code, "title": localized(section.title, lang), "rows": rows})
    return {"columns": columns, "sections": sections, "editable": editable, "width": len(columns) + 2}


def cell_label(spec: FormSpec, key: str) -> str:
    cell = spec.cells.get(key)
    if cell is None:
        return key
    row = next((r for r in spec.rows if r.code == cell.row), None)
    column = next((c for c in spec.columns if c.code == cell.column), None)
    parts = [f"{cell.row}", localized(row.label) if row else "", localized(column.label) if column else ""]
    return " · ".join(p for p in parts if p)


def excel_refs(spec: FormSpec) -> dict[str, str]:
    """Cell key → its reference in the downloaded workbook (for errors found after reading it)."""
    return xlsx.cell_references(spec)


# --- home widgets (called by core.views.home) -------------------------------------------------------

def home_widgets(request) -> dict[str, Any]:
    """Reports the user must submit, the reports waiting for their review, the campaigns in progress."""
    user = request.user
    deadlines = _Deadlines()
    to_submit = [
        {"assignment": a, "deadline": deadlines(a.effective_due_date), "overdue": deadlines.overdue(a),
         "badge": STATUS_BADGES.get(a.status, "secondary")}
        for a in selectors.assignments_to_submit(user)[:HOME_LIMIT]
    ]
    reviewer = bool(Scope.of(user, list(services.REVIEWER_ROLES.values())))
    queue = list(selectors.review_queue(user)[:HOME_LIMIT]) if reviewer else []
    campaigns = list(selectors.campaigns_visible(user).filter(status=Campaign.Status.OPEN).order_by("-created_at")[:10]) if reviewer else []
    return {"reports_to_submit": to_submit, "review_queue": queue, "campaigns_in_progress": campaigns,
            "is_reviewer": reviewer}


# --- the assignment page ----------------------------------------------------------------------------

def _editable(user, assignment: Assignment) -> bool:
    return (selectors.can_submit(user, assignment) and services.editable(assignment)
            and assignment.status != Assignment.Status.SUBMITTED and assignment.campaign.status == Campaign.Status.OPEN)


def _can_submit_now(user, assignment: Assignment) -> bool:
    return (selectors.can_submit(user, assignment) and assignment.campaign.status == Campaign.Status.OPEN
            and assignment.status != Assignment.Status.SUBMITTED)


@dataclass
class CheckView:
    errors: list
    warnings: list
    flags: list
    explain: list  # [{key, label, text}] cells needing an explanation
    ok: bool


def _check_view(assignment: Assignment, spec: FormSpec) -> CheckView:
    result = services.assignment_check(assignment)
    explained = services.explanations_of(assignment, spec) if assignment.level == Level.ORGANIZATION else {}

    def cells(keys):
        return [{"key": k, "label": cell_label(spec, k)} for k in keys if k in spec.cells]

    errors = [{"message": v.message, "cells": cells(v.cells), "code": v.code} for v in result.errors]
    warnings = [{"message": v.message, "cells": cells(v.cells), "code": v.code} for v in result.warnings]
    flags = [{"message": f.message, "cells": cells([f.cell]), "kind": f.kind} for f in result.flags]
    needing = []
    for key in [f.cell for f in result.flags] + [w.cells[0] for w in result.warnings if w.cells]:
        if key in spec.cells and key not in [n["key"] for n in needing]:
            needing.append({"key": key, "label": cell_label(spec, key), "text": explained.get(key, ""),
                            "missing": key in result.unexplained})
    return CheckView(errors, warnings, flags, needing, result.ok)


def _assignment_page(request, assignment: Assignment, *, status: int = 200, cell_errors: dict | None = None,
                     submit_form: SubmitForm | None = None, submit_errors: list | None = None,
                     accept_form: AcceptForm | None = None, return_form: ReturnForm | None = None,
                     extension_form: ExtensionForm | None = None, upload_form: UploadForm | None = None,
                     upload_error: dict | None = None, check: CheckView | None = None, review_errors: list | None = None,
                     typed: dict | None = None):
    user = request.user
    campaign = assignment.campaign
    spec = spec_for(campaign.form_id)
    values = services.current_values(assignment, spec)
    editable = _editable(user, assignment)
    deadlines = _Deadlines()
    drill_base = None
    if assignment.level < Level.ORGANIZATION:
        drill_base = reverse("reporting:campaign_drill", args=[campaign.pk]) + f"?unit={assignment.org_unit_id}"
    grid = build_grid(spec, values, editable=editable, errors=cell_errors, drill_base=drill_base,
                      marked=set(cell_errors or {}), typed=typed)
    history = list(selectors.submissions_of(user, assignment))
    can_submit = _can_submit_now(user, assignment)
    can_review = selectors.can_review(user, assignment)
    if submit_form is None and can_submit:
        last_head = history[0].head_name if history else ""
        submit_form = SubmitForm(initial={"head_name": last_head})
    unit = assignment.org_unit
    context = {
        "assignment": assignment, "campaign": campaign, "unit": unit, "spec": spec, "form_title": localized(spec.title),
        "grid": grid, "editable": editable, "badge": STATUS_BADGES.get(assignment.status, "secondary"),
        "deadline": deadlines(assignment.effective_due_date), "overdue": deadlines.overdue(assignment),
        "history": history, "can_submit": can_submit, "can_review": can_review,
        "can_upload": editable, "is_organization": assignment.level == Level.ORGANIZATION,
        "submit_form": submit_form if can_submit else None, "submit_errors": submit_errors or [],
        "needs_reason": assignment.status == Assignment.Status.ACCEPTED,
        "accept_form": accept_form or AcceptForm(), "return_form": return_form or ReturnForm(),
        "extension_form": extension_form or ExtensionForm(), "upload_form": upload_form or UploadForm(),
        "upload_error": upload_error, "check": check, "review_errors": review_errors or [],
        # A fresh key for every render: a double click posts the same key twice, never two versions.
        "idempotency_key": uuid.uuid4().hex,
        "pending_review": can_review and assignment.status == Assignment.Status.SUBMITTED,
        "can_extend": can_review and campaign.status == Campaign.Status.OPEN
                      and assignment.status in (Assignment.Status.DRAFT, Assignment.Status.RETURNED),
        "campaign_unit": unit.parent_id if assignment.level == Level.ORGANIZATION else unit.pk,
        "has_values": any(v is not None for v in values.values()),
    }
    return render(request, "reporting/assignment.html", context, status=status)


@login_required
@require_GET
def assignment_detail(request, pk: int):
    assignment = selectors.assignment_get(request.user, pk)
    return _assignment_page(request, assignment)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or request.headers.get("X-Requested-With") == "fetch"


def _assignment_for(user, pk: int, may) -> Assignment:
    """The assignment if the user may act on it (submit or review), else 404 — the same answer as
    for one outside their scope."""
    assignment = selectors.assignment_get(user, pk)
    if not may(user, assignment):
        raise _not_found()
    return assignment


@login_required
@require_POST
def assignment_values(request, pk: int):
    """Autosave: the changed cells (``r01c3=…``) and explanations (``explain-r01c3=…``) go to
    ``services.values_save``; one bad value saves nothing. JSON for the grid's script, a page otherwise."""
    user = request.user
    assignment = _assignment_for(user, pk, selectors.can_submit)
    values, explanations = {}, {}
    for name in request.POST:
        if CELL_KEY.match(name):
            values[name] = request.POST.get(name)
        elif name.startswith("explain-") and CELL_KEY.match(name[8:]):
            explanations[name[8:]] = request.POST.get(name)
    if assignment.campaign.status != Campaign.Status.OPEN:
        error = DomainError("campaign_closed", _("This campaign is not open for submissions."), status=409)
    else:
        try:
            saved = services.values_save(assignment=assignment, values=values, explanations=explanations, by=user, request=request)
        except DomainError as exc:
            _raise_if_not_found(exc)
            error = exc
        else:
            error = None
    if _wants_json(request):
        if error is not None:
            return JsonResponse({"code": error.code, "message": error.message, "errors": error.fields}, status=error.status)
        spec = spec_for(assignment.campaign.form_id)
        current = services.current_values(assignment, spec) if values else {}
        return JsonResponse({"saved": saved, "message": _("Saved"),
                             "values": {key: input_value(spec.cells[key], current.get(key)) for key in values}})
    if error is not None:
        fields = dict(error.fields)
        if not fields:
            messages.error(request, error.message)
        return _assignment_page(request, assignment, status=error.status, cell_errors=fields, typed=values)
    messages.success(request, _("Saved"))
    return redirect("reporting:assignment", pk=assignment.pk)


@login_required
@require_GET
def assignment_check(request, pk: int):
    assignment = selectors.assignment_get(request.user, pk)
    spec = spec_for(assignment.campaign.form_id)
    check = _check_view(assignment, spec)
    if request.headers.get("HX-Request"):
        return render(request, "reporting/_check.html", {"check": check, "editable": _editable(request.user, assignment),
                                                         "assignment": assignment})
    return _assignment_page(request, assignment, check=check)


@login_required
@require_POST
def assignment_submit(request, pk: int):
    user = request.user
    assignment = _assignment_for(user, pk, selectors.can_submit)
    form = SubmitForm(request.POST, request.FILES)
    if not form.is_valid():
        return _assignment_page(request, assignment, status=400, submit_form=form)
    data = form.cleaned_data
    try:
        submission = services.submission_submit(
            assignment=assignment, by=user, head_name=data["head_name"], head_confirmed=data["head_confirmed"],
            signature=form.signature(), idempotency_key=data["idempotency_key"] or None,
            correction_reason=data["correction_reason"], request=request,
        )
    except DomainError as error:
        _raise_if_not_found(error)
        spec = spec_for(assignment.campaign.form_id)
        cell_errors, general = {}, []
        for field, message in error.fields.items():
            field = SUBMIT_FIELDS.get(field, field)
            if field in form.fields:
                form.add_error(field, message)
            elif field in spec.cells:
                cell_errors[field] = message
            else:
                general.append(message)
        if not error.fields or cell_errors:
            general.insert(0, error.message)
        assignment.refresh_from_db()
        check = _check_view(assignment, spec) if error.code in ("rules_failed", "explanation_needed") else None
        return _assignment_page(request, assignment, status=error.status, submit_form=form, submit_errors=general,
                                cell_errors=cell_errors, check=check)
    messages.success(request, _("The report was submitted (version %(number)s).") % {"number": submission.number})
    return redirect("reporting:assignment", pk=assignment.pk)


@login_required
@require_GET
def assignment_content(request, pk: int):
    """The exact text a signature must cover if the report were submitted now (for NCALayer)."""
    user = request.user
    assignment = _assignment_for(user, pk, selectors.can_submit)
    spec = spec_for(assignment.campaign.form_id)
    content = services.canonical_content(assignment, services.current_values(assignment, spec))
    response = HttpResponse(content.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="report-{assignment.pk}.json"'
    return response


@login_required
@require_GET
def assignment_xlsx(request, pk: int):
    assignment = selectors.assignment_get(request.user, pk)
    campaign = assignment.campaign
    spec = spec_for(campaign.form_id)
    deadline = _Deadlines()(assignment.effective_due_date)
    context = xlsx.XlsxContext(
        language=_lang(), organization_name=assignment.org_unit.name, campaign_title=campaign.name,
        period_label=campaign.period, deadline_text=timezone.localtime(deadline, calendar.KZ_TZ).strftime("%Y-%m-%d %H:%M"),
        assignment_id=assignment.pk, campaign_id=campaign.pk,
    )
    data = xlsx.build_workbook(spec, services.current_values(assignment, spec), context=context)
    response = HttpResponse(data, content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{xlsx.suggested_filename(spec, context)}"'
    return response


@login_required
@require_POST
def assignment_upload(request, pk: int):
    user = request.user
    assignment = _assignment_for(user, pk, selectors.can_submit)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _assignment_page(request, assignment, status=400, upload_form=form)
    if not _editable(user, assignment):
        message = (_("This campaign is not open for submissions.") if assignment.campaign.status != Campaign.Status.OPEN
                   else _("This report is waiting for review and cannot be changed now."))
        return _assignment_page(request, assignment, status=409, upload_form=form, upload_error={"message": message, "cells": []})
    spec = spec_for(assignment.campaign.form_id)
    try:
        result = xlsx.read_workbook(spec, form.cleaned_data["file"].read(), expect_assignment_id=assignment.pk,
                                    expect_campaign_id=assignment.campaign_id)
    except xlsx.XlsxError as error:
        return _assignment_page(request, assignment, status=400, upload_form=form,
                                upload_error={"message": error.message, "cells": error.cell_errors})
    current = services.current_values(assignment, spec)
    values = {key: value for key, value in result.values.items() if value is not None or current.get(key) is not None}
    try:
        changed = services.values_save(assignment=assignment, values=values, by=user, request=request)
    except DomainError as error:
        _raise_if_not_found(error)
        refs = excel_refs(spec)
        cells = [xlsx.XlsxCellError(refs.get(key, key), key, cell_label(spec, key), "", message)
                 for key, message in error.fields.items()]
        return _assignment_page(request, assignment, status=error.status, upload_form=form,
                                upload_error={"message": error.message, "cells": cells})
    messages.success(request, ngettext("The workbook was read: %(count)s cell changed.",
                                       "The workbook was read: %(count)s cells changed.", changed) % {"count": changed})
    return redirect("reporting:assignment", pk=assignment.pk)


def _review(request, pk: int, form_class, action):
    user = request.user
    assignment = _assignment_for(user, pk, selectors.can_review)
    form = form_class(request.POST)
    forms_kw = {AcceptForm: "accept_form", ReturnForm: "return_form", ExtensionForm: "extension_form"}
    if not form.is_valid():
        return _assignment_page(request, assignment, status=400, **{forms_kw[form_class]: form})
    try:
        message = action(assignment, form.cleaned_data)
    except DomainError as error:
        _raise_if_not_found(error)
        for field, text in error.fields.items():
            form.add_error(field if field in form.fields else None, text)
        general = [] if error.fields else [error.message]
        assignment.refresh_from_db()
        return _assignment_page(request, assignment, status=error.status, review_errors=general, **{forms_kw[form_class]: form})
    messages.success(request, message)
    return redirect("reporting:assignment", pk=assignment.pk)


@login_required
@require_POST
def assignment_accept(request, pk: int):
    def action(assignment, data):
        submission = services.submission_accept(assignment=assignment, by=request.user, comment=data["comment"].strip(), request=request)
        return _("Version %(number)s was accepted.") % {"number": submission.number}

    return _review(request, pk, AcceptForm, action)


@login_required
@require_POST
def assignment_return(request, pk: int):
    def action(assignment, data):
        submission = services.submission_return(assignment=assignment, by=request.user, comment=data["comment"], request=request)
        return _("Version %(number)s was returned for correction.") % {"number": submission.number}

    return _review(request, pk, ReturnForm, action)


@login_required
@require_POST
def assignment_extend(request, pk: int):
    def action(assignment, data):
        services.extension_grant(assignment=assignment, until=data["until"], reason=data["reason"], by=request.user, request=request)
        return _("The deadline was extended to %(date)s.") % {"date": data["until"].isoformat()}

    return _review(request, pk, ExtensionForm, action)


# --- campaigns --------------------------------------------------------------------------------------

@login_required
@require_GET
def campaign_list(request):
    campaigns = selectors.campaigns_visible(request.user).order_by("-created_at")
    page = Paginator(campaigns, 50).get_page(request.GET.get("page"))
    return render(request, "reporting/campaign_list.html", {"page": page, "is_designer": bool(_designer_units(request.user))})


# --- new campaign / ad-hoc request, distribution (form designers) -----------------------------------

def _designer_units(user) -> list[OrgUnit]:
    """The units from which the user may distribute: the roots of their form-designer scope that are
    the republic or a region (the ministry: the republic; a region officer: their region)."""
    roots = Scope.of(user, services.FORM_DESIGNER_ROLES).roots
    if not roots:
        return []
    return list(OrgUnit.objects.filter(path__in=roots, level__in=(Level.REPUBLIC, Level.REGION)).order_by("path"))


def _campaign_form(user, units: list[OrgUnit], data=None) -> CampaignForm:
    region_q = Scope(tuple(u.path for u in units)).q()
    return CampaignForm(
        data,
        forms_qs=selectors.forms_visible(user).filter(status=Form.Status.APPROVED),
        owners_qs=OrgUnit.objects.filter(pk__in=[u.pk for u in units]).order_by("path"),
        regions_qs=OrgUnit.objects.filter(region_q, level=Level.REGION, is_active=True).order_by("path"),
    )


@login_required
def campaign_new(request):
    """Create a campaign (a regular report) or an ad-hoc request from an approved form; distribution
    is a separate step on the campaign page."""
    user = request.user
    units = _designer_units(user)
    if not units:
        raise _not_found()
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    participant_errors: list[str] = []
    general: list[str] = []
    status = 200
    if request.method == "GET":
        form = _campaign_form(user, units)
    else:
        form = _campaign_form(user, units, request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.campaign_create(
                    form=data["form"], owner=data["owner"], period=data["period"], kind=data["kind"], by=user, request=request,
                    names={k: data[k] for k in ("name_kk", "name_ru", "name_en")},
                    deadline_organization=data["deadline_organization"], deadline_district=data["deadline_district"],
                    deadline_region=data["deadline_region"], participants=form.participants(),
                )
            except DomainError as error:
                _raise_if_not_found(error)
                status = error.status
                for field, message in error.fields.items():
                    if field in form.fields and field != "participants":
                        form.add_error(field, message)
                    elif field.split(".")[0] == "participants":
                        participant_errors.append(message)
                    else:
                        general.append(message)
                if not error.fields:
                    general.append(error.message)
            else:
                messages.success(request, _("The campaign was created as a draft. Check it and distribute it."))
                return redirect("reporting:campaign", pk=campaign.pk)
        form.mark_invalid()
    context = {"campaign_form": form, "participant_errors": participant_errors, "general_errors": general}
    return render(request, "reporting/campaign_new.html", context, status=status)


def _can_distribute(user, campaign: Campaign) -> bool:
    return Scope.of(user, services.FORM_DESIGNER_ROLES).contains_path(campaign.owner.path)


@login_required
@require_POST
def campaign_distribute(request, pk: int):
    user = request.user
    campaign = selectors.campaign_get(user, pk)
    if not _can_distribute(user, campaign):
        raise _not_found()
    try:
        count = services.campaign_distribute(campaign=campaign, by=user, request=request)
    except DomainError as error:
        _raise_if_not_found(error)
        campaign.refresh_from_db()
        node = selectors.node_for(user, campaign, None)
        errors = list(error.fields.values()) or [error.message]
        return _campaign_page(request, campaign, node, status=error.status, distribute_errors=errors)
    messages.success(request, ngettext("The campaign was distributed: %(count)s assignment created.",
                                       "The campaign was distributed: %(count)s assignments created.", count) % {"count": count})
    return redirect("reporting:campaign", pk=campaign.pk)


def _campaign_and_node(request, pk: int):
    campaign = selectors.campaign_get(request.user, pk)
    node = selectors.node_for(request.user, campaign, _int_param(request, "unit"))
    return campaign, node


def _ancestors(user, node: OrgUnit) -> list[OrgUnit]:
    """The node's ancestors the user may see, root first (the breadcrumbs)."""
    ids = paths.ids(node.path)[:-1]
    if not ids:
        return []
    return list(OrgUnit.objects.filter(Scope.of(user).q(), pk__in=ids).order_by("path"))


def _figures(campaign: Campaign, unit: OrgUnit, c: selectors.Completeness) -> list[dict]:
    base = reverse("reporting:campaign_items", args=[campaign.pk]) + f"?unit={unit.pk}"
    return [
        {"name": "expected", "label": _("Expected"), "value": c.expected, "url": base},
        {"name": "on_time", "label": _("On time"), "value": c.on_time, "url": base + "&late=0"},
        {"name": "late", "label": _("Late"), "value": c.late, "url": base + "&late=1"},
        {"name": "missing", "label": _("Missing"), "value": c.missing, "url": base + "&status=missing"},
        {"name": "overdue", "label": _("Overdue"), "value": c.overdue, "url": base + "&status=overdue"},
        {"name": "returned", "label": _("Returned"), "value": c.returned, "url": base + "&status=returned"},
    ]


@login_required
@require_GET
def campaign_detail(request, pk: int):
    user = request.user
    try:
        campaign, node = _campaign_and_node(request, pk)
    except _BadInput as error:
        return _bad_request(error)
    return _campaign_page(request, campaign, node)


def _campaign_page(request, campaign: Campaign, node: OrgUnit, *, status: int = 200, distribute_errors: list | None = None):
    user = request.user
    total, children = selectors.completeness(user, campaign, node)
    child_ids = [c.unit.pk for c in children]
    own = {a.org_unit_id: a for a in Assignment.objects.filter(campaign=campaign, org_unit_id__in=child_ids + [node.pk])
           .only("pk", "org_unit_id", "status", "level", "is_late")}
    rows = []
    for c in children:
        assignment = own.get(c.unit.pk)
        if c.unit.level == Level.ORGANIZATION:
            link = reverse("reporting:assignment", args=[assignment.pk]) if assignment else ""
        else:
            link = reverse("reporting:campaign", args=[campaign.pk]) + f"?unit={c.unit.pk}"
        rows.append({"c": c, "link": link, "assignment": assignment, "figures": _figures(campaign, c.unit, c),
                     "badge": STATUS_BADGES.get(assignment.status, "secondary") if assignment else ""})
    spec = spec_for(campaign.form_id)
    values = selectors.consolidated(user, campaign, node)
    drill_base = reverse("reporting:campaign_drill", args=[campaign.pk]) + f"?unit={node.pk}"
    node_assignment = own.get(node.pk)
    context = {
        "campaign": campaign, "node": node, "total": total, "figures": _figures(campaign, node, total), "rows": rows,
        "ancestors": _ancestors(user, node), "grid": build_grid(spec, values, editable=False, drill_base=drill_base),
        "form_title": localized(spec.title), "node_assignment": node_assignment,
        "node_badge": STATUS_BADGES.get(node_assignment.status, "secondary") if node_assignment else "",
        "has_values": bool(values), "deadlines": _campaign_deadlines(campaign),
        "distribute_errors": distribute_errors or [],
    }
    if campaign.status == Campaign.Status.DRAFT and _can_distribute(user, campaign):
        # one COUNT over the participant filter, the same query distribution runs
        context["can_distribute"] = True
        context["participant_count"] = services.participants_count(campaign)
    return render(request, "reporting/campaign.html", context, status=status)


def _campaign_deadlines(campaign: Campaign) -> list[tuple[str, datetime]]:
    deadlines = _Deadlines()
    result = [(_("Organizations"), deadlines(campaign.deadline_organization))]
    if campaign.deadline_district:
        result.append((_("Districts"), deadlines(campaign.deadline_district)))
    if campaign.deadline_region:
        result.append((_("Regions"), deadlines(campaign.deadline_region)))
    return result


def _list_args(request):
    status = request.GET.get("status", "").strip()
    if status and status not in LIST_STATUSES:
        raise _BadInput("status", _("Choose one of the allowed values."))
    late = request.GET.get("late", "").strip()
    if late not in ("", "0", "1"):
        raise _BadInput("late", _("Choose one of the allowed values."))
    return status, (None if late == "" else late == "1")


def _list_rows(user, campaign: Campaign, node: OrgUnit, status: str, late: bool | None) -> list[dict]:
    deadlines = _Deadlines()
    qs = selectors.assignments_in(user, campaign, node, status="missing" if status == "overdue" else (status or None), late=late)
    rows = []
    for a in qs:
        overdue = deadlines.overdue(a)
        if status == "overdue" and not overdue:
            continue
        rows.append({"a": a, "deadline": deadlines(a.effective_due_date), "overdue": overdue,
                     "badge": STATUS_BADGES.get(a.status, "secondary")})
    return rows


def _list_title(status: str, late: bool | None) -> str:
    if status:
        return {"missing": _("Missing"), "overdue": _("Overdue"), "returned": _("Returned"),
                "submitted": _("Awaiting review"), "accepted": _("Accepted")}[status]
    if late is True:
        return _("Late")
    if late is False:
        return _("On time")
    return _("Expected")


@login_required
@require_GET
def campaign_items(request, pk: int):
    """The organizations behind a completeness figure; ``?format=csv`` downloads them."""
    user = request.user
    try:
        campaign, node = _campaign_and_node(request, pk)
        status, late = _list_args(request)
        export = request.GET.get("format", "")
        if export not in ("", "csv"):
            raise _BadInput("format", _("Choose one of the allowed values."))
    except _BadInput as error:
        return _bad_request(error)
    rows = _list_rows(user, campaign, node, status, late)
    title = _list_title(status, late)
    if export == "csv":
        return _csv(campaign, node, rows, title)
    query = request.GET.copy()
    query["format"] = "csv"
    context = {"campaign": campaign, "node": node, "rows": rows, "title": title, "status": status, "late": late,
               "csv_url": f"{request.path}?{query.urlencode()}", "ancestors": _ancestors(user, node)}
    return render(request, "reporting/campaign_items.html", context)


def _csv(campaign: Campaign, node: OrgUnit, rows: list[dict], title: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a BOM: Excel then reads the file as UTF-8 and shows Kazakh letters
    writer = csv.writer(buffer)
    writer.writerow([_("Organization"), _("KATO code"), _("District or city"), _("Status"), _("Submitted at (Kazakhstan time)"),
                     _("Timeliness"), _("Deadline")])
    for row in rows:
        a = row["a"]
        submitted = timezone.localtime(a.submitted_at, calendar.KZ_TZ).strftime("%Y-%m-%d %H:%M") if a.submitted_at else ""
        timeliness = "" if a.is_late is None else (_("Late") if a.is_late else _("On time"))
        if row["overdue"]:
            timeliness = _("Overdue")
        writer.writerow([a.org_unit.name, a.org_unit.kato, a.org_unit.parent.name if a.org_unit.parent else "",
                         a.get_status_display(), submitted, timeliness, a.effective_due_date.isoformat()])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-unit-{node.pk}.csv"'
    return response


@login_required
@require_GET
def campaign_drill(request, pk: int):
    """The children of a node behind one consolidated number, each drilling further down."""
    user = request.user
    try:
        campaign, node = _campaign_and_node(request, pk)
    except _BadInput as error:
        return _bad_request(error)
    key = request.GET.get("cell", "").strip()
    if not CELL_KEY.match(key):
        return _bad_request(_BadInput("cell", _("Choose a cell of the form.")))
    spec = spec_for(campaign.form_id)
    cell = spec.cells.get(key)
    if cell is None:
        raise _not_found()
    rows = selectors.drill_down(user, campaign, node, key)
    org_ids = [r.unit.pk for r in rows if r.unit.level == Level.ORGANIZATION] + ([node.pk] if node.level == Level.ORGANIZATION else [])
    assignments = dict(Assignment.objects.filter(campaign=campaign, org_unit_id__in=org_ids).values_list("org_unit_id", "pk")) if org_ids else {}
    base = reverse("reporting:campaign_drill", args=[campaign.pk])
    items = []
    for r in rows:
        if r.unit.level == Level.ORGANIZATION:
            link = reverse("reporting:assignment", args=[assignments[r.unit.pk]]) if r.unit.pk in assignments else ""
        else:
            link = f"{base}?unit={r.unit.pk}&cell={key}"
        items.append({"unit": r.unit, "value": display_value(cell, r.value), "contributors": r.contributors, "link": link,
                      "is_org": r.unit.level == Level.ORGANIZATION})
    value = selectors.consolidated(user, campaign, node).get(key)
    ancestors = _ancestors(user, node)
    context = {
        "campaign": campaign, "node": node, "cell": cell, "cell_label": cell_label(spec, key), "key": key,
        "value": display_value(cell, value), "items": items, "ancestors": ancestors, "base": base,
        "node_assignment": assignments.get(node.pk), "form_title": localized(spec.title),
    }
    return render(request, "reporting/drill.html", context)
