"""Summary reports (R10) and time series (R11).

``summary_data`` gathers, through the scoped selectors, everything one report shows into plain data
(``SummaryReport``: the form's spec, the campaign, the node, its consolidated values, completeness
figures and a per-child table of the main totals). The renderers only read that data and the
language they are given: ``to_xlsx``, ``to_pdf`` (WeasyPrint, DejaVu Sans), ``to_csv`` and
``summary_context`` (what the HTML page and the PDF template show). ``to_sdmx_csv`` writes the
consolidated data of a subtree as SDMX-CSV 2.0 (SDMX 3.0) for the statistics office.

Every renderer takes its language as an argument (a PDF in Kazakh from a Russian page, an export
job with no request): ``text`` looks the document's words up in the gettext catalogues under that
language rather than the active one."""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Iterator

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy

from bilim.core import kazakh, paths
from bilim.core.calendar import KZ_TZ
from bilim.core.models import Level, OrgUnit, Role, User
from bilim.core.scope import Scope

from .models import Aggregate, Breakdown, Campaign, Indicator
from .spec import Aggregation, CellSpec, FormSpec, ValueType, localized
from .specs import spec_for

LANGUAGES = ("kk", "ru", "en")
# Who may read summary reports: officers of the tree, administrators and heads (their own unit).
REPORT_ROLES = (Role.MINISTRY_OFFICER, Role.REGION_OFFICER, Role.DISTRICT_OFFICER, Role.SYSADMIN, Role.ORG_HEAD)
MAX_MAIN_CELLS = 10  # columns of the per-child table
PDF_FONT = "DejaVu Sans"  # Debian's fonts-dejavu-core: every letter of the Kazakh alphabet
PDF_FIRST_TABLE, PDF_NEXT_TABLES = 5, 7  # main totals per printed per-child table (A4 landscape)
KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"

SDMX_AGENCY = "KZ_MOE"
SDMX_MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"
SDMX_TOTAL = "_T"  # SDMX cross-domain code: total (no breakdown)
SDMX_NOT_APPLICABLE = "_Z"
SDMX_REPUBLIC = "KZ"  # ISO 3166 code of the country, for REF_AREA of the republic

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXTS = {  # key: English source; kk and ru in the gettext catalogues
    "summary": gettext_lazy('Summary report'),
    "form": gettext_lazy('Form'),
    "version": gettext_lazy('version'),
    "school_year": gettext_lazy('school year'),
    "period": gettext_lazy('Period'),
    "unit": gettext_lazy('Area / organization'),
    "kato": gettext_lazy('KATO'),
    "generated": gettext_lazy('Generated'),
    "kz_time": gettext_lazy('Kazakhstan time'),
    "completeness": gettext_lazy('Completeness'),
    "completeness_line": gettext_lazy('Organizations: expected {expected}, submitted {submitted} ({percent}%), accepted {accepted}, not submitted {missing}'),
    "values_note": gettext_lazy('Consolidated values include accepted reports only.'),
    "expected": gettext_lazy('Expected'),
    "submitted": gettext_lazy('Submitted'),
    "accepted": gettext_lazy('Accepted'),
    "on_time": gettext_lazy('On time'),
    "late": gettext_lazy('Late'),
    "returned": gettext_lazy('Returned'),
    "missing": gettext_lazy('Not submitted'),
    "overdue": gettext_lazy('Overdue'),
    "submitted_percent": gettext_lazy('Submitted, %'),
    "code": gettext_lazy('Code'),
    "indicator": gettext_lazy('Indicator'),
    "name": gettext_lazy('Name'),
    "total": gettext_lazy('Total'),
    "by_unit": gettext_lazy('By unit'),
    "children_heading": gettext_lazy('Main totals by unit below'),
    "continued": gettext_lazy('continued'),
    "section": gettext_lazy('Section'),
    "row_code": gettext_lazy('Row code'),
    "row_label": gettext_lazy('Row'),
    "column_code": gettext_lazy('Column code'),
    "column_label": gettext_lazy('Column'),
    "value": gettext_lazy('Value'),
    "download": gettext_lazy('Download'),
    "print": gettext_lazy('Print'),
    "sdmx": gettext_lazy('SDMX-CSV (for statistics)'),
    "sdmx_organizations": gettext_lazy('SDMX-CSV with organizations'),
    "time_series": gettext_lazy('Time series'),
    "trend": gettext_lazy('Trend'),
    "campaign": gettext_lazy('Campaign'),
    "form_code": gettext_lazy('Form code'),
    "no_data": gettext_lazy('No data'),
    "unit_measure": gettext_lazy('Unit of measure'),
    "series_note": gettext_lazy('The consolidated value of each school year (accepted reports only).'),
    "yes": gettext_lazy('Yes'),
    "no": gettext_lazy('No'),
}


def text(key: str, language: str | None = None) -> str:
    with translation.override(_language(language)):
        return str(TEXTS[key])


def texts(language: str | None = None) -> dict[str, str]:
    return {key: text(key, language) for key in TEXTS}


def _language(language: str | None) -> str:
    language = (language or get_language() or "kk")[:2]
    return language if language in LANGUAGES else "kk"


# --- plain data -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    """A node of the tree as the report names it."""

    id: int
    level: int
    names: dict[str, str]
    kato: str
    bin: str = ""

    @classmethod
    def of(cls, unit: OrgUnit) -> "Unit":
        return cls(unit.pk, unit.level, {lang: getattr(unit, f"name_{lang}") for lang in LANGUAGES}, unit.kato, unit.bin)

    def name(self, language: str | None = None) -> str:
        return localized(self.names, _language(language))

    @property
    def ref_area(self) -> str:
        return SDMX_REPUBLIC if self.level == Level.REPUBLIC else (self.kato or SDMX_NOT_APPLICABLE)


@dataclass(frozen=True)
class Figures:
    """Completeness of collection among the organizations below a node (R6, R7)."""

    expected: int = 0
    submitted: int = 0
    accepted: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0
    missing: int = 0
    overdue: int = 0

    @classmethod
    def of(cls, c) -> "Figures":
        return cls(c.expected, c.submitted, c.accepted, c.on_time, c.late, c.returned, c.missing, c.overdue)

    @property
    def percent(self) -> int:
        """Share of organizations that have sent their report (as ``selectors.Completeness``)."""
        return round(100 * (self.expected - self.missing) / self.expected) if self.expected else 0

    def line(self, language: str | None = None) -> str:
        return text("completeness_line", language).format(
            expected=self.expected, submitted=self.expected - self.missing, percent=self.percent,
            accepted=self.accepted, missing=self.missing)


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    names: dict[str, str]
    period: str
    form_code: str
    form_year: str
    form_version: int

    def name(self, language: str | None = None) -> str:
        return localized(self.names, _language(language))


@dataclass(frozen=True)
class MainCell:
    """A column of the per-child table: an indicator's grand total (a cell without breakdown)."""

    key: str
    indicator: str
    labels: dict[str, str]

    def label(self, language: str | None = None) -> str:
        return localized(self.labels, _language(language))


@dataclass(frozen=True)
class ChildRow:
    unit: Unit
    figures: Figures | None
    values: dict[str, Any]  # main cell key -> consolidated value


@dataclass(frozen=True)
class SummaryReport:
    spec: FormSpec
    campaign: CampaignInfo
    node: Unit
    ancestors: tuple[Unit, ...]  # visible to the user, root first
    values: dict[str, Any]  # cell key -> consolidated value (Decimal, or None when not aggregated)
    completeness: Figures
    main_cells: tuple[MainCell, ...]
    children: tuple[ChildRow, ...]
    units: dict[str, dict[str, str]] = field(default_factory=dict)  # indicator code -> unit of measure texts
    generated_at: datetime = field(default_factory=timezone.now)


def can_read_reports(user: User, unit: OrgUnit) -> bool:
    return Scope.of(user, REPORT_ROLES).contains_path(unit.path)


def main_cells(spec: FormSpec) -> list[MainCell]:
    """The grand total of each aggregated indicator: its cell without breakdown, the last one in the
    form when there are several (the "Total" row comes last, as ``selectors.indicator_series`` reads
    it). Labelled by the row when the row names its own indicator, else by the column."""
    picked: dict[str, MainCell] = {}
    for section in spec.sections:
        for row in section.rows:
            for column in spec.columns:
                cell = spec.cell(row.code, column.code)
                if cell is None or cell.breakdown or cell.aggregation == Aggregation.NONE or cell.value_type == ValueType.TEXT:
                    continue
                labels = row.label if row.indicator else column.label
                picked[cell.indicator] = MainCell(cell.key, cell.indicator, dict(labels))
    return list(picked.values())[:MAX_MAIN_CELLS]


def summary_data(user: User, campaign: Campaign, node: OrgUnit) -> SummaryReport:
    """Everything a summary report of ``node`` shows, read through the scoped selectors; 404 when
    the node is outside what ``user`` may read."""
    from bilim.core import selectors as core_selectors

    from . import selectors

    if not can_read_reports(user, node):
        raise Http404
    values = selectors.consolidated(user, campaign, node)
    spec = spec_for(campaign.form_id)
    total, per_child = selectors.completeness(user, campaign, node)
    mains = main_cells(spec)
    by_id = {spec.cells[m.key].id: m.key for m in mains}
    figures = {c.unit.pk: Figures.of(c) for c in per_child if c.unit.pk != node.pk}
    units = {c.unit.pk: c.unit for c in per_child if c.unit.pk != node.pk}
    child_values: dict[int, dict[str, Any]] = {}
    if node.level < Level.ORGANIZATION and by_id:
        # The children first, then their totals by (campaign, org unit): the unique index answers it,
        # where a join on the org unit's parent would walk every total of the campaign.
        child_ids = list(OrgUnit.objects.filter(Scope.of(user).within(node.path).q(), parent=node).values_list("pk", flat=True))
        rows = (Aggregate.objects.filter(campaign=campaign, org_unit_id__in=child_ids, cell_id__in=list(by_id))
                .values_list("org_unit_id", "cell_id", "total", "weight"))
        from .services import display_total

        for unit_id, cell_id, total_value, weight in rows:
            key = by_id[cell_id]
            child_values.setdefault(unit_id, {})[key] = display_total(spec.cells[key], total_value, weight)
    missing_units = set(child_values) - set(units)
    if missing_units:
        units.update({u.pk: u for u in OrgUnit.objects.filter(pk__in=missing_units)})
    children = sorted(units.values(), key=lambda u: (u.kato or "~", u.path))
    indicator_units = {
        code: {"kk": kk, "ru": ru, "en": en}
        for code, kk, ru, en in Indicator.objects.filter(code__in={c.indicator for c in spec.cells.values()})
        .values_list("code", "unit_kk", "unit_ru", "unit_en")
    }
    return SummaryReport(
        spec=spec,
        campaign=CampaignInfo(campaign.pk, {lang: getattr(campaign, f"name_{lang}") for lang in LANGUAGES}, campaign.period,
                              spec.code, spec.year, spec.version),
        node=Unit.of(node),
        ancestors=tuple(Unit.of(u) for u in core_selectors.orgunit_breadcrumbs(user, node)),
        values=values,
        completeness=Figures.of(total),
        main_cells=tuple(mains),
        children=tuple(ChildRow(Unit.of(u), figures.get(u.pk), child_values.get(u.pk, {})) for u in children),
        units=indicator_units,
    )


# --- formatting -------------------------------------------------------------------------------------

def format_value(value: Any, language: str | None = None) -> str:
    """A value as people read it: thousands grouped (no-break space in kk/ru, comma in en), a decimal
    comma in kk/ru. Empty for no value."""
    language = _language(language)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return text("yes" if value else "no", language)
    if isinstance(value, (int, Decimal, float)):
        number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
        if number == number.to_integral_value():
            digits = f"{int(number):,}"
        else:
            digits = f"{number.normalize():,f}"
        if language == "en":
            return digits
        return digits.replace(",", "\u00a0").replace(".", ",")
    return str(value)


def plain_number(value: Any) -> str:
    """A value for machines: no grouping, a decimal point, no exponent; booleans as 1 / 0."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f")
    return str(value)


def kz_time(moment: datetime, language: str | None = None) -> str:
    """``22.11.2026 14:05 (Kazakhstan time, UTC+05:00)``."""
    local = timezone.localtime(moment, KZ_TZ)
    offset = local.strftime("%z")
    return f"{local:%d.%m.%Y %H:%M} ({text('kz_time', language)}, UTC{offset[:3]}:{offset[3:]})"


def _year_label(year: str) -> str:
    return re.sub(r"^(\d{4})-(\d{4})$", "\\1–\\2", str(year))


def form_line(report: SummaryReport, language: str | None = None) -> str:
    spec = report.spec
    return (f"{text('form', language)} {spec.code} · {localized(spec.title, _language(language))} · "
            f"{_year_label(spec.year)} {text('school_year', language)}, {text('version', language)} {spec.version}")


def unit_line(unit: Unit, language: str | None = None) -> str:
    name = unit.name(language)
    return f"{name} ({text('kato', language)} {unit.kato})" if unit.kato else name


def title_lines(report: SummaryReport, language: str | None = None) -> list[tuple[str, str]]:
    """The title block shared by every format: (label, text) pairs."""
    return [
        (text("campaign", language), report.campaign.name(language)),
        (text("form", language), form_line(report, language)),
        (text("period", language), report.campaign.period),
        (text("unit", language), unit_line(report.node, language)),
        (text("generated", language), kz_time(report.generated_at, language)),
        (text("completeness", language), report.completeness.line(language)),
    ]


def filename(report: SummaryReport, language: str | None, extension: str) -> tuple[str, str]:
    """(UTF-8 name, ASCII fallback) for a download: ``D-1 2026-2027 Есіл ауданы.pdf``."""
    base = f"{report.spec.code} {report.campaign.period} {report.node.name(language)}"
    return named_file(base, extension)


def named_file(base: str, extension: str) -> tuple[str, str]:
    base = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", " ", base).strip()[:150] or "report"
    return f"{base}.{extension}", f"{ascii_name(base)}.{extension}"


def ascii_name(text_: str) -> str:
    """Kazakh and Russian transliterated to Latin, diacritics dropped, anything else to ``_``."""
    latin = kazakh.to_latin(text_).replace("ı", "i").replace("İ", "I")
    plain = "".join(c for c in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9.-]+", "_", plain).strip("_.") or "report"


# --- the HTML page and the PDF share one context ----------------------------------------------------

def summary_context(report: SummaryReport, language: str | None = None, *, first_table: int | None = None,
                    next_tables: int | None = None) -> dict[str, Any]:
    """What the HTML page and the PDF show. The per-child table is split for print: completeness
    and ``first_table`` main totals, then tables of ``next_tables`` more, each repeating the unit's
    name and KATO (None: one table with every column)."""
    language = _language(language)
    spec = report.spec
    sections = []
    for section in spec.sections:
        rows = []
        for row in section.rows:
            cells = []
            for column in spec.columns:
                cell = spec.cell(row.code, column.code)
                if cell is None:
                    cells.append({"blocked": True})
                    continue
                value = report.values.get(cell.key)
                shown = "—" if cell.aggregation == Aggregation.NONE and report.node.level < Level.ORGANIZATION else format_value(value, language)
                cells.append({"key": cell.key, "text": shown, "indicator": cell.indicator})
            rows.append({"code": row.code, "label": localized(row.label, language), "cells": cells, "total": _is_total(row)})
        sections.append({"code": section.code, "title": localized(section.title, language), "rows": rows})
    mains = [{"key": m.key, "indicator": m.indicator, "label": m.label(language),
              "unit": localized(report.units.get(m.indicator, {}), language)} for m in report.main_cells]
    children = [{
        "id": child.unit.id, "name": child.unit.name(language), "kato": child.unit.kato, "level": child.unit.level,
        "figures": child.figures, "percent": child.figures.percent if child.figures else None,
        "values": [format_value(child.values.get(m.key), language) for m in report.main_cells],
    } for child in report.children]
    node_values = [format_value(report.values.get(m.key), language) for m in report.main_cells]
    bounds = [(0, len(mains))]
    if first_table is not None and len(mains) > first_table:
        step = next_tables or first_table
        bounds = [(0, first_table)] + [(start, min(start + step, len(mains))) for start in range(first_table, len(mains), step)]
    children_tables = [{
        "figures": index == 0, "continued": index > 0, "mains": mains[start:end], "node_values": node_values[start:end],
        "rows": [child | {"values": child["values"][start:end]} for child in children],
    } for index, (start, end) in enumerate(bounds)] if children else []
    return {
        "lang": language,
        "t": texts(language),
        "title": report.campaign.name(language),
        "form_title": localized(spec.title, language),
        "form_line": form_line(report, language),
        "lines": title_lines(report, language),
        "period": report.campaign.period,
        "node": report.node,
        "node_name": report.node.name(language),
        "node_line": unit_line(report.node, language),
        "generated": kz_time(report.generated_at, language),
        "completeness": report.completeness,
        "completeness_line": report.completeness.line(language),
        "columns": [{"code": c.code, "label": localized(c.label, language)} for c in spec.columns],
        "sections": sections,
        "main_cells": mains,
        "node_values": node_values,
        "children": children,
        "children_tables": children_tables,
        "ancestors": [{"id": u.id, "name": u.name(language)} for u in report.ancestors],
        "campaign_id": report.campaign.id,
    }


def _is_total(row) -> bool:
    """A row that neither names its own indicator nor breaks one down: the form's "Total" row."""
    return not row.breakdown and not row.indicator


# --- XLSX ------------------------------------------------------------------------------------------

def to_xlsx(report: SummaryReport, language: str | None = None) -> bytes:
    """The form laid out as printed (code, label, one column per form column) holding the node's
    consolidated values under a title block; a second sheet with the per-child table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from .xlsx import FONT, HEADER_FILL, SECTION_FILL

    language = _language(language)
    spec = report.spec
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(name=FONT, bold=True)
    regular = Font(name=FONT)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)

    def number_format(cell: CellSpec | None) -> str:
        if cell is not None and cell.value_type in (ValueType.DECIMAL, ValueType.PERCENT):
            return "#,##0.00"
        return "#,##0"

    def excel(value: Any):
        if value is None:
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(spec.code)
    last_col = 2 + len(spec.columns)
    lines = title_lines(report, language)
    sheet.cell(row=1, column=1, value=report.campaign.name(language)).font = Font(name=FONT, bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    for index, (label, value) in enumerate(lines[1:], start=2):
        sheet.cell(row=index, column=1, value=f"{label}: {value}").font = regular
        sheet.merge_cells(start_row=index, start_column=1, end_row=index, end_column=last_col)
    note_row = len(lines) + 1
    sheet.cell(row=note_row, column=1, value=text("values_note", language)).font = Font(name=FONT, italic=True, color="595959")
    sheet.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=last_col)
    header_row = note_row + 2
    code_row = header_row + 1
    letters = ("A", "B") if language == "en" else ("А", "Б")
    headers = [text("code", language), text("indicator", language)] + [localized(c.label, language) for c in spec.columns]
    for index, (header, code) in enumerate(zip(headers, list(letters) + [c.code for c in spec.columns]), start=1):
        for row_number, value in ((header_row, header), (code_row, code)):
            cell = sheet.cell(row=row_number, column=index, value=value)
            cell.font = bold if row_number == header_row else Font(name=FONT, size=9, color="404040")
            cell.alignment, cell.border, cell.fill, cell.number_format = centred, border, header_fill, "@"
    sheet.row_dimensions[header_row].height = 15 * max([_lines(h, 16) for h in headers[2:]] + [1]) + 4
    row_number = code_row
    for section in spec.sections:
        row_number += 1
        cell = sheet.cell(row=row_number, column=1, value=localized(section.title, language))
        cell.font = Font(name=FONT, bold=True, size=12)
        cell.fill = PatternFill("solid", fgColor=SECTION_FILL)
        sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=last_col)
        for form_row in section.rows:
            row_number += 1
            code_cell = sheet.cell(row=row_number, column=1, value=form_row.code)
            code_cell.number_format, code_cell.alignment, code_cell.border = "@", Alignment(horizontal="center", vertical="top"), border
            label_cell = sheet.cell(row=row_number, column=2, value=localized(form_row.label, language))
            label_cell.alignment, label_cell.border = Alignment(wrap_text=True, vertical="top"), border
            is_total = _is_total(form_row)
            for offset, column in enumerate(spec.columns):
                cell = sheet.cell(row=row_number, column=3 + offset)
                cell.border = border
                spec_cell = spec.cell(form_row.code, column.code)
                if spec_cell is None:
                    cell.value, cell.alignment = "X", Alignment(horizontal="center")
                    cell.font = Font(name=FONT, color="A6A6A6")
                    continue
                cell.value = excel(report.values.get(spec_cell.key))
                cell.number_format = number_format(spec_cell)
                cell.font = bold if is_total else regular
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = min(70, max([36] + [len(localized(r.label, language)) + 2 for r in spec.rows]))
    for offset in range(len(spec.columns)):
        sheet.column_dimensions[get_column_letter(3 + offset)].width = 16
    sheet.freeze_panes = f"C{code_row + 1}"
    _print_setup(sheet, f"{header_row}:{code_row}", f"{text('form', language)} {spec.code} · {report.node.name(language)}")

    # The second sheet: the node's children, their completeness and main totals.
    children = workbook.create_sheet(_sheet_title(text("by_unit", language)))
    mains = report.main_cells
    figure_keys = ("expected", "submitted", "accepted", "missing")
    headers = ([text("name", language), text("kato", language)] + [text(k, language) for k in figure_keys]
               + [text("submitted_percent", language)] + [m.label(language) for m in mains])
    children.cell(row=1, column=1, value=f"{report.campaign.name(language)} — {unit_line(report.node, language)}").font = Font(name=FONT, bold=True, size=12)
    children.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    children.cell(row=2, column=1, value=f"{text('generated', language)}: {kz_time(report.generated_at, language)}").font = regular
    children.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    head = 4
    for index, header in enumerate(headers, start=1):
        cell = children.cell(row=head, column=index, value=header)
        cell.font, cell.alignment, cell.border, cell.fill = bold, centred, border, header_fill
    children.row_dimensions[head].height = 15 * max(_lines(h, 14) for h in headers) + 4

    def put(row_index: int, name: str, kato: str, figures: Figures | None, values: dict[str, Any], font) -> None:
        numbers = [getattr(figures, k) if figures else None for k in figure_keys]
        percent = figures.percent if figures else None
        cells = [name, kato] + numbers + [percent] + [excel(values.get(m.key)) for m in mains]
        for index, value in enumerate(cells, start=1):
            cell = children.cell(row=row_index, column=index, value=value)
            cell.border, cell.font = border, font
            if index == 2:
                cell.number_format = "@"
            elif index > 2:
                cell.number_format = number_format(spec.cells[mains[index - 8].key] if index > 7 else None)

    row_index = head
    for child in report.children:
        row_index += 1
        put(row_index, child.unit.name(language), child.unit.kato, child.figures, child.values, regular)
    put(row_index + 1, f"{text('total', language)}: {report.node.name(language)}", report.node.kato, report.completeness,
        report.values, bold)
    children.column_dimensions["A"].width = 44
    children.column_dimensions["B"].width = 12
    for index in range(3, len(headers) + 1):
        children.column_dimensions[get_column_letter(index)].width = 14
    children.freeze_panes = f"C{head + 1}"
    _print_setup(children, f"{head}:{head}", f"{text('form', language)} {spec.code} · {text('by_unit', language)}")

    workbook.properties.title = report.campaign.name(language)
    workbook.properties.creator = "Bilim"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _print_setup(sheet, title_rows: str, footer: str) -> None:
    sheet.print_title_rows = title_rows
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.left.text = footer.replace("&", "&&")
    sheet.oddFooter.right.text = "&P / &N"


def _sheet_title(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\']", "-", name).strip()[:31] or "Sheet"


def _lines(value: str, width: float) -> int:
    return max(1, math.ceil(len(value or "") / max(1.0, width)))


# --- PDF -------------------------------------------------------------------------------------------

class PdfFontError(RuntimeError):
    """The PDF would not show Kazakh letters: DejaVu Sans is missing (Debian: fonts-dejavu-core)."""


def to_pdf(report: SummaryReport, language: str | None = None) -> bytes:
    """A4 landscape, DejaVu Sans throughout, the campaign and the unit in the page header, the
    generation time and "page / pages" in the footer. Refuses to return a PDF whose text is not
    set in DejaVu Sans or lacks a Kazakh letter (it would print boxes)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    language = _language(language)
    context = summary_context(report, language, first_table=PDF_FIRST_TABLE, next_tables=PDF_NEXT_TABLES)
    html = render_to_string("reporting/reports/summary_pdf.html", context | {"font": PDF_FONT})
    document = HTML(string=html).render()
    pdf = document.write_pdf()
    check_pdf_fonts(document.fonts.values())
    return pdf


def check_pdf_fonts(fonts: Iterable) -> None:
    fonts = list(fonts)
    families = {getattr(font, "family", None) for font in fonts}
    if PDF_FONT not in families:
        raise PdfFontError(f"the PDF was set in {sorted(str(f) for f in families)}, not {PDF_FONT}: install fonts-dejavu-core")
    missing = {chr(code) for font in fonts for code in (getattr(font, "missing", None) or {})}
    if missing & set(KAZAKH_LETTERS):
        raise PdfFontError(f"the PDF font lacks {''.join(sorted(missing & set(KAZAKH_LETTERS)))}")


# --- CSV -------------------------------------------------------------------------------------------

def to_csv(report: SummaryReport, language: str | None = None) -> bytes:
    """UTF-8 with a BOM (so Excel reads Kazakh letters), one line per cell of the form: section,
    row code, row label, column code, column label, value (decimal point, no grouping)."""
    language = _language(language)
    spec = report.spec
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([text(k, language) for k in ("section", "row_code", "row_label", "column_code", "column_label", "value")])
    columns = {c.code: c for c in spec.columns}
    for section in spec.sections:
        for row in section.rows:
            for column in spec.columns:
                cell = spec.cell(row.code, column.code)
                if cell is None:
                    continue
                writer.writerow([localized(section.title, language), row.code, localized(row.label, language), column.code,
                                 localized(columns[column.code].label, language), plain_number(report.values.get(cell.key))])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- SDMX-CSV 2.0 ----------------------------------------------------------------------------------

def sdmx_structure_id(spec: FormSpec) -> str:
    """The dataflow of a form and school year, with an SDMX 3.0 version: ``KZ_MOE:D-1_2026-2027(1.0.0)``."""
    code = re.sub(r"[^A-Za-z0-9_@$-]+", "_", f"{spec.code}_{spec.year}")
    return f"{SDMX_AGENCY}:{code}({spec.version}.0.0)"


def sdmx_time_period(period: str) -> str:
    """SDMX time: a school year ``2026-2027`` is the range ``2026-09-01/P1Y``; other periods as given."""
    match = re.fullmatch(r"(\d{4})-(\d{4})", period.strip())
    if match and int(match.group(2)) == int(match.group(1)) + 1:
        return f"{match.group(1)}-09-01/P1Y"
    return period


def _sdmx_code(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_@$-]+", "_", str(value)).upper() or SDMX_NOT_APPLICABLE


def sdmx_dimensions(spec: FormSpec) -> list[str]:
    """The breakdowns the form uses, as dimension ids, in the catalogue's order (SEX, GRADE, …)."""
    used = {code for cell in spec.cells.values() for code, _item in cell.breakdown}
    order = {code: index for index, code in enumerate(Breakdown.objects.filter(code__in=used).order_by("pk").values_list("code", flat=True))}
    return [_sdmx_code(code) for code in sorted(used, key=lambda c: (order.get(c, len(order)), c))]


def sdmx_csv_chunks(user: User, campaign: Campaign, nodes: OrgUnit | Iterable[OrgUnit] | None = None, *,
                    organizations: bool = False) -> Iterator[bytes]:
    """SDMX-CSV 2.0 of the consolidated data, in chunks (for a streamed download).

    Columns: STRUCTURE, STRUCTURE_ID, ACTION, then the dimensions REF_AREA (KATO, ``KZ`` for the
    republic), TIME_PERIOD (the campaign's period; a school year as 2026-09-01/P1Y), INDICATOR, one per breakdown of the form (``_T``
    when a cell has none) and, with ``organizations``, ORGANISATION (the BIN; ``_Z`` on area
    rows); then OBS_VALUE and the attribute UNIT_MEASURE. One row per node × cell that has a value,
    for ``nodes`` (default: the user's own) and every node below them down to the districts, the
    organizations too with ``organizations``. Scope is checked before the first byte (404)."""
    if nodes is None:
        roots = list(OrgUnit.objects.filter(path__in=Scope.of(user, REPORT_ROLES).roots).order_by("path"))
        if not roots:
            raise Http404
    else:
        roots = [nodes] if isinstance(nodes, OrgUnit) else list(nodes)
    for root in roots:
        if not can_read_reports(user, root):
            raise Http404
    minimal: list[OrgUnit] = []
    for root in sorted(roots, key=lambda u: u.path):
        if not minimal or not root.path.startswith(minimal[-1].path):
            minimal.append(root)
    spec = spec_for(campaign.form_id)
    return _sdmx_rows(campaign, spec, minimal, organizations)


def _sdmx_rows(campaign: Campaign, spec: FormSpec, roots: list[OrgUnit], organizations: bool) -> Iterator[bytes]:
    from .services import display_total

    dimensions = sdmx_dimensions(spec)
    units = {code: unit for code, unit in Indicator.objects.filter(code__in={c.indicator for c in spec.cells.values()})
             .values_list("code", "unit_en")}
    position = {}
    order = 0
    for row in spec.rows:
        for column in spec.columns:
            cell = spec.cell(row.code, column.code)
            if cell is not None:
                position[cell.id] = order
                order += 1
    cells = {cell.id: cell for cell in spec.cells.values() if cell.value_type != ValueType.TEXT}
    keys: dict[int, list[str]] = {}
    for cell in cells.values():
        breakdown = {_sdmx_code(code): _sdmx_code(item) for code, item in cell.breakdown}
        keys[cell.id] = [_sdmx_code(cell.indicator)] + [breakdown.get(d, SDMX_TOTAL) for d in dimensions]
    # Two cells of one form with the same indicator and breakdown would give one key twice: tell them apart.
    seen: dict[tuple, int] = {}
    duplicated = any(seen.setdefault(tuple(k), cid) != cid for cid, k in keys.items())
    header = (["STRUCTURE", "STRUCTURE_ID", "ACTION", "REF_AREA", "TIME_PERIOD", "INDICATOR"] + dimensions
              + (["ORGANISATION"] if organizations else []) + (["FORM_CELL"] if duplicated else []) + ["OBS_VALUE", "UNIT_MEASURE"])
    structure_id = sdmx_structure_id(spec)
    unit_codes = {code: _sdmx_code(unit) if unit else SDMX_NOT_APPLICABLE for code, unit in units.items()}

    area = Q(pk__in=[])
    for root in roots:
        area |= Q(path__gte=root.path, path__lt=paths.upper(root.path))
    levels = Q() if organizations else (Q(level__lt=Level.ORGANIZATION) | Q(pk__in=[r.pk for r in roots]))
    # The nodes first (an index range on path, in tree order), then their totals by (campaign, org
    # unit) in batches: the unique index answers that, where filtering the totals through a join on
    # the org unit would walk every total of the campaign, organizations included.
    units = list(OrgUnit.objects.filter(area, levels).order_by("path").values_list("pk", "level", "kato", "bin"))

    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: comma, CRLF, quotes only where needed
    writer.writerow(header)

    def flush() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    def write(unit, totals) -> None:
        unit_id, level, kato, bin_ = unit
        for cell_id, total, weight in sorted(totals, key=lambda r: position.get(r[0], 0)):
            cell = cells.get(cell_id)
            if cell is None:
                continue
            value = display_total(cell, total, weight)
            if value is None and level == Level.ORGANIZATION and cell.aggregation == Aggregation.NONE:
                value = Decimal(total)  # an organization's own value of a cell that is not summed up
            if value is None:
                continue
            ref_area = SDMX_REPUBLIC if level == Level.REPUBLIC else (kato or SDMX_NOT_APPLICABLE)
            line = ["dataflow", structure_id, "I", ref_area, sdmx_time_period(campaign.period)] + keys[cell_id]
            if organizations:
                line.append((bin_ or f"ID{unit_id}") if level == Level.ORGANIZATION else SDMX_NOT_APPLICABLE)
            if duplicated:
                line.append(cell.key)
            line += [plain_number(value), unit_codes.get(cell.indicator, SDMX_NOT_APPLICABLE)]
            writer.writerow(line)

    yield flush()
    batch: list[tuple] = []

    def write_batch() -> None:
        totals: dict[int, list] = {}
        for unit_id, cell_id, total, weight in Aggregate.objects.filter(campaign=campaign, org_unit_id__in=[u[0] for u in batch]) \
                .values_list("org_unit_id", "cell_id", "total", "weight"):
            totals.setdefault(unit_id, []).append((cell_id, total, weight))
        for unit in batch:
            write(unit, totals.get(unit[0], ()))

    for unit in units:
        batch.append(unit)
        if len(batch) == 200:
            write_batch()
            batch = []
            yield flush()
    if batch:
        write_batch()
    yield flush()


def to_sdmx_csv(user: User, campaign: Campaign, nodes: OrgUnit | Iterable[OrgUnit] | None = None, *, organizations: bool = False) -> bytes:
    return b"".join(sdmx_csv_chunks(user, campaign, nodes, organizations=organizations))


# --- time series (R11) -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SeriesPoint:
    period: str
    form_code: str
    value: Decimal | None


def series_csv(points: list[SeriesPoint], indicator: Indicator, unit: Unit, language: str | None = None) -> bytes:
    language = _language(language)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([text("indicator", language), text("unit", language), text("kato", language), text("period", language),
                     text("form_code", language), text("value", language), text("unit_measure", language)])
    name = localized({lang: getattr(indicator, f"name_{lang}") for lang in LANGUAGES}, language)
    measure = localized({lang: getattr(indicator, f"unit_{lang}") for lang in LANGUAGES}, language)
    for point in points:
        writer.writerow([f"{indicator.code} — {name}", unit.name(language), unit.kato, point.period, point.form_code,
                         plain_number(point.value), measure])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(1, ticks)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def series_svg(points: list[SeriesPoint], language: str | None = None, *, title: str = "", width: int = 720, height: int = 300) -> SafeString:
    """A line chart drawn on the server: y axis from 0 with "nice" ticks, one labelled point per
    period, the line broken where a period has no value. Every text is escaped."""
    language = _language(language)
    left, right, top, bottom = 78, 20, 24, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(p.value) for p in points if p.value is not None]
    high = max(values) if values else 1.0
    low = min(0.0, min(values)) if values else 0.0
    step = _nice_step(high - low or 1.0)
    top_value = math.ceil(high / step) * step if high > 0 else step
    low_value = math.floor(low / step) * step
    span = (top_value - low_value) or 1.0

    def y(value: float) -> float:
        return top + plot_h - (value - low_value) / span * plot_h

    inset = 44  # room for the first and the last period's label

    def x(index: int) -> float:
        return left + (plot_w / 2 if len(points) == 1 else inset + (plot_w - 2 * inset) * index / (len(points) - 1))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" class="series-chart" style="max-width:{width}px">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    tick = low_value
    while tick <= top_value + step / 2:
        ty = y(tick)
        parts.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" stroke="#dee2e6" stroke-width="1"/>')
        parts.append(f'<text x="{left - 8}" y="{ty + 4:.1f}" text-anchor="end" font-size="12" fill="#495057">'
                     f"{escape(format_value(Decimal(repr(tick)).normalize(), language))}</text>")
        tick += step
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#6c757d" stroke-width="1"/>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#6c757d" stroke-width="1"/>')
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, point in enumerate(points):
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x(index):.1f},{y(float(point.value)):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="#00a3c4" stroke-width="2.5"/>')
    for index, point in enumerate(points):
        px = x(index)
        parts.append(f'<text x="{px:.1f}" y="{top + plot_h + 20}" text-anchor="middle" font-size="12" fill="#212529">{escape(point.period)}</text>')
        if point.value is None:
            parts.append(f'<text x="{px:.1f}" y="{top + plot_h - 6}" text-anchor="middle" font-size="11" fill="#adb5bd">—</text>')
            continue
        py = y(float(point.value))
        label = escape(format_value(point.value, language))
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4.5" fill="#006d85"><title>{escape(point.period)}: {label}</title></circle>')
        parts.append(f'<text x="{px:.1f}" y="{py - 10:.1f}" text-anchor="middle" font-size="12" font-weight="600" fill="#006d85">{label}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above
