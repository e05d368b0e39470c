"""Pages of agreements (/<lang>/cooperation/agreements/…), partners, contacts with missions and
cultural centres, conference participation and the yearly work plan. Thin: parse, call one service
or selector, render. The organization's international officer writes; its head reads; anyone else
gets 404. The signed copy is downloaded through a view that checks access (never a static URL)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bilim.core.params import BadInput, bad_request

from . import agreements_selectors as selectors
from . import agreements_services as services
from . import mobility_common as common
from . import mobility_forms as forms
from .mobility_views import attempt, attempt_message, base_context, initial_of, people_choices, subdivision_choices, unit_of
from .models import Agreement, AgreementKind

STATUS_BADGES = {"proposal": "secondary", "draft": "info", "approved": "primary", "active": "success", "expired": "dark", "terminated": "danger"}


def _partner_choices(user, unit):
    return [(p.pk, f"{p.name} ({common.country_name(p.country)})") for p in selectors.partners(user, unit)]


# --- agreements -------------------------------------------------------------------------------------

@login_required
def agreements(request):
    unit = unit_of(request)
    status = request.GET.get("status") if request.GET.get("status") in Agreement.Status.values else None
    kind = request.GET.get("kind") if request.GET.get("kind") in AgreementKind.values else None
    rows = list(selectors.agreements(request.user, unit, status=status, kind=kind))
    for row in rows:
        row.country_name = common.country_name(row.partner.country)
        row.badge = STATUS_BADGES.get(row.status, "secondary")
    return render(request, "cooperation/agreements/list.html", base_context(request, unit, "agreements") | {
        "rows": rows, "statuses": Agreement.Status.choices, "kinds": AgreementKind.choices, "status": status or "", "kind": kind or "",
        "in_force": selectors.active_agreements(unit, timezone.localdate())})


AGREEMENT_FIELDS = ["partner", "title", "kind", "number", "subdivision", "subject", "signed_on", "valid_from", "valid_to"]


def _agreement_form(request, unit, agreement=None):
    return forms.AgreementForm(request.POST or None, unit=unit, initial=initial_of(agreement, AGREEMENT_FIELDS) if agreement else {},
                               choices={"partner": _partner_choices(request.user, unit), "subdivision": subdivision_choices(request.user, unit)})


@login_required
def agreement_new(request):
    unit = unit_of(request)
    if not common.can_write(request.user, unit):
        raise Http404(_("Not found."))
    form = _agreement_form(request, unit)
    if request.method == "POST" and form.is_valid():
        agreement = attempt(form, lambda: services.agreement_create(org_unit=unit, data=form.cleaned_data, by=request.user, request=request))
        if agreement:
            messages.success(request, _("The proposal is registered."))
            return redirect("cooperation:agreement", pk=agreement.pk)
    return render(request, "cooperation/agreements/edit.html", base_context(request, unit, "agreements") | {
        "form": form, "title": _("New agreement"), "back": f"{reverse('cooperation:agreements')}?org={unit.pk}",
        "partners_link": f"{reverse('cooperation:partners')}?org={unit.pk}"})


@login_required
def agreement_edit(request, pk: int):
    agreement = selectors.agreement_get(request.user, pk)
    unit = agreement.org_unit
    if not common.can_write(request.user, unit):
        raise Http404(_("Not found."))
    form = _agreement_form(request, unit, agreement)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.agreement_update(agreement=agreement, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect("cooperation:agreement", pk=agreement.pk)
    return render(request, "cooperation/agreements/edit.html", base_context(request, unit, "agreements") | {
        "form": form, "title": agreement.title, "back": reverse("cooperation:agreement", args=[agreement.pk])})


@login_required
def agreement_detail(request, pk: int):
    agreement = selectors.agreement_get(request.user, pk)
    unit = agreement.org_unit
    labels = dict(Agreement.Status.choices)
    moves = [{"status": s, "label": labels[s], "terminate": s == Agreement.Status.TERMINATED} for s in services.next_statuses(agreement)]
    flow = [{"status": s, "label": labels[s], "reached": services.FLOW.index(s) <= services.FLOW.index(agreement.status)
             if agreement.status in services.FLOW else False, "current": s == agreement.status} for s in services.FLOW]
    events = list(agreement.events.select_related("by"))
    for event in events:
        event.label = f"{labels.get(event.from_status, '')} → {labels.get(event.to_status, '')}" if event.from_status else labels.get(event.to_status, "")
    return render(request, "cooperation/agreements/detail.html", base_context(request, unit, "agreements") | {
        "agreement": agreement, "moves": moves, "flow": flow, "badge": STATUS_BADGES.get(agreement.status, "secondary"),
        "country_name": common.country_name(agreement.partner.country), "events": events,
        "notes": list(agreement.notes.select_related("by")), "note_form": forms.NoteForm(unit=unit, initial={"on": timezone.localdate()}),
        "copy_form": forms.CopyForm(unit=unit), "status_labels": labels,
        "in_force_now": selectors.with_start(Agreement.objects.filter(pk=agreement.pk)).filter(selectors.in_force_on(timezone.localdate())).exists()})


@login_required
@require_POST
def agreement_move(request, pk: int):
    agreement = selectors.agreement_get(request.user, pk)
    target = request.POST.get("status", "")
    if attempt_message(request, lambda: services.agreement_move(agreement=agreement, to_status=target, note=request.POST.get("note", ""),
                                                                by=request.user, request=request)):
        messages.success(request, _("The status is now “%(status)s”.") % {"status": dict(Agreement.Status.choices).get(target, target)})
    return redirect("cooperation:agreement", pk=agreement.pk)


@login_required
@require_POST
def agreement_copy_upload(request, pk: int):
    agreement = selectors.agreement_get(request.user, pk)
    upload = request.FILES.get("signed_copy")
    if upload is None:
        messages.error(request, _("Choose the file of the signed copy."))
    elif upload.size > services.MAX_SIGNED_COPY:
        messages.error(request, _("The file is larger than %(n)s MB.") % {"n": services.MAX_SIGNED_COPY // (1024 * 1024)})
    elif attempt_message(request, lambda: services.agreement_upload_copy(agreement=agreement, content=upload.read(), filename=upload.name,
                                                                        by=request.user, request=request)):
        messages.success(request, _("The signed copy is stored."))
    return redirect("cooperation:agreement", pk=agreement.pk)


@login_required
def agreement_copy(request, pk: int):
    agreement = selectors.agreement_get(request.user, pk)
    if not agreement.signed_copy:
        raise Http404(_("Not found."))
    try:
        handle = agreement.signed_copy.open("rb")
    except OSError:
        raise Http404(_("Not found.")) from None
    return FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=agreement.signed_copy_name or "signed.pdf")


@login_required
@require_POST
def agreement_note(request, pk: int):
    agreement = selectors.agreement_get(request.user, pk)
    form = forms.NoteForm(request.POST, unit=agreement.org_unit)
    on = form.cleaned_data.get("on") if form.is_valid() else None
    if attempt_message(request, lambda: services.agreement_note_add(agreement=agreement, on=on, text=request.POST.get("text", ""),
                                                                    by=request.user, request=request)):
        messages.success(request, _("Saved."))
    return redirect(reverse("cooperation:agreement", args=[agreement.pk]) + "#notes")


# --- partners ---------------------------------------------------------------------------------------

@login_required
def partners(request):
    unit = unit_of(request)
    form = forms.PartnerForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.partner_save(org_unit=unit, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('cooperation:partners')}?org={unit.pk}")
    rows = list(selectors.partners(request.user, unit))
    for row in rows:
        row.country_name = common.country_name(row.country)
    return render(request, "cooperation/agreements/partners.html", base_context(request, unit, "partners") | {"rows": rows, "form": form})


# --- contacts, conferences --------------------------------------------------------------------------

CONTACT_FIELDS = ["counterpart_kind", "counterpart", "country", "on", "form", "subject", "outcome"]


@login_required
def contacts(request):
    unit = unit_of(request)
    try:
        year = common.year_param(request)
    except BadInput as error:
        return bad_request(error)
    form = forms.ContactForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.contact_save(org_unit=unit, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('cooperation:contacts')}?org={unit.pk}")
    rows = list(selectors.contacts(request.user, unit, year=year))
    for row in rows:
        row.country_name = common.country_name(row.country)
    return render(request, "cooperation/agreements/contacts.html", base_context(request, unit, "contacts") | {"rows": rows, "form": form, "year": year or ""})


@login_required
def contact_edit(request, pk: int):
    contact = selectors.contact_get(request.user, pk)
    unit = contact.org_unit
    form = forms.ContactForm(request.POST or None, unit=unit, initial=initial_of(contact, CONTACT_FIELDS))
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.contact_save(org_unit=unit, contact=contact, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('cooperation:contacts')}?org={unit.pk}")
    return render(request, "cooperation/agreements/edit.html", base_context(request, unit, "contacts") | {
        "form": form, "title": contact.counterpart, "back": f"{reverse('cooperation:contacts')}?org={unit.pk}"})


CONFERENCE_FIELDS = ["person", "subdivision", "kind", "title", "country", "city", "starts_on", "ends_on", "role", "format", "paper"]


def _conference_form(request, unit, participation=None):
    return forms.ConferenceForm(request.POST or None, unit=unit, initial=initial_of(participation, CONFERENCE_FIELDS) if participation else {},
                                choices={"person": people_choices(request.user, unit), "subdivision": subdivision_choices(request.user, unit)})


@login_required
def conferences(request):
    unit = unit_of(request)
    try:
        year = common.year_param(request)
    except BadInput as error:
        return bad_request(error)
    form = _conference_form(request, unit)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.conference_save(org_unit=unit, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('cooperation:conferences')}?org={unit.pk}")
    rows = list(selectors.conferences(request.user, unit, year=year))
    for row in rows:
        row.country_name = common.country_name(row.country)
    return render(request, "cooperation/agreements/conferences.html", base_context(request, unit, "conferences") | {
        "rows": rows, "form": form, "year": year or ""})


@login_required
def conference_edit(request, pk: int):
    participation = selectors.conference_get(request.user, pk)
    unit = participation.org_unit
    form = _conference_form(request, unit, participation)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.conference_save(org_unit=unit, participation=participation, data=form.cleaned_data, by=request.user,
                                                          request=request)):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('cooperation:conferences')}?org={unit.pk}")
    return render(request, "cooperation/agreements/edit.html", base_context(request, unit, "conferences") | {
        "form": form, "title": participation.title, "back": f"{reverse('cooperation:conferences')}?org={unit.pk}"})


# --- the work plan ----------------------------------------------------------------------------------

@login_required
def work_plans(request):
    unit = unit_of(request)
    form = forms.WorkPlanForm(request.POST or None, unit=unit, initial={"year": common.year_of(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        plan = attempt(form, lambda: services.work_plan_create(org_unit=unit, by=request.user, request=request, **form.cleaned_data))
        if plan:
            return redirect("cooperation:work_plan", pk=plan.pk)
    return render(request, "cooperation/agreements/work_plans.html", base_context(request, unit, "work_plan") | {
        "rows": list(selectors.work_plans(request.user, unit)), "form": form})


WORK_ITEM_FIELDS = ["activity", "responsible", "due_on", "done", "done_on", "result"]


@login_required
def work_plan_detail(request, pk: int):
    plan = selectors.work_plan_get(request.user, pk)
    unit = plan.org_unit
    form = forms.WorkPlanItemForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.work_plan_item_save(plan=plan, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect("cooperation:work_plan", pk=plan.pk)
    items = list(plan.items.all())
    return render(request, "cooperation/agreements/work_plan.html", base_context(request, unit, "work_plan") | {
        "plan": plan, "items": items, "form": form, "done": sum(1 for i in items if i.done), "today": timezone.localdate()})


@login_required
def work_plan_item_edit(request, pk: int):
    item = selectors.work_plan_item_get(request.user, pk)
    unit = item.plan.org_unit
    form = forms.WorkPlanItemForm(request.POST or None, unit=unit, initial=initial_of(item, WORK_ITEM_FIELDS))
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.work_plan_item_save(plan=item.plan, item=item, data=form.cleaned_data, by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect("cooperation:work_plan", pk=item.plan_id)
    return render(request, "cooperation/agreements/edit.html", base_context(request, unit, "work_plan") | {
        "form": form, "title": f"{item.number}. {item.activity[:80]}", "back": reverse("cooperation:work_plan", args=[item.plan_id])})
