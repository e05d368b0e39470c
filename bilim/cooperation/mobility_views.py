"""Pages of outgoing mobility (/<lang>/cooperation/mobility/…): the overview with the overdue
reports, subdivisions, people, the reserve of candidates, the plans of foreign trips (the head
approves), trips with their checklist, return and report. Thin: parse, call one service or
selector, render. The organization's international officer writes; its head reads and approves;
anyone else gets 404."""

from __future__ import annotations

from typing import Any, Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bilim.core.errors import DomainError
from bilim.core.params import BadInput, bad_request, int_param

from . import mobility_common as common
from . import mobility_forms as forms
from . import mobility_selectors as selectors
from . import mobility_services as services
from .models import ReserveCandidate, Trip, TripPlan


# --- helpers shared with the other page modules -----------------------------------------------------

def unit_of(request):
    """The organization the page is about (``?org=`` when the user works for several)."""
    try:
        org_id = int_param(request, "org")
    except BadInput:
        raise Http404(_("Not found.")) from None
    return common.office_unit(request.user, org_id)


def base_context(request, unit, active: str) -> dict[str, Any]:
    return {"unit": unit, "active": active, "can_write": common.can_write(request.user, unit),
            "can_approve": common.can_approve(request.user, unit), "units": list(common.office_units(request.user))}


def attempt(form, call: Callable[[], Any]):
    """Run a service; a domain error goes back onto the form (404 stays a 404). None on failure."""
    try:
        return call()
    except DomainError as error:
        if error.status == 404:
            raise Http404(_("Not found.")) from None
        form.apply_errors(error)
        return None


def attempt_message(request, call: Callable[[], Any]):
    """Run a service from a button: a domain error becomes an error message on the next page."""
    try:
        return call()
    except DomainError as error:
        if error.status == 404:
            raise Http404(_("Not found.")) from None
        details = "; ".join(dict.fromkeys(error.fields.values())) if error.fields else ""
        messages.error(request, f"{error.message} {details}".strip() if details and details != error.message else error.message)
        return None


def subdivision_choices(user, unit) -> list[tuple[int, str]]:
    return [(s.pk, s.name) for s in selectors.subdivisions(user, unit, active_only=True)]


def people_choices(user, unit) -> list[tuple[int, str]]:
    return [(p.pk, f"{p.full_name} ({p.birth_year})") for p in selectors.people(user, unit)]


def initial_of(obj, names) -> dict:
    result = {}
    for name in names:
        value = getattr(obj, f"{name}_id", None) if hasattr(obj, f"{name}_id") else getattr(obj, name, None)
        result[name] = value
    return result


# --- the overview -----------------------------------------------------------------------------------

@login_required
def overview(request):
    unit = unit_of(request)
    today = timezone.localdate()
    return render(request, "cooperation/mobility/overview.html", base_context(request, unit, "mobility") | {
        "counts": selectors.counts(request.user, unit, today=today),
        "overdue": list(selectors.overdue_reports(request.user, unit, today=today)[:50]),
        "due": list(selectors.reports_due(request.user, unit).filter(report_due__gte=today)[:20]),
        "under_way": list(selectors.trips(request.user, unit, status=Trip.Status.ABROAD)[:20]),
        "report_days": common.report_working_days(), "today": today,
    })


@login_required
def overdue(request):
    unit = unit_of(request)
    today = timezone.localdate()
    return render(request, "cooperation/mobility/overdue.html", base_context(request, unit, "overdue") | {
        "trips": list(selectors.overdue_reports(request.user, unit, today=today)), "today": today, "report_days": common.report_working_days(),
    })


# --- subdivisions -----------------------------------------------------------------------------------

SUBDIVISION_FIELDS = ["name_kk", "name_ru", "name_en", "address", "building", "room", "phone", "external_relations", "is_active"]


@login_required
def subdivisions(request):
    unit = unit_of(request)
    form = forms.SubdivisionForm(request.POST or None, unit=unit, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.subdivision_save(org_unit=unit, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('cooperation:subdivisions')}?org={unit.pk}")
    return render(request, "cooperation/mobility/subdivisions.html", base_context(request, unit, "subdivisions") | {
        "rows": list(selectors.subdivisions(request.user, unit)), "form": form})


@login_required
def subdivision_edit(request, pk: int):
    subdivision = selectors.subdivision_get(request.user, pk)
    unit = subdivision.org_unit
    form = forms.SubdivisionForm(request.POST or None, unit=unit, initial=initial_of(subdivision, SUBDIVISION_FIELDS))
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.subdivision_save(org_unit=unit, subdivision=subdivision, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('cooperation:subdivisions')}?org={unit.pk}")
    return render(request, "cooperation/mobility/edit.html", base_context(request, unit, "subdivisions") | {
        "form": form, "title": subdivision.name, "back": f"{reverse('cooperation:subdivisions')}?org={unit.pk}"})


# --- people -----------------------------------------------------------------------------------------

PERSON_FIELDS = ["last_name", "first_name", "patronymic", "birth_year", "category", "subdivision", "home_address", "phone", "email"]


@login_required
def people(request):
    unit = unit_of(request)
    form = forms.PersonForm(request.POST or None, unit=unit, choices={"subdivision": subdivision_choices(request.user, unit)})
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.person_save(org_unit=unit, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('cooperation:people')}?org={unit.pk}")
    return render(request, "cooperation/mobility/people.html", base_context(request, unit, "people") | {
        "rows": list(selectors.people(request.user, unit)), "form": form})


@login_required
def person_edit(request, pk: int):
    person = selectors.person_get(request.user, pk)
    unit = person.org_unit
    form = forms.PersonForm(request.POST or None, unit=unit, choices={"subdivision": subdivision_choices(request.user, unit)},
                            initial=initial_of(person, PERSON_FIELDS))
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.person_save(org_unit=unit, person=person, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('cooperation:people')}?org={unit.pk}")
    return render(request, "cooperation/mobility/edit.html", base_context(request, unit, "people") | {
        "form": form, "title": person.full_name, "back": f"{reverse('cooperation:people')}?org={unit.pk}",
        "trips": list(person.trips.select_related("subdivision").order_by("-starts_on"))})


# --- the reserve of candidates ----------------------------------------------------------------------

def _reserve_form(request, unit, candidate=None):
    initial = {}
    if candidate is not None:
        initial = {"person": candidate.person_id, "subdivision": candidate.subdivision_id, "countries": candidate.countries,
                   "preparation": candidate.preparation, "status": candidate.status}
        for n, item in enumerate(candidate.languages[:2], start=1):
            initial |= {f"language_{n}": item.get("language"), f"level_{n}": item.get("level"), f"certificate_{n}": item.get("certificate", "")}
    return forms.ReserveForm(request.POST or None, unit=unit, initial=initial, choices={
        "person": people_choices(request.user, unit), "subdivision": subdivision_choices(request.user, unit)})


def _reserve_save(request, unit, form, candidate=None):
    from .models import MobilityPerson

    person = MobilityPerson.objects.filter(org_unit=unit, pk=form.cleaned_data["person"]).first() if form.cleaned_data["person"].isdigit() else None
    return attempt(form, lambda: services.reserve_save(
        org_unit=unit, person=person, subdivision=form.cleaned_data["subdivision"], languages=form.languages(),
        countries=form.cleaned_data["countries"], preparation=form.cleaned_data["preparation"], status=form.cleaned_data["status"],
        by=request.user, candidate=candidate, request=request))


@login_required
def reserve(request):
    unit = unit_of(request)
    form = _reserve_form(request, unit)
    if request.method == "POST" and form.is_valid() and _reserve_save(request, unit, form):
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('cooperation:reserve')}?org={unit.pk}")
    status = request.GET.get("status") if request.GET.get("status") in ReserveCandidate.Status.values else None
    rows = list(selectors.reserve(request.user, unit, status=status))
    for row in rows:
        row.language_list = [f"{common.language_name(i['language'])} {i['level']}" + (f" ({i['certificate']})" if i.get("certificate") else "")
                             for i in row.languages]
        row.country_list = [common.country_name(code) for code in row.countries]
    return render(request, "cooperation/mobility/reserve.html", base_context(request, unit, "reserve") | {
        "rows": rows, "form": form, "statuses": ReserveCandidate.Status.choices, "status": status or ""})


@login_required
def candidate_edit(request, pk: int):
    candidate = selectors.candidate_get(request.user, pk)
    unit = candidate.org_unit
    form = _reserve_form(request, unit, candidate)
    if request.method == "POST" and form.is_valid() and _reserve_save(request, unit, form, candidate):
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('cooperation:reserve')}?org={unit.pk}")
    return render(request, "cooperation/mobility/edit.html", base_context(request, unit, "reserve") | {
        "form": form, "title": candidate.person.full_name, "back": f"{reverse('cooperation:reserve')}?org={unit.pk}"})


# --- plans of foreign trips -------------------------------------------------------------------------

@login_required
def plans(request):
    unit = unit_of(request)
    form = forms.PlanCreateForm(request.POST or None, unit=unit, initial={"year": common.year_of(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        plan = attempt(form, lambda: services.trip_plan_create(org_unit=unit, year=form.cleaned_data["year"], by=request.user, request=request))
        if plan:
            return redirect("cooperation:plan", pk=plan.pk)
    return render(request, "cooperation/mobility/plans.html", base_context(request, unit, "plans") | {
        "rows": list(selectors.plans(request.user, unit)), "form": form})


def _item_form(request, plan, item=None, data=None):
    initial = {"participants": 1}
    if item is not None:
        initial = initial_of(item, ["subdivision", "purpose", "country", "host_organization", "starts_on", "ends_on", "participants", "funding", "note"])
    return forms.PlanItemForm(data, unit=plan.org_unit, initial=initial, choices={"subdivision": subdivision_choices(request.user, plan.org_unit)},
                              prefix=f"item{item.pk}" if item else "new")


@login_required
def plan_detail(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    unit = plan.org_unit
    form = _item_form(request, plan, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.trip_plan_item_save(plan=plan, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect("cooperation:plan", pk=plan.pk)
    items = selectors.plan_items(plan)
    groups: dict[str, list] = {}
    for item in items:
        item.country_name = common.country_name(item.country)
        groups.setdefault(item.subdivision.name, []).append(item)
    return render(request, "cooperation/mobility/plan.html", base_context(request, unit, "plans") | {
        "plan": plan, "groups": groups, "form": form, "version_form": forms.NewVersionForm(unit=unit),
        "versions": list(TripPlan.objects.filter(org_unit=unit, year=plan.year).order_by("-version")),
        "people_total": sum(i.participants for i in items)})


@login_required
@require_POST
def plan_item_delete(request, pk: int):
    item = selectors.plan_item_get(request.user, pk)
    attempt_message(request, lambda: services.trip_plan_item_delete(item=item, by=request.user, request=request))
    return redirect("cooperation:plan", pk=item.plan_id)


@login_required
@require_POST
def plan_approve(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    if attempt_message(request, lambda: services.trip_plan_approve(plan=plan, by=request.user, request=request)):
        messages.success(request, _("The plan is approved."))
    return redirect("cooperation:plan", pk=plan.pk)


@login_required
@require_POST
def plan_request_approval(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    if attempt_message(request, lambda: services.trip_plan_request_approval(plan=plan, by=request.user, request=request)):
        messages.success(request, _("The head was asked to approve the plan."))
    return redirect("cooperation:plan", pk=plan.pk)


@login_required
@require_POST
def plan_new_version(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    reason = request.POST.get("change_reason", "")
    draft = attempt_message(request, lambda: services.trip_plan_new_version(plan=plan, reason=reason, by=request.user, request=request))
    return redirect("cooperation:plan", pk=draft.pk if draft else plan.pk)


# --- trips ------------------------------------------------------------------------------------------

TRIP_FIELDS = ["person", "subdivision", "purpose", "plan_item", "country", "city", "host_organization", "address_abroad", "starts_on", "ends_on",
               "funding", "funding_note", "order_number", "order_date"]


def _trip_form(request, unit, trip=None):
    items = [(i.pk, f"{i.plan.year} · {i.subdivision.name} · {common.country_name(i.country)} · {i.host_organization} "
                    f"({i.starts_on:%d.%m.%Y}–{i.ends_on:%d.%m.%Y})") for i in selectors.approved_plan_items(request.user, unit)]
    initial = initial_of(trip, TRIP_FIELDS) if trip else {}
    if trip is None and request.GET.get("item", "").isdigit():
        item = next((i for i in selectors.approved_plan_items(request.user, unit) if i.pk == int(request.GET["item"])), None)
        if item is not None:
            initial = {"plan_item": item.pk, "subdivision": item.subdivision_id, "purpose": item.purpose, "country": item.country,
                       "host_organization": item.host_organization, "starts_on": item.starts_on, "ends_on": item.ends_on, "funding": item.funding}
    return forms.TripForm(request.POST or None, unit=unit, initial=initial, choices={
        "person": people_choices(request.user, unit), "subdivision": subdivision_choices(request.user, unit), "plan_item": items})


@login_required
def trips(request):
    unit = unit_of(request)
    status = request.GET.get("status") if request.GET.get("status") in Trip.Status.values else None
    try:
        year = common.year_param(request) or ""
    except BadInput as error:
        return bad_request(error)
    rows = list(selectors.trips(request.user, unit, status=status, year=year or None)[:500])
    for row in rows:
        row.country_name = common.country_name(row.country)
    return render(request, "cooperation/mobility/trips.html", base_context(request, unit, "trips") | {
        "rows": rows, "statuses": Trip.Status.choices, "status": status or "", "year": year, "today": timezone.localdate()})


@login_required
def trip_new(request):
    unit = unit_of(request)
    if not common.can_write(request.user, unit):
        raise Http404(_("Not found."))
    form = _trip_form(request, unit)
    if request.method == "POST" and form.is_valid():
        trip = attempt(form, lambda: services.trip_create(org_unit=unit, data=form.cleaned_data, by=request.user, request=request))
        if trip:
            messages.success(request, _("The trip is registered; its documents checklist is below."))
            return redirect("cooperation:trip", pk=trip.pk)
    return render(request, "cooperation/mobility/edit.html", base_context(request, unit, "trips") | {
        "form": form, "title": _("New foreign trip"), "back": f"{reverse('cooperation:trips')}?org={unit.pk}"})


@login_required
def trip_edit(request, pk: int):
    trip = selectors.trip_get(request.user, pk)
    unit = trip.org_unit
    if not common.can_write(request.user, unit):
        raise Http404(_("Not found."))
    form = _trip_form(request, unit, trip)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.trip_update(trip=trip, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect("cooperation:trip", pk=trip.pk)
    return render(request, "cooperation/mobility/edit.html", base_context(request, unit, "trips") | {
        "form": form, "title": str(trip.person), "back": reverse("cooperation:trip", args=[trip.pk])})


@login_required
def trip_detail(request, pk: int):
    trip = selectors.trip_get(request.user, pk)
    unit = trip.org_unit
    report_form = forms.TripReportForm(unit=unit)
    return_form = forms.ReturnForm(unit=unit, initial={"returned_on": min(trip.ends_on, timezone.localdate())})
    documents = list(trip.documents.all())
    return render(request, "cooperation/mobility/trip.html", base_context(request, unit, "trips") | {
        "trip": trip, "documents": documents, "done": sum(1 for d in documents if d.done), "report_form": report_form,
        "return_form": return_form, "cancel_form": forms.CancelForm(unit=unit), "document_form": forms.DocumentAddForm(unit=unit),
        "country_name": common.country_name(trip.country), "report": getattr(trip, "report", None) if trip.status == Trip.Status.REPORTED else None,
        "overdue": trip.status == Trip.Status.RETURNED and trip.report_due and trip.report_due < timezone.localdate(),
        "report_days": common.report_working_days()})


@login_required
@require_POST
def trip_document(request, pk: int):
    trip = selectors.trip_get(request.user, pk)
    doc_id = request.POST.get("document", "")
    document = next((d for d in trip.documents.all() if str(d.pk) == doc_id), None)
    if doc_id and document is None:
        raise Http404(_("Not found."))
    attempt_message(request, lambda: services.trip_document_set(
        trip=trip, document=document, done=request.POST.get("done") == "1", note=request.POST.get("note", ""),
        label=request.POST.get("label", ""), remove=request.POST.get("remove") == "1", by=request.user, request=request))
    return redirect(reverse("cooperation:trip", args=[trip.pk]) + "#documents")


@login_required
@require_POST
def trip_depart(request, pk: int):
    trip = selectors.trip_get(request.user, pk)
    if attempt_message(request, lambda: services.trip_depart(trip=trip, by=request.user, request=request)):
        messages.success(request, _("The trip has started."))
    return redirect("cooperation:trip", pk=trip.pk)


@login_required
@require_POST
def trip_return(request, pk: int):
    trip = selectors.trip_get(request.user, pk)
    form = forms.ReturnForm(request.POST, unit=trip.org_unit)
    returned_on = form.cleaned_data["returned_on"] if form.is_valid() else None
    if attempt_message(request, lambda: services.trip_return(trip=trip, returned_on=returned_on, by=request.user, request=request)):
        messages.success(request, _("The return is recorded; the report is due %(date)s.") % {"date": Trip.objects.get(pk=trip.pk).report_due.strftime("%d.%m.%Y")})
    return redirect("cooperation:trip", pk=trip.pk)


@login_required
@require_POST
def trip_cancel(request, pk: int):
    trip = selectors.trip_get(request.user, pk)
    if attempt_message(request, lambda: services.trip_cancel(trip=trip, reason=request.POST.get("reason", ""), by=request.user, request=request)):
        messages.success(request, _("The trip is cancelled."))
    return redirect("cooperation:trip", pk=trip.pk)


@login_required
@require_POST
def trip_report(request, pk: int):
    trip = selectors.trip_get(request.user, pk)
    form = forms.TripReportForm(request.POST, unit=trip.org_unit)
    if form.is_valid():
        if attempt(form, lambda: services.trip_report_submit(trip=trip, by=request.user, request=request, **form.cleaned_data)):
            messages.success(request, _("The report is submitted."))
            return redirect("cooperation:trip", pk=trip.pk)
    documents = list(trip.documents.all())
    return render(request, "cooperation/mobility/trip.html", base_context(request, trip.org_unit, "trips") | {
        "trip": trip, "documents": documents, "done": sum(1 for d in documents if d.done), "report_form": form,
        "return_form": forms.ReturnForm(unit=trip.org_unit), "cancel_form": forms.CancelForm(unit=trip.org_unit),
        "document_form": forms.DocumentAddForm(unit=trip.org_unit), "country_name": common.country_name(trip.country),
        "report_days": common.report_working_days()}, status=400)
