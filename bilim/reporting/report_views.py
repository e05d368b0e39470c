"""Summary reports and time series: pages and downloads. Thin: parse, check scope (anything
outside the user's scope is 404, like anything that does not exist), call ``reports``, answer."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from bilim.core.models import OrgUnit
from bilim.core.paths import is_ascii_digits

from . import reports, selectors
from .models import Indicator

FORMATS = {
    "xlsx": reports.XLSX_CONTENT_TYPE,
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


def content_disposition(name: str, ascii_name: str, *, attachment: bool = True) -> str:
    """``attachment; filename="D-1_2026-2027_Esil_audany.pdf"; filename*=UTF-8''D-1%20…`` — the ASCII
    name for old clients, the real one (RFC 5987 / RFC 6266) for every browser of today."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in ascii_name) or "download"
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _download(body: bytes, content_type: str, names: tuple[str, str]) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition(*names)
    response["Cache-Control"] = "private, no-store"
    return response


def _unit_id(request) -> int | None:
    raw = request.GET.get("unit", "")
    if raw == "":
        return None
    if not is_ascii_digits(raw) or len(raw) > 12:
        raise Http404
    return int(raw)


def _node(request, campaign=None) -> OrgUnit:
    """The unit asked for (``?unit=``) or the user's highest one; 404 outside what they may read."""
    node = selectors.node_for(request.user, campaign, _unit_id(request))
    if not reports.can_read_reports(request.user, node):
        raise Http404
    return node


def _language() -> str:
    return (get_language() or "kk")[:2]


@login_required
@require_GET
def campaign_summary(request, campaign_id: int):
    """The summary report of a campaign for one node: ``format`` html (printable page), xlsx, pdf, csv."""
    fmt = request.GET.get("format", "html")
    if fmt not in FORMATS and fmt != "html":
        return HttpResponseBadRequest("format: html, xlsx, pdf or csv")
    campaign = selectors.campaign_get(request.user, campaign_id)
    node = _node(request, campaign)
    report = reports.summary_data(request.user, campaign, node)
    language = _language()
    if fmt == "html":
        return render(request, "reporting/reports/summary.html", reports.summary_context(report, language))
    body = {"xlsx": reports.to_xlsx, "pdf": reports.to_pdf, "csv": reports.to_csv}[fmt](report, language)
    return _download(body, FORMATS[fmt], reports.filename(report, language, fmt))


@login_required
@require_GET
def campaign_sdmx(request, campaign_id: int):
    """SDMX-CSV 2.0 of the consolidated data of the node and every node below it down to the
    districts (``organizations=1``: down to the organizations), streamed."""
    campaign = selectors.campaign_get(request.user, campaign_id)
    node = _node(request, campaign)
    organizations = request.GET.get("organizations") in ("1", "true", "yes")
    chunks = reports.sdmx_csv_chunks(request.user, campaign, node, organizations=organizations)  # 404 before the first byte
    response = StreamingHttpResponse(chunks, content_type=reports.SDMX_MEDIA_TYPE)
    names = reports.named_file(f"{campaign.form.code} {campaign.period} {node.kato or node.pk} SDMX", "csv")
    response["Content-Disposition"] = content_disposition(*names)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def indicator_series(request, code: str):
    """An indicator's consolidated value for one node across the campaigns of every year (R11):
    a table and a line chart drawn on the server, or ``format=csv``."""
    fmt = request.GET.get("format", "html")
    if fmt not in ("html", "csv"):
        return HttpResponseBadRequest("format: html or csv")
    node = _node(request)
    series = selectors.indicator_series(request.user, code, node)
    indicator = Indicator.objects.get(code=code)  # indicator_series answered 404 for an unknown code
    points = [reports.SeriesPoint(period, form_code, value) for period, form_code, value in series]
    language = _language()
    unit = reports.Unit.of(node)
    if fmt == "csv":
        return _download(reports.series_csv(points, indicator, unit, language), FORMATS["csv"],
                         reports.named_file(f"{indicator.code} {unit.name(language)}", "csv"))
    name = indicator.localized("name")
    measure = indicator.localized("unit")
    return render(request, "reporting/reports/series.html", {
        "t": reports.texts(language), "indicator": indicator, "indicator_name": name, "measure": measure,
        "node": node, "node_name": unit.name(language), "node_line": reports.unit_line(unit, language),
        "points": points,
        "rows": [{"period": p.period, "form_code": p.form_code, "text": reports.format_value(p.value, language)} for p in points],
        "chart": reports.series_svg(points, language, title=f"{name} — {unit.name(language)}"),
    })
