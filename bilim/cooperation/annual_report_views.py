"""Pages of the annual report (/<lang>/cooperation/annual-report/…): the preview of Appendix 2 for a
year in kk, ru or en, its DOCX and PDF (kk, ru), the §9 text, the reporting assignment and its
submission by the head, the documents of each submitted version; and the country's figures by
country for the ministry and the regions (/<lang>/cooperation/figures/)."""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bilim.core import calendar
from bilim.core.errors import DomainError
from bilim.core.params import BadInput, bad_request, int_param
from bilim.reporting import selectors as reporting_selectors

from . import agreements_selectors, agreements_services, annual_report, annual_report_selectors, annual_report_services
from . import mobility_common as common
from . import mobility_forms as forms
from .mobility_views import attempt, base_context, unit_of

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year(request) -> str:
    return common.year_param(request, default=common.last_finished_year(timezone.localdate()), posted=True)


def _doc_language(request, allowed=annual_report.LANGUAGES) -> str:
    language = request.GET.get("lang") or (get_language() or "kk")[:2]
    if language not in allowed:
        raise BadInput("lang", _("Choose one of: %(list)s.") % {"list": ", ".join(allowed)})
    return language


def _filename(unit, year: str, language: str, ext: str, version: int | None = None) -> str:
    suffix = f"-v{version}" if version else ""
    return f"appendix2-{unit.bin or unit.pk}-{year}-{language}{suffix}.{ext}"


@login_required
def annual_report_page(request):
    unit = unit_of(request)
    try:
        year = _year(request)
        language = _doc_language(request)
    except BadInput as error:
        return bad_request(error)
    data = annual_report_selectors.report_data(request.user, unit, year)
    assignment = annual_report_selectors.assignment(request.user, unit, year)
    can_submit = bool(assignment and reporting_selectors.can_submit(request.user, assignment) and common.can_approve(request.user, unit))
    deadline = common.report_deadline(year)
    return render(request, "cooperation/report/page.html", base_context(request, unit, "report") | {
        "year": year, "doc": annual_report.document(data, language), "doc_language": language, "figures": annual_report.figures(data),
        "assignment": assignment, "can_submit": can_submit, "deadline": deadline, "effective_deadline": calendar.effective_deadline(
            assignment.effective_due_date if assignment else deadline),
        "submit_form": forms.SubmitForm(unit=unit, initial={"head_name": request.user.full_name}),
        "snapshots": list(annual_report_selectors.snapshots(request.user, unit, year)),
        "years": [common.last_finished_year(timezone.localdate()), common.year_of(timezone.localdate())],
        "teaching_empty": not any(data["s9"]["texts"].values()) and not data["s9"]["materials"],
        "idempotency_key": uuid.uuid4().hex,
    })


@login_required
def annual_report_download(request, fmt: str):
    unit = unit_of(request)
    try:
        year = _year(request)
        language = _doc_language(request, annual_report.DOCUMENT_LANGUAGES)
    except BadInput as error:
        return bad_request(error)
    data = annual_report_selectors.report_data(request.user, unit, year)
    return _document_response(request, unit, data, year, language, fmt)


@login_required
def annual_report_snapshot(request, pk: int, fmt: str):
    unit = unit_of(request)
    try:
        language = _doc_language(request, annual_report.DOCUMENT_LANGUAGES)
    except BadInput as error:
        return bad_request(error)
    snapshot = annual_report_selectors.snapshot_get(request.user, unit, pk)
    return _document_response(request, unit, snapshot.data, snapshot.year, language, fmt, version=snapshot.version)


def _document_response(request, unit, data, year: str, language: str, fmt: str, version: int | None = None) -> HttpResponse:
    if fmt == "docx":
        content, content_type = annual_report.to_docx(data, language), DOCX_TYPE
    elif fmt == "pdf":
        copies = annual_report_selectors.signed_copies(request.user, unit, data)
        content, content_type = annual_report.to_pdf(data, language, copies=copies), "application/pdf"
    else:
        raise Http404(_("Not found."))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(unit, year, language, fmt, version)}"'
    return response


@login_required
def annual_report_teaching(request):
    unit = unit_of(request)
    try:
        year = _year(request)
    except BadInput as error:
        return bad_request(error)
    if not common.can_write(request.user, unit):
        raise Http404(_("Not found."))
    report = agreements_selectors.teaching_report(request.user, unit, year)
    initial = {}
    if report is not None:
        initial = {key: getattr(report, key) for key in annual_report.TEACHING_FIELDS}
        for n, material in enumerate(report.materials.all()[: forms.MATERIAL_ROWS]):
            initial |= {f"material_{n}_kind": material.kind, f"material_{n}_title": material.title, f"material_{n}_authors": material.authors}
    form = forms.TeachingForm(request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data.get(key, "") for key in annual_report.TEACHING_FIELDS}
        if attempt(form, lambda: agreements_services.teaching_report_save(org_unit=unit, year=year, data=data, materials=form.materials(),
                                                                         by=request.user, request=request)):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('cooperation:annual_report')}?org={unit.pk}&year={year}#section-9")
    return render(request, "cooperation/report/teaching.html", base_context(request, unit, "report") | {
        "form": form, "year": year, "heading": annual_report.SECTIONS[9].get((get_language() or "kk")[:2], annual_report.SECTIONS[9]["en"])})


@login_required
@require_POST
def annual_report_submit(request):
    unit = unit_of(request)
    try:
        year = _year(request)
    except BadInput as error:
        return bad_request(error)
    form = forms.SubmitForm(request.POST, unit=unit)
    back = f"{reverse('cooperation:annual_report')}?org={unit.pk}&year={year}"
    if not form.is_valid():
        messages.error(request, _("The report cannot be submitted."))
        return redirect(back)
    try:
        snapshot = annual_report_services.report_submit(
            org_unit=unit, year=year, by=request.user, head_name=form.cleaned_data["head_name"], head_confirmed=form.cleaned_data["head_confirmed"],
            correction_reason=form.cleaned_data.get("correction_reason", ""), idempotency_key=request.POST.get("idempotency_key") or None,
            request=request)
    except DomainError as error:
        if error.status == 404:
            raise Http404(_("Not found.")) from None
        details = "; ".join(dict.fromkeys(error.fields.values())) if error.fields else ""
        messages.error(request, f"{error.message} {details}".strip() if details and details != error.message else error.message)
        return redirect(back)
    messages.success(request, _("The report was submitted (version %(n)s).") % {"n": snapshot.version})
    return redirect(back)


# --- the country's figures --------------------------------------------------------------------------

@login_required
def figures(request):
    try:
        node_id = int_param(request, "node")
        year = _year(request)
    except BadInput as error:
        return bad_request(error)
    node = annual_report_selectors.figures_node(request.user, node_id)
    result = annual_report_selectors.country_figures(request.user, node, year)
    from .models import Category, Purpose, StayPurpose

    categories = list(Category.choices)
    by_country: dict[str, dict] = defaultdict(lambda: {"categories": defaultdict(int), "purposes": defaultdict(int), "total": 0})
    for row in result.foreigners:
        entry = by_country[row["country"]]
        entry["categories"][row["category"]] += row["count"]
        entry["purposes"][row["purpose"]] += row["count"]
        entry["total"] += row["count"]
    foreign_rows = sorted(({"country": code, "name": common.country_name(code), "total": e["total"],
                            "categories": [e["categories"].get(c, 0) for c, _l in categories],
                            "purposes": [e["purposes"].get(p, 0) for p, _l in StayPurpose.choices]}
                           for code, e in by_country.items()), key=lambda r: (-r["total"], r["name"]))
    purposes = list(Purpose.choices)
    trips: dict[str, dict] = defaultdict(lambda: {"purposes": defaultdict(int), "total": 0})
    for row in result.trips:
        trips[row["country"]]["purposes"][row["purpose"]] += row["count"]
        trips[row["country"]]["total"] += row["count"]
    trip_rows = sorted(({"country": code, "name": common.country_name(code), "total": e["total"],
                         "purposes": [e["purposes"].get(p, 0) for p, _l in purposes]} for code, e in trips.items()),
                       key=lambda r: (-r["total"], r["name"]))

    def totals(rows, key, width):
        return [sum(r[key][i] for r in rows) for i in range(width)]

    return render(request, "cooperation/report/figures.html", {
        "node": node, "year": year, "categories": categories, "stay_purposes": list(StayPurpose.choices), "purposes": purposes,
        "foreign_rows": foreign_rows, "trip_rows": trip_rows,
        "foreign_totals": {"categories": totals(foreign_rows, "categories", len(categories)),
                           "purposes": totals(foreign_rows, "purposes", len(StayPurpose.choices)), "total": sum(r["total"] for r in foreign_rows)},
        "trip_totals": {"purposes": totals(trip_rows, "purposes", len(purposes)), "total": sum(r["total"] for r in trip_rows)},
        "years": [common.last_finished_year(timezone.localdate()), common.year_of(timezone.localdate())],
        "now": timezone.localtime(),
    })
