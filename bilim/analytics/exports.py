"""Downloads of a dashboard's table: XLSX (openpyxl) and CSV (UTF-8 with a BOM, so Excel reads
Kazakh letters; a decimal point, no grouping).

``unit_table`` / ``class_table`` turn a dashboard into a plain ``Table`` (title lines, typed columns,
rows, the total); ``to_xlsx`` and ``to_csv`` only write it. Rates are written as numbers rounded to
two decimals; the definitions follow the table."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core import kazakh
from bilim.core.calendar import KZ_TZ

from .metrics import DEFINITIONS, Metrics, quantize
from .selectors import ClassDashboard, Dashboard, period_short_label

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FONT = "Calibri"
HEADER_FILL = "D9E1F2"


@dataclass
class Column:
    label: str
    kind: str = "int"  # text, code, int, pct, avg
    width: int = 12


@dataclass
class Table:
    title: str
    lines: list[str]
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None
    notes: list[str] = field(default_factory=list)
    base_name: str = "analytics"


def generated_line() -> str:
    local = timezone.localtime(timezone.now(), KZ_TZ)
    offset = local.strftime("%z")
    return _("Generated: %(moment)s (Kazakhstan time, UTC%(offset)s)") % {
        "moment": f"{local:%d.%m.%Y %H:%M}", "offset": f"{offset[:3]}:{offset[3:]}"}


def _metric_columns(subject: bool) -> list[Column]:
    return [
        Column(_("Term marks") if subject else _("Pupils")),
        Column(_("Average mark"), "avg"),
        Column(_("Knowledge quality, %"), "pct"),
        Column(_("Success rate, %"), "pct"),
        Column(_("Attendance, %"), "pct"),
        Column(_("Lessons held")),
        Column(_("Pupil-lessons")),
        Column(_("Absent without a reason")),
        Column(_("Sick")),
        Column(_("Excused")),
        Column(_("Late")),
        Column(_("Not assessed")),
    ]


def _metric_values(m: Metrics) -> list[Any]:
    return [m.grades if m.subject else m.pupils_shown, quantize(m.average, 2), quantize(m.quality, 2), quantize(m.success, 2),
            quantize(m.attendance, 2), m.lessons, m.pupil_lessons, m.absent, m.sick, m.excused, m.late, m.not_assessed]


def _definitions() -> list[str]:
    return [f"{name}: {text}" for name, text in DEFINITIONS]


def _title_lines(board, place: str) -> list[str]:
    lines = [place, board.when.label, _("Subject: %(subject)s") % {"subject": board.subject.name if board.subject else _("all subjects")}]
    return lines + [generated_line()]


def unit_table(board: Dashboard) -> Table:
    subject = board.subject is not None
    first = {"region": _("Region"), "district": _("District or city"), "organization": _("Organization"), "class": _("Class")}[board.row_kind]
    columns = [Column(first, "text", 44)] + ([Column(_("KATO code"), "code", 12)] if board.row_kind != "class" else []) + _metric_columns(subject)
    rows = []
    for row in board.rows:
        rows.append([row.name] + ([row.code] if board.row_kind != "class" else []) + _metric_values(row.metrics))
    total = ([_("Total: %(name)s") % {"name": board.unit.name}] + ([board.unit.kato] if board.row_kind != "class" else [])
             + _metric_values(board.metrics))
    return Table(title=_("Journal analytics"), lines=_title_lines(board, board.unit.name), columns=columns, rows=rows, total=total,
                 notes=_definitions(), base_name=f"{board.unit.name} {board.when.label}")


def class_table(board: ClassDashboard) -> Table:
    multi = len(board.when.periods) > 1
    columns = [Column(_("Pupil"), "text", 36)]
    for subject in board.subjects:
        for period in board.when.periods:
            label = f"{subject.name} · {period_short_label(period)}" if multi else subject.name
            columns.append(Column(label, "mark", 10))
    columns += [Column(_("Term marks")), Column(_("Average mark"), "avg"), Column(_("All marks 4 and 5")), Column(_("Without a 2"))]
    rows = []
    for pupil_row in board.pupils:
        line: list[Any] = [pupil_row.pupil.full_name]
        for subject in board.subjects:
            for cell in pupil_row.cells[subject.pk]:
                line.append(cell.mark if cell.mark is not None else cell.status_label)
        m = pupil_row.metrics
        line += [m.grades, quantize(m.average, 2), m.pupils_quality if m.pupils else None, m.pupils_success if m.pupils else None]
        rows.append(line)
    school = board.klass.school.name
    place = f"{school}, {_('class')} {board.klass}"
    notes = [_("All marks 4 and 5, Without a 2: the number of terms (1 or 0 for one term)."), *_definitions()]
    return Table(title=_("Journal analytics"), lines=_title_lines(board, place), columns=columns, rows=rows, total=None, notes=notes,
                 base_name=f"{school} {board.klass} {board.when.label}")


# --- writers ------------------------------------------------------------------------------------------

def _excel(value: Any):
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\[\]:*?/\\']", "-", table.title)[:31] or "Sheet"
    last = len(table.columns)
    sheet.cell(row=1, column=1, value=table.title).font = Font(name=FONT, bold=True, size=14)
    for index, line in enumerate(table.lines, start=2):
        sheet.cell(row=index, column=1, value=line).font = Font(name=FONT, bold=index == 2)
    head = len(table.lines) + 3
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=head, column=index, value=column.label)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[head].height = 48
    formats = {"int": "#,##0", "pct": "0.0", "avg": "0.00", "code": "@", "text": "General", "mark": "0"}
    lines = [(row, False) for row in table.rows] + ([(table.total, True)] if table.total else [])
    for offset, (values, bold) in enumerate(lines, start=1):
        for index, (column, value) in enumerate(zip(table.columns, values), start=1):
            cell = sheet.cell(row=head + offset, column=index, value=_excel(value))
            cell.border = border
            cell.font = Font(name=FONT, bold=bold)
            if column.kind in formats and not isinstance(value, str) or column.kind == "code":
                cell.number_format = formats.get(column.kind, "General")
            if column.kind == "mark":
                cell.alignment = Alignment(horizontal="center")
    notes_row = head + len(lines) + 2
    for index, note in enumerate(table.notes):
        sheet.cell(row=notes_row + index, column=1, value=note).font = Font(name=FONT, italic=True, color="595959")
    sheet.freeze_panes = sheet.cell(row=head + 1, column=2)
    sheet.print_title_rows = f"{head}:{head}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.right.text = "&P / &N"
    workbook.properties.title = f"{table.title} — {table.lines[0] if table.lines else ''}"
    workbook.properties.creator = "Bilim"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def to_csv(table: Table) -> bytes:
    """One header line, one line per row, the total last; no title block (machines read it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.label for c in table.columns])
    for row in table.rows + ([table.total] if table.total else []):
        writer.writerow([_plain(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def file_names(base: str, extension: str) -> tuple[str, str]:
    """(UTF-8 name, ASCII fallback) for a download."""
    base = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", " ", base).strip()[:150] or "analytics"
    latin = kazakh.to_latin(base).replace("ı", "i").replace("İ", "I")
    plain = "".join(c for c in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(c))
    ascii_base = re.sub(r"[^A-Za-z0-9.-]+", "_", plain).strip("_.") or "analytics"
    return f"{base}.{extension}", f"{ascii_base}.{extension}"
