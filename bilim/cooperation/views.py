"""Pages of the international office, part A (/<lang>/cooperation/…): the office and its C1 status,
the registry of foreigners, the questionnaire of Appendix 1 (a form in parts with rows to add and
remove), the foreigner's page with who viewed it, the printable questionnaire (PDF, kk and ru), the
photo, and the aggregates for the ministry, regions and districts. Thin: parse, call one selector
or service, render. Every object comes through a selector: outside the scope, 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bilim.core.errors import DomainError
from bilim.core.params import BadInput, bad_request, int_param
from bilim.core.scope import Scope

from . import documents, forms, questionnaire, reference, selectors, services
from .models import Category, Reason

PAGE_SIZE = 50


def _not_found() -> Http404:
    return Http404(_("Not found."))


def _date_param(request, name: str) -> date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadInput(name, _("Enter a date as YYYY-MM-DD.")) from None


def _choice_param(request, name: str, allowed) -> str:
    raw = request.GET.get(name, "").strip()
    if raw and raw not in allowed:
        raise BadInput(name, _("Choose one of the allowed values."))
    return raw


# --- home widget (called by core.views.home through CooperationConfig) -----------------------------------

def home_widgets(request) -> dict[str, Any]:
    """The international officer sees the C1 status of the office; the head sees the warning while a
    service is mandatory and none is recorded (no query for anyone else)."""
    from bilim.core.models import Role

    user = request.user
    context: dict[str, Any] = {"cooperation_statuses": [], "cooperation_alerts": []}
    if Scope.of(user, [Role.INTERNATIONAL_OFFICER]):
        context["cooperation_statuses"] = [selectors.office_status(unit) for unit in
                                           selectors.organizations_of(user, [Role.INTERNATIONAL_OFFICER])[:5]]
    if Scope.of(user, [Role.ORG_HEAD]):
        from .models import OfficeAlert

        heads = Scope.of(user, [Role.ORG_HEAD])
        shown = {s.org_unit.pk for s in context["cooperation_statuses"]}
        alerts = (OfficeAlert.objects.filter(heads.q("org_unit"), resolved_at__isnull=True).select_related("org_unit")
                  .order_by("-raised_at")[:5])
        context["cooperation_alerts"] = [a for a in alerts if a.org_unit_id not in shown]
    return context


# --- the office ---------------------------------------------------------------------------------------------

@login_required
@require_GET
def office_home(request):
    """/cooperation/: the user's organization (or a choice of them); the aggregates for officers above."""
    units = selectors.organizations_of(request.user, selectors.OFFICE_ROLES)
    if len(units) == 1:
        return redirect("cooperation:office", units[0].pk)
    if units:
        return render(request, "cooperation/choose.html", {"units": units})
    if Scope.of(request.user, selectors.STATISTICS_ROLES):
        return redirect("cooperation:statistics")
    raise _not_found()


@login_required
@require_GET
def office(request, unit_id: int):
    status = selectors.office_get(request.user, unit_id)
    unit = status.org_unit
    context = {
        "status": status, "unit": unit, "office": status.office, "staff": list(status.office.staff.all()) if status.office else [],
        "can_edit": selectors.can_edit_office(request.user, unit),
        "can_register": selectors.can_write(request.user, unit),
        "threshold": selectors.MANDATORY_THRESHOLD,
    }
    return render(request, "cooperation/office.html", context)


def _apply_errors(form, error: DomainError, lists: dict | None = None) -> dict[str, str]:
    """Put the service's errors next to their fields: ``relatives[2].birth_year`` on the relatives'
    form of that row, ``reasons.low_fees`` on that reason's rank. Returns what belongs to a whole
    section (``reasons``, ``relatives``…)."""
    sections: dict[str, str] = {}
    lists = lists or {}
    for field, message in error.fields.items():
        match = forms.ROW_ERROR.match(field)
        if match and match.group(1) in lists:
            formset, index = lists[match.group(1)]
            row = int(match.group(2))
            if row < len(index):
                target = formset.forms[index[row]]
                target.add_error(match.group(3) if match.group(3) in target.fields else None, message)
                continue
        head, _dot, tail = field.partition(".")
        if head == "reasons" and tail and f"rank_{tail}" in form.fields:
            form.add_error(f"rank_{tail}", message)
        elif head in form.fields and not tail:
            form.add_error(head, message)
        else:
            sections[head] = message
    return sections


@login_required
@require_http_methods(["GET", "POST"])
def office_edit(request, unit_id: int):
    status = selectors.office_get(request.user, unit_id)
    unit = status.org_unit
    if not selectors.can_edit_office(request.user, unit):
        raise _not_found()
    office = status.office
    sections: dict[str, str] = {}
    if request.method == "POST":
        form = forms.OfficeForm(request.POST)
        staff = forms.StaffFormSet(request.POST, prefix="staff")
        if form.is_valid() and staff.is_valid():
            rows, index = forms.formset_rows(staff)
            try:
                services.office_save(org_unit=unit, data=form.cleaned_data, staff=rows, by=request.user, request=request)
            except DomainError as error:
                sections = _apply_errors(form, error, {"staff": (staff, index)})
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The office is saved."))
                return redirect("cooperation:office", unit.pk)
    else:
        initial = {}
        staff_initial = []
        if office is not None:
            initial = {f: getattr(office, f) for f in ("kind", "name", "order_number", "order_date", "address", "building", "room",
                                                       "regulation_approved", "premises_secured")}
            staff_initial = [{f: getattr(s, f) for f in ("full_name", "position", "is_head", "work_phone", "home_phone", "email",
                                                         "order_number", "order_date", "experience_years", "foreign_languages",
                                                         "has_clearance")} for s in office.staff.all()]
        else:
            staff_initial = [{"is_head": True}]
        form = forms.OfficeForm(initial=initial)
        staff = forms.StaffFormSet(initial=staff_initial, prefix="staff")
    return render(request, "cooperation/office_form.html", {"unit": unit, "form": form, "staff": staff, "sections": sections,
                                                             "status": status})


# --- the registry -----------------------------------------------------------------------------------------

@login_required
@require_GET
def registry(request, unit_id: int):
    unit = selectors.organization_get(request.user, unit_id)
    try:
        status = _choice_param(request, "status", selectors.STATUSES) or "present"
        category = _choice_param(request, "category", Category.values)
        citizenship = _choice_param(request, "citizenship", {c.code for c in reference.countries()})
        page_number = int_param(request, "page") or 1
    except BadInput as error:
        return bad_request(error)
    query = request.GET.get("q", "").strip()[:100]
    rows = selectors.foreigner_registry(request.user, unit, query=query, citizenship=citizenship, category=category, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    language = get_language()
    context = {
        "unit": unit, "page": page, "query": query, "status": status, "category": category, "citizenship": citizenship,
        "statuses": [("present", _("At the organization")), ("expected", _("Expected")), ("departed", _("Departed")),
                     ("all", _("All"))],
        "categories": Category.choices, "countries": reference.country_choices(language, foreign_only=True),
        "can_register": selectors.can_write(request.user, unit),
        "special": selectors.can_see_special(request.user, unit),
        "rows": [{"f": f, "country": reference.country_name(f.citizenship, language), "state": f.status()} for f in page],
    }
    return render(request, "cooperation/registry.html", context)


# --- the questionnaire form -------------------------------------------------------------------------------

def _list_formsets(request, initial: dict[str, list] | None = None) -> dict[str, Any]:
    out = {}
    for prefix, (formset_class, _key) in forms.LISTS.items():
        if request.method == "POST":
            out[prefix] = formset_class(request.POST, prefix=prefix)
        else:
            out[prefix] = formset_class(initial=(initial or {}).get(prefix) or [], prefix=prefix)
    return out


def _questionnaire_context(form, formsets, sections, **extra) -> dict[str, Any]:
    language = get_language()
    version = questionnaire.CONSENT_VERSION
    return {
        "form": form, "formsets": formsets, "sections": sections, "reason_fields": form.reason_fields(),
        "consent_text": questionnaire.consent_text(version, language), "consent_version": version,
        "reason_count": len(Reason.choices), **extra,
    }


def _submit(request, form, formsets, save) -> tuple[Any, dict[str, str]]:
    """Parse the form and its lists and call ``save(data, photo)``; the errors go back on the fields."""
    sections: dict[str, str] = {}
    if not (form.is_valid() and all(f.is_valid() for f in formsets.values())):
        form.add_error(None, _("The questionnaire has errors; nothing was saved."))
        return None, sections
    data = form.to_data()
    lists = {}
    for prefix, formset in formsets.items():
        rows, index = forms.formset_rows(formset)
        data[forms.LISTS[prefix][1]] = rows
        lists[prefix] = (formset, index)
    try:
        return save(data, request.FILES.get("photo")), sections
    except DomainError as error:
        if error.status == 404:
            raise _not_found() from None
        sections = _apply_errors(form, error, lists)
        form.add_error(None, error.message)
        return None, sections


@login_required
@require_http_methods(["GET", "POST"])
def foreigner_new(request, unit_id: int):
    unit = selectors.organization_get(request.user, unit_id, roles=selectors.OFFICER_ROLES)
    sections: dict[str, str] = {}
    if request.method == "POST":
        form = forms.ForeignerForm(request.POST, request.FILES)
        formsets = _list_formsets(request)
        foreigner, sections = _submit(request, form, formsets, lambda data, photo: services.foreigner_register(
            org_unit=unit, data=data, photo=photo, by=request.user, request=request))
        if foreigner is not None:
            messages.success(request, _("The foreigner is registered."))
            return redirect("cooperation:foreigner", foreigner.pk)
    else:
        form = forms.ForeignerForm(initial={"consent_version": questionnaire.CONSENT_VERSION})
        formsets = _list_formsets(request)
    return render(request, "cooperation/foreigner_form.html",
                  _questionnaire_context(form, formsets, sections, unit=unit, foreigner=None, creating=True))


@login_required
@require_http_methods(["GET", "POST"])
def foreigner_edit(request, pk: int):
    sections: dict[str, str] = {}
    if request.method == "POST":
        foreigner = selectors.foreigner_for_write(request.user, pk)
        form = forms.ForeignerForm(request.POST, request.FILES, creating=False)
        formsets = _list_formsets(request)
        saved, sections = _submit(request, form, formsets, lambda data, photo: services.foreigner_update(
            foreigner=foreigner, data=data, photo=photo, by=request.user, request=request))
        if saved is not None:
            messages.success(request, _("The questionnaire is saved."))
            return redirect("cooperation:foreigner", saved.pk)
    else:
        # the form shows the special categories: an audited opening, like the page
        foreigner, _special = selectors.foreigner_open(request.user, pk, channel="edit", request=request, need_special=True)
        if not selectors.can_write(request.user, foreigner.org_unit):
            raise _not_found()
        form = forms.ForeignerForm(initial=forms.ForeignerForm.initial_from(foreigner), creating=False)
        formsets = _list_formsets(request, {"relatives": foreigner.relatives, "education": foreigner.education,
                                            "languages": foreigner.languages, "activities": foreigner.activities})
    return render(request, "cooperation/foreigner_form.html",
                  _questionnaire_context(form, formsets, sections, unit=foreigner.org_unit, foreigner=foreigner, creating=False))


# --- the foreigner's page, photo, departure, printable questionnaire -------------------------------------

@login_required
@require_GET
def foreigner(request, pk: int):
    found, special = selectors.foreigner_open(request.user, pk, channel="page", request=request)
    writable = special and selectors.can_write(request.user, found.org_unit)
    context = {
        "f": found, "unit": found.org_unit, "special": special, "can_write": writable,
        "view": documents.foreigner_view(found, special=special),
        "trail": selectors.foreigner_trail(request.user, found) if special else [],
        "departure_form": forms.DepartureForm() if writable and found.departure_date is None else None,
    }
    return render(request, "cooperation/foreigner.html", context)


@login_required
@require_POST
def foreigner_departure(request, pk: int):
    found = selectors.foreigner_for_write(request.user, pk)
    form = forms.DepartureForm(request.POST)
    if form.is_valid():
        try:
            services.foreigner_depart(foreigner=found, departure_date=form.cleaned_data["departure_date"],
                                      reason=form.cleaned_data["departure_reason"], note=form.cleaned_data["departure_note"],
                                      by=request.user, request=request)
        except DomainError as error:
            for message in error.fields.values() or [error.message]:
                messages.error(request, message)
        else:
            messages.success(request, _("The departure is recorded."))
    else:
        messages.error(request, _("The departure was not recorded."))
    return redirect("cooperation:foreigner", found.pk)


@login_required
@require_GET
def foreigner_photo(request, pk: int):
    found = selectors.foreigner_photo(request.user, pk)
    try:
        handle = found.photo.open("rb")
    except OSError:
        raise _not_found() from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def questionnaire_pdf(request, pk: int, lang: str):
    if lang not in questionnaire.DOCUMENT_LANGUAGES:
        raise _not_found()
    found, _special = selectors.foreigner_open(request.user, pk, channel=f"pdf-{lang}", request=request, need_special=True)
    pdf = documents.questionnaire_pdf(found, lang)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="questionnaire-{found.pk}-{lang}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- aggregates -------------------------------------------------------------------------------------------

@login_required
@require_GET
def statistics(request):
    try:
        unit_id = int_param(request, "unit")
        on = _date_param(request, "on")
    except BadInput as error:
        return bad_request(error)
    result = selectors.statistics(request.user, unit_id, on)
    node = result.node
    crumbs = []
    scope = Scope.of(request.user, selectors.STATISTICS_ROLES)
    unit = node
    while unit is not None and scope.contains_path(unit.path):
        crumbs.insert(0, unit)
        unit = unit.parent
    return render(request, "cooperation/statistics.html", {"s": result, "crumbs": crumbs,
                                                           "on_text": result.on.isoformat()})
