"""Pages of the journal's analytics (J3) and of the open regional rating (J4). Thin: parse the query,
call one selector or service, render. Every unit and class is reached through a selector, so anything
outside the user's scope is a 404; a malformed parameter is a 400 naming it.

Query parameters of the dashboards: ``period`` (a period's id, or a school year's code such as
``2025-2026`` for the whole year), ``subject`` (a subject's id; none: all subjects), ``measure``
(the chart's: quality, success, attendance, average) and ``format`` (html, xlsx, csv)."""

from __future__ import annotations

from decimal import Decimal
from functools import wraps
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bilim.core.errors import DomainError
from bilim.core.models import Level
from bilim.core.paths import is_ascii_digits

from . import charts, display, exports, rating, selectors, services
from .metrics import DEFINITIONS, MEASURE_LABELS, Metrics
from .selectors import BadParameter

FORMATS = ("html", "xlsx", "csv")
DEFAULT_MEASURE = "quality"


def _bad_request(request, error: BadParameter):
    return render(request, "analytics/bad_request.html", {"error": error}, status=400)


def handles_bad_parameters(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadParameter as error:
            return _bad_request(request, error)
    return wrapper


def _measure(request) -> str:
    raw = request.GET.get("measure", "").strip()
    if not raw:
        return DEFAULT_MEASURE
    if raw not in MEASURE_LABELS:
        raise BadParameter("measure", _("Choose one of: %(choices)s.") % {"choices": ", ".join(MEASURE_LABELS)})
    return raw


def _format(request) -> str:
    raw = request.GET.get("format", "html").strip() or "html"
    if raw not in FORMATS:
        raise BadParameter("format", _("Choose one of: %(choices)s.") % {"choices": ", ".join(FORMATS)})
    return raw


def _query(when, subject, measure: str, **extra) -> str:
    params = {}
    if when is not None:
        params["period"] = when.param
    if subject is not None:
        params["subject"] = subject.pk
    if measure != DEFAULT_MEASURE:
        params["measure"] = measure
    params.update({k: v for k, v in extra.items() if v is not None})
    return f"?{urlencode(params)}" if params else ""


def _download(body: bytes, content_type: str, names: tuple[str, str]) -> HttpResponse:
    name, fallback = names
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    response["Cache-Control"] = "private, no-store"
    return response


def _export(table: exports.Table, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        return _download(exports.to_xlsx(table), exports.XLSX_CONTENT_TYPE, exports.file_names(table.base_name, "xlsx"))
    return _download(exports.to_csv(table), exports.CSV_CONTENT_TYPE, exports.file_names(table.base_name, "csv"))


def _scale(measure: str) -> Decimal:
    return Decimal(5) if measure == "average" else Decimal(100)


def _places(measure: str) -> int:
    return 2 if measure == "average" else 1


def _kpis(metrics: Metrics) -> list[dict]:
    headcount = (_("Term marks"), display.number(metrics.grades)) if metrics.subject else (_("Pupils"), display.number(metrics.pupils_shown))
    return [
        {"key": "average", "label": _("Average mark"), "value": display.average(metrics.average)},
        {"key": "quality", "label": _("Knowledge quality"), "value": display.percent(metrics.quality), "unit": "%"},
        {"key": "success", "label": _("Success rate"), "value": display.percent(metrics.success), "unit": "%"},
        {"key": "attendance", "label": _("Attendance"), "value": display.percent(metrics.attendance), "unit": "%"},
        {"key": "pupils", "label": headcount[0], "value": headcount[1]},
        {"key": "lessons", "label": _("Lessons held"), "value": display.number(metrics.lessons)},
    ]


def _reasons(metrics: Metrics) -> dict:
    items = [("absent", _("Absent without a reason"), metrics.absent), ("sick", _("Sick"), metrics.sick),
             ("excused", _("Excused"), metrics.excused)]
    total = metrics.pupil_lessons
    rows = [{"key": key, "label": label, "count": display.number(count),
             "share": display.percent(Decimal(count) * 100 / total if total else None)} for key, label, count in items]
    return {
        "rows": rows, "missed": display.number(metrics.missed), "missed_count": metrics.missed, "missed_share": display.percent(metrics.missed_percent),
        "late": display.number(metrics.late), "late_share": display.percent(Decimal(metrics.late) * 100 / total if total else None),
        "pupil_lessons": display.number(total), "has_lessons": metrics.has_lessons,
        "chart": charts.reasons_bar(items, title=_("Missed lessons by reason")),
    }


def _series_chart(points, measure: str, title: str):
    shown = [charts.Point(str(period.number), period.year.code, metrics.value(measure), selectors.period_label(period))
             for period, metrics in points]
    if not shown:
        return None
    return charts.line_chart(shown, title=title, scale_max=_scale(measure), places=_places(measure))


def _common(request, when, subject, measure: str) -> dict:
    return {
        "when": when, "subject": subject, "measure": measure,
        "measures": [(key, str(label)) for key, label in MEASURE_LABELS.items()],
        "measure_label": str(MEASURE_LABELS[measure]),
        "period_choices": [(year, selectors.year_label(year), [(p, selectors.period_short_label(p)) for p in periods])
                           for year, periods in selectors.period_choices()],
        "subjects": selectors.subjects(),
        "definitions": DEFINITIONS,
    }


def _crumb(unit, query: str) -> dict:
    return {"name": unit.name, "url": reverse("analytics:unit", args=[unit.pk]) + query}


@login_required
@require_GET
@handles_bad_parameters
def dashboard(request, unit_id: int | None = None):
    """A unit's dashboard: indicators, the units below (or the classes of a school) with drill-down,
    a chart of them by a measure, missed lessons by reason, the unit's time series; XLSX and CSV."""
    user = request.user
    unit = selectors.unit_get(user, unit_id)
    fmt, measure = _format(request), _measure(request)
    subject = selectors.subject_parse(request.GET.get("subject"))
    when = selectors.when_parse(request.GET.get("period"), default=None) or selectors.when_default(unit)
    context = _common(request, when, subject, measure) | {"unit": unit, "board": None}
    query = _query(when, subject, measure)
    context["crumbs"] = [_crumb(u, query) for u in selectors.breadcrumbs(user, unit)]
    if when is None:  # no school year exists yet
        return render(request, "analytics/dashboard.html", context)
    board = selectors.dashboard(user, unit, when, subject)
    if fmt != "html":
        return _export(exports.unit_table(board), fmt)
    rows = []
    for row in board.rows:
        if row.kind == "unit":
            link = reverse("analytics:unit", args=[row.id]) + query
        else:
            link = reverse("analytics:class", args=[row.id]) + query
        rows.append({"row": row, "m": row.metrics, "link": link})
    bars = [charts.Bar(r["row"].name, r["m"].value(measure), r["link"], str(r["row"].id)) for r in rows]
    bars.sort(key=lambda bar: (bar.value is None, -(bar.value or 0)))  # highest first, no data last
    context.update({
        "board": board, "rows": rows, "kpis": _kpis(board.metrics), "reasons": _reasons(board.metrics),
        "chart": charts.bar_chart(bars, title=f"{MEASURE_LABELS[measure]} — {unit.name}", scale_max=_scale(measure),
                                  places=_places(measure), reference=(unit.name, board.metrics.value(measure)),
                                  no_data=_("no data")) if rows else None,
        "series_chart": _series_chart(selectors.series(user, unit, subject), measure, f"{MEASURE_LABELS[measure]} — {unit.name}"),
        "xlsx_url": _query(when, subject, measure, format="xlsx"), "csv_url": _query(when, subject, measure, format="csv"),
        "is_school": unit.level == Level.ORGANIZATION,
    })
    return render(request, "analytics/dashboard.html", context)


@login_required
@require_GET
@handles_bad_parameters
def class_page(request, class_id: int):
    """A class: its indicators computed live and its pupils' term marks per subject; XLSX and CSV."""
    user = request.user
    klass = selectors.class_get(user, class_id)
    fmt, measure = _format(request), _measure(request)
    subject = selectors.subject_parse(request.GET.get("subject"))
    when = selectors.when_parse(request.GET.get("period"), default=None) or selectors.class_when_default(klass)
    if when is None:
        raise Http404(_("Not found."))
    board = selectors.class_dashboard(user, klass, when, subject)
    if fmt != "html":
        return _export(exports.class_table(board), fmt)
    query = _query(when, subject, measure)
    school = klass.school
    context = _common(request, when, subject, measure)
    context["period_choices"] = [c for c in context["period_choices"] if c[0].pk == klass.year_id]
    multi = len(when.periods) > 1
    context.update({
        "klass": klass, "school": school, "board": board, "kpis": _kpis(board.metrics), "reasons": _reasons(board.metrics),
        "crumbs": [_crumb(u, query) for u in selectors.breadcrumbs(user, school)] + [_crumb(school, query)],
        "columns": [{"subject": s, "periods": [selectors.period_short_label(p) for p in when.periods] if multi else []}
                    for s in board.subjects],
        "pupils": [{"p": r.pupil, "m": r.metrics, "cells": [cell for s in board.subjects for cell in r.cells[s.pk]]}
                   for r in board.pupils],
        "multi": multi,
        "series_chart": _series_chart(selectors.class_series(user, klass, subject), measure,
                                      f"{MEASURE_LABELS[measure]} — {klass}"),
        "xlsx_url": _query(when, subject, measure, format="xlsx"), "csv_url": _query(when, subject, measure, format="csv"),
    })
    return render(request, "analytics/class.html", context)


# --- the open rating --------------------------------------------------------------------------------

def _publication_id(request) -> int | None:
    raw = request.GET.get("publication", "").strip()
    if not raw:
        return None
    if not is_ascii_digits(raw) or len(raw) > 12:
        raise BadParameter("publication", _("Give a publication's number."))
    return int(raw)


def _rating_chart(rows, title: str):
    bars = [charts.Bar(f"{row.rank}. {row.region.name}", row.score, key=str(row.region_id)) for row in rows if row.rank]
    return charts.bar_chart(bars, title=title, scale_max=Decimal(100), places=2, chart_id="rating-chart") if bars else None


@require_GET
@handles_bad_parameters
def rating_page(request):
    """The open regional rating: public, no login. Shows published snapshots only."""
    publication = selectors.rating_publication(_publication_id(request))
    context = {"publication": publication, "publications": selectors.rating_publications(),
               "can_publish": request.user.is_authenticated and selectors.can_publish_rating(request.user)}
    if publication is not None:
        rows = selectors.rating_rows(publication)
        label = selectors.period_label(publication.period)
        history = selectors.rating_history()
        context.update({
            "rows": rows, "period_label": label, "method_text": rating.method_text(publication.method),
            "chart": _rating_chart(rows, _("Rating score of the regions, %(period)s") % {"period": label}),
            "history": history,
            "history_labels": [selectors.period_label(p.period) for p in history.publications],
        })
    context["publication_labels"] = [(p, selectors.period_label(p.period)) for p in context["publications"]]
    return render(request, "analytics/rating.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@handles_bad_parameters
def rating_publish(request):
    """The ministry's page: the rating of a period computed now from the live roll-ups, and the
    button that publishes it."""
    if not selectors.can_publish_rating(request.user):
        raise Http404(_("Not found."))
    source = request.POST if request.method == "POST" else request.GET
    when = selectors.when_parse(source.get("period"), default=None)
    if when is not None and when.is_year:
        raise BadParameter("period", _("Choose a term, not a whole school year."))
    periods = selectors.rating_periods()
    period = when.period if when is not None else (periods[0] if periods else None)
    errors: list[str] = []
    if request.method == "POST":
        try:
            publication = services.rating_publish(period=period, by=request.user, request=request)
        except DomainError as error:
            if error.status == 404:
                raise Http404(error.message) from None
            errors = list(error.fields.values()) or [error.message]
        else:
            messages.success(request, _("The rating was published."))
            return redirect(reverse("rating:public") + f"?publication={publication.pk}")
    lines = selectors.rating_preview(request.user, period) if period is not None else []
    context = {
        "period": period, "periods": [(p, selectors.period_label(p)) for p in periods], "lines": lines, "errors": errors,
        "method": rating.METHOD, "method_text": rating.method_text(rating.METHOD),
        "rankable": any(line.rank for line in lines),
    }
    return render(request, "analytics/rating_publish.html", context, status=400 if errors else 200)


# --- the home page ----------------------------------------------------------------------------------

def home_widgets(request) -> dict:
    """The dashboard card for officers and heads: their unit's indicators in the latest period."""
    summary = selectors.home_summary(request.user)
    if summary is None:
        return {"analytics_home": None}
    kpis = _kpis(summary.metrics)[:4] if summary.metrics is not None else []
    return {"analytics_home": {"unit": summary.unit, "when": summary.when, "kpis": kpis,
                               "can_publish": selectors.can_publish_rating(request.user)}}
