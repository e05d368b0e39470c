"""COUNTER-like monthly usage reports (modelled on COUNTER Release 5's Item Report): per resource
and reader's institution, the metric types Total_Item_Investigations (record views, readings and
downloads), Total_Item_Requests (readings and downloads), Unique_Item_Investigations and
Unique_Item_Requests (one per user-session: the user or browser within an hour), month by month.
Double clicks (the same action on the same record in the same session within 30 s) count once.

The counts come from ``UsageCount``, kept current as uses happen (``services.usage_record``), so a
report reads a few rows per resource, never the raw events."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core.models import OrgUnit

from . import selectors
from .models import Access, Resource, ResourceType

METRICS = [
    ("investigations", "Total_Item_Investigations"),
    ("requests", "Total_Item_Requests"),
    ("unique_investigations", "Unique_Item_Investigations"),
    ("unique_requests", "Unique_Item_Requests"),
]


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first.replace(day=1)
    while current <= last.replace(day=1):
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


@dataclass
class ReportRow:
    resource: Resource
    institution: str
    institution_id: int
    by_month: dict[str, dict[dt.date, int]] = field(default_factory=dict)  # metric → month → count

    def total(self, metric: str) -> int:
        return sum(self.by_month.get(metric, {}).values())


@dataclass
class Report:
    title: str
    first: dt.date
    last: dt.date
    months: list[dt.date]
    rows: list[ReportRow]
    totals: dict[str, dict[dt.date, int]]
    university: OrgUnit | None

    def total(self, metric: str) -> int:
        return sum(self.totals.get(metric, {}).values())


def build(user, *, first: dt.date, last: dt.date, university: OrgUnit | None = None) -> Report:
    """The report of the months from ``first`` to ``last`` for ``user`` (a 404 outside their universities)."""
    counts = list(selectors.usage_rows(user, first=first, last=last, university=university))
    months = months_between(first, last)
    resources = {r.pk: r for r in Resource.objects.filter(pk__in={c.resource_id for c in counts}).select_related("university")}
    institution_names = {u.pk: u.name for u in OrgUnit.objects.filter(pk__in={c.institution_key for c in counts if c.institution_key})}
    rows: dict[tuple[int, int], ReportRow] = {}
    totals: dict[str, dict[dt.date, int]] = {m: {month: 0 for month in months} for m, _name in METRICS}
    for count in counts:
        key = (count.resource_id, count.institution_key)
        row = rows.get(key)
        if row is None:
            name = institution_names.get(count.institution_key) or _("No institution (guests and readers without one)")
            row = rows[key] = ReportRow(resources[count.resource_id], name, count.institution_key,
                                        {m: {month: 0 for month in months} for m, _name in METRICS})
        for metric, _name in METRICS:
            row.by_month[metric][count.month] += getattr(count, metric)
            totals[metric][count.month] += getattr(count, metric)
    ordered = sorted(rows.values(), key=lambda r: (-r.total("requests"), -r.total("investigations"), r.resource.title, r.institution))
    if university is not None:
        title = university.name
    else:
        allowed = selectors.report_universities(user)
        title = _("Inter-university electronic library (all universities)") if allowed is None else ", ".join(u.name for u in allowed)
    return Report(title, first, last, months, ordered, totals, university)


def _header(report: Report) -> list[list[str]]:
    return [
        ["Report_Name", _("Item usage report (COUNTER-like)")],
        ["Report_ID", "IR"],
        ["Release", "5"],
        ["Institution_Name", report.title],
        ["Metric_Types", "; ".join(name for _m, name in METRICS)],
        ["Reporting_Period", f"Begin_Date={report.first.replace(day=1).isoformat()}; End_Date={report.months[-1].replace(day=28).isoformat() if report.months else ''}"],
        ["Created", timezone.now().replace(microsecond=0).isoformat()],
        ["Created_By", "Bilim"],
        [],
    ]


def _columns(report: Report) -> list[str]:
    return ["Item", "Authors", "Publisher", "ISBN", "DOI", "Data_Type", "YOP", "Access_Type", "Institution", "Metric_Type",
            "Reporting_Period_Total", *[month_label(m) for m in report.months]]


def _lines(report: Report):
    types = dict(ResourceType.choices)
    for row in report.rows:
        item = row.resource
        for metric, name in METRICS:
            yield [item.title, "; ".join(item.creators or []), item.university.name, item.isbn, item.doi, str(types.get(item.type, item.type)),
                   item.year or "", "OA_Gold" if item.access == Access.OPEN else "Controlled", row.institution, name,
                   row.total(metric), *[row.by_month[metric][m] for m in report.months]]


def to_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _header(report):
        writer.writerow(line)
    writer.writerow(_columns(report))
    for line in _lines(report):
        writer.writerow(line)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8


def to_xlsx(report: Report) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "IR"
    for line in _header(report):
        sheet.append(line)
    sheet.append(_columns(report))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for line in _lines(report):
        sheet.append(line)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    widths = {1: 50, 2: 30, 3: 30, 9: 30, 10: 28}
    for column in range(1, len(_columns(report)) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(column, 12)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
