"""A report form as an Excel workbook: download it, fill it in Excel (or LibreOffice), upload it back.

``build_workbook`` lays the form out like the printed one: a title block, then every section as a
bold header row followed by its rows (column A the row code, column B the label, then one column
per ``ColumnSpec``). Every input cell (each ``CellSpec``) is unlocked and tinted; everything else is
locked and the sheet is protected **without a password** — the protection keeps people from
breaking the layout by accident, it is not security: the upload is checked anyway. The workbook
structure is locked too (no password), so sheets cannot be added, renamed or unhidden.

A second sheet, ``_bilim`` (very hidden, protected), holds what identifies the file: the format
version, the form's id, code, year and version, the campaign and the assignment, and a SHA-256
*layout fingerprint* of every cell key's (row, column). ``read_workbook`` recomputes the fingerprint
from where the row codes (column A) and column codes (the numbered row under the headers) actually
are in the uploaded sheet, so a row or column inserted, deleted or moved is caught.

``read_workbook`` returns every value parsed by ``spec.parse_value`` or raises one ``XlsxError``;
when values do not parse it lists *every* bad cell at once and returns nothing (never a partial
result). Before openpyxl sees the file it is checked as a zip: its size, its total unpacked size
(the declared sizes are a real bound: ``zipfile`` stops at the declared size and then checks the
CRC), its number of parts and its content type, so a zip bomb, an .xls or an .xlsm is refused
cheaply. The sheets are then read in openpyxl's streaming (read-only) mode, twice: once for the
formulas, once for the values Excel cached."""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .spec import MAX_TEXT, CellError, CellSpec, FormSpec, ValueType, localized, parse_value

FORMAT_VERSION = 1
META_SHEET = "_bilim"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all parts of the zip, unpacked
MAX_PARTS = 1000  # a form's workbook has about 15

FONT = "Calibri"  # openpyxl's default; every font made here names it, or LibreOffice picks a serif one
INPUT_FILL = "FFF2CC"  # light yellow: "type here"
HEADER_FILL = "D9E1F2"
SECTION_FILL = "E7E6E6"
BLOCKED_FILL = "F2F2F2"
NUMBER_FORMATS = {ValueType.INTEGER: "0", ValueType.DECIMAL: "0.00", ValueType.PERCENT: "0.0",
                  ValueType.TEXT: "@", ValueType.BOOLEAN: "General"}
# The words offered in a yes/no cell's list, per language; ``parse_value`` accepts each of them.
YES_NO = {"kk": ("Иә", "Жоқ"), "ru": ("Да", "Нет"), "en": ("Yes", "No")}
MAX_NUMBER = Decimal(10) ** 15
# Excel refuses a value its validation rejects while it is typed ("stop"); pasted values and other
# programs bypass that, which is why ``read_workbook`` parses everything again (and accepts text such
# as "1 234" or "12,5"). "warning" would let people keep such text and fix it after the upload.
VALIDATION_STYLE = "stop"

_MAIN_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MACRO_TYPES = ("application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                "application/vnd.ms-excel.template.macroEnabled.main+xml")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and encrypted .xlsx)
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")


# --- public types ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class XlsxContext:
    """What the downloaded file is for; shown in the title block and recorded in ``_bilim``."""

    language: str  # "kk", "ru" or "en": the language of every text in the workbook
    organization_name: str
    campaign_title: str
    period_label: str
    deadline_text: str
    assignment_id: int
    campaign_id: int


class XlsxCellError(NamedTuple):
    ref: str  # the Excel reference, e.g. "D12"
    key: str  # the cell key, e.g. "r01c3"
    row_label: str
    column_label: str
    message: str


class XlsxError(Exception):
    """An upload that cannot be taken; ``message`` is in the active language. ``code`` is one of
    too_large, damaged, not_ours, other_form, other_version, other_assignment, layout_changed,
    invalid_values (the last with ``cell_errors``)."""

    def __init__(self, code: str, message: str, cell_errors: list[XlsxCellError] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.cell_errors = list(cell_errors or [])

    def __repr__(self) -> str:
        return f"XlsxError({self.code!r}, {self.message!r}, cell_errors={len(self.cell_errors)})"


@dataclass(frozen=True)
class ReadResult:
    values: dict[str, Decimal | str | bool | None]  # every cell key of the form; None when empty
    form_id: int
    campaign_id: int
    assignment_id: int
    language: str
    filled: int = field(default=0)  # how many cells hold a value


# --- the layout: the one place that decides where everything goes ----------------------------------

@dataclass(frozen=True)
class _Layout:
    title_rows: int
    header_row: int  # column labels
    code_row: int  # column codes ("1", "2", …): read back to find the columns
    first_data_row: int
    last_row: int
    last_col: int
    section_rows: dict[str, int]  # section code -> its header row
    row_of: dict[str, int]  # row code -> sheet row
    col_of: dict[str, int]  # column code -> sheet column

    def coordinates(self, spec: FormSpec) -> dict[str, tuple[int, int]]:
        return {key: (self.row_of[cell.row], self.col_of[cell.column])
                for key, cell in spec.cells.items()
                if cell.row in self.row_of and cell.column in self.col_of}


_TITLE_LINES = 6  # form, title, year, organization, period, deadline


def _layout(spec: FormSpec) -> _Layout:
    header_row = _TITLE_LINES + 2  # a blank row between the title block and the table
    code_row = header_row + 1
    row = code_row
    section_rows: dict[str, int] = {}
    row_of: dict[str, int] = {}
    for section in spec.sections:
        row += 1
        section_rows[section.code] = row
        for form_row in section.rows:
            row += 1
            row_of[form_row.code] = row
    col_of = {column.code: 3 + index for index, column in enumerate(spec.columns)}
    return _Layout(_TITLE_LINES, header_row, code_row, code_row + 1, row, 2 + len(spec.columns),
                   section_rows, row_of, col_of)


def fingerprint(coordinates: Mapping[str, tuple[int, int] | None]) -> str:
    """SHA-256 of the cell key → (row, column) map, in a canonical JSON form."""
    canonical = sorted([key, list(position) if position else None] for key, position in coordinates.items())
    return hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).hexdigest()


def _ref(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


def cell_references(spec: FormSpec) -> dict[str, str]:
    """Cell key → its reference in the workbook this module builds (``r01c1`` → ``C11``)."""
    return {key: _ref(row, col) for key, (row, col) in _layout(spec).coordinates(spec).items()}


def _year_label(year: str) -> str:
    return re.sub(r"^(\d{4})\s*[-–/]\s*(\d{4})$", "\\1–\\2", str(year))


def _language(language: str | None) -> str:
    language = (language or "kk")[:2]
    return language if language in YES_NO else "kk"


def suggested_filename(spec: FormSpec, context: XlsxContext) -> str:
    """An ASCII file name for the download, e.g. ``form-2_2025-2026_v2_a17.xlsx``."""
    code = re.sub(r"[^A-Za-z0-9]+", "-", spec.code).strip("-") or str(spec.id)
    year = re.sub(r"[^0-9]+", "-", str(spec.year)).strip("-")
    return f"form-{code}_{year}_v{spec.version}_a{context.assignment_id}.xlsx"


# --- building ------------------------------------------------------------------------------------

def build_workbook(spec: FormSpec, values: Mapping[str, object], *, context: XlsxContext) -> bytes:
    """The form as an .xlsx file in ``context.language``, pre-filled with ``values`` (cell key →
    value as stored: Decimal, str, bool or None)."""
    language = _language(context.language)
    with translation.override(language):
        return _build(spec, values, context, language)


def _build(spec: FormSpec, values: Mapping[str, object], context: XlsxContext, language: str) -> bytes:
    layout = _layout(spec)
    last_letter = get_column_letter(layout.last_col)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(name=FONT, bold=True)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def label_of(texts: dict[str, str]) -> str:
        return localized(texts, language)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(spec.code)
    sheet.sheet_properties.tabColor = "4472C4"

    # The title block: one line each, merged across the table.
    title = label_of(spec.title)
    lines = [
        (_("Form %(code)s") % {"code": spec.code} + " · " + _("version %(version)s") % {"version": spec.version},
         Font(name=FONT, bold=True, size=11)),
        (title, Font(name=FONT, bold=True, size=14)),
        (_("School year: %(year)s") % {"year": _year_label(spec.year)}, None),
        (_("Organization: %(name)s") % {"name": context.organization_name}, None),
        (_("Reporting period: %(period)s") % {"period": context.period_label}, None),
        (_("Deadline: %(deadline)s") % {"deadline": context.deadline_text}, Font(name=FONT, bold=True)),
    ]
    for index, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(row=index, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if font is not None:
            cell.font = font
        sheet.merge_cells(start_row=index, start_column=1, end_row=index, end_column=layout.last_col)

    # Column widths: A the code, B the label, then the values.
    label_width = min(70, max([36] + [len(label_of(row.label)) + 2 for row in spec.rows]))
    value_width = 16
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = label_width
    for column in spec.columns:
        sheet.column_dimensions[get_column_letter(layout.col_of[column.code])].width = value_width
    table_width = 8 + label_width + value_width * len(spec.columns)
    sheet.row_dimensions[2].height = 20 * _lines(title, table_width * 0.8)

    # Headers: labels, then the column numbers of the printed form (А, Б, 1, 2, …).
    letters = ("A", "B") if language == "en" else ("А", "Б")
    headers = [_("Code"), _("Indicator")] + [label_of(column.label) for column in spec.columns]
    codes = list(letters) + [column.code for column in spec.columns]
    for index, (header, code) in enumerate(zip(headers, codes), start=1):
        for row, text in ((layout.header_row, header), (layout.code_row, code)):
            cell = sheet.cell(row=row, column=index, value=text)
            cell.font = bold if row == layout.header_row else Font(name=FONT, size=9, color="404040")
            cell.alignment = centred
            cell.border = border
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
            cell.number_format = "@"
    header_lines = max([_lines(text, value_width) for text in headers[2:]] + [1])
    sheet.row_dimensions[layout.header_row].height = 15 * header_lines + 4

    # Sections and rows.
    yes, no = YES_NO[language]
    validations: dict[tuple, list[str]] = {}
    for section in spec.sections:
        row_number = layout.section_rows[section.code]
        cell = sheet.cell(row=row_number, column=1, value=label_of(section.title))
        cell.font = Font(name=FONT, bold=True, size=12)
        cell.fill = PatternFill("solid", fgColor=SECTION_FILL)
        cell.alignment = Alignment(vertical="center")
        sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=layout.last_col)
        sheet.row_dimensions[row_number].height = 20
        for form_row in section.rows:
            row_number = layout.row_of[form_row.code]
            code_cell = sheet.cell(row=row_number, column=1, value=form_row.code)
            code_cell.number_format = "@"
            code_cell.alignment = Alignment(horizontal="center", vertical="top")
            code_cell.border = border
            label = label_of(form_row.label)
            label_cell = sheet.cell(row=row_number, column=2, value=label)
            label_cell.alignment = wrap_top
            label_cell.border = border
            if _lines(label, label_width) > 1:
                sheet.row_dimensions[row_number].height = 15 * _lines(label, label_width)
            for column in spec.columns:
                col_number = layout.col_of[column.code]
                cell = sheet.cell(row=row_number, column=col_number)
                cell.border = border
                spec_cell = spec.cell(form_row.code, column.code)
                if spec_cell is None:
                    cell.value = "X"
                    cell.alignment = Alignment(horizontal="center", vertical="top")
                    cell.font = Font(name=FONT, color="A6A6A6")
                    cell.fill = PatternFill("solid", fgColor=BLOCKED_FILL)
                    continue
                cell.protection = Protection(locked=False)
                cell.fill = PatternFill("solid", fgColor=INPUT_FILL)
                cell.number_format = NUMBER_FORMATS.get(spec_cell.value_type, "General")
                cell.alignment = Alignment(vertical="top", wrap_text=spec_cell.value_type == ValueType.TEXT,
                                           horizontal="center" if spec_cell.value_type == ValueType.BOOLEAN else None)
                cell.value = _excel_value(spec_cell, values.get(spec_cell.key), yes, no)
                validations.setdefault(_validation_key(spec_cell), []).append(cell.coordinate)

    for key, refs in validations.items():
        validation = _validation(key, yes, no)
        if validation is not None:
            for ref in refs:
                validation.add(ref)
            sheet.add_data_validation(validation)

    # Viewing and printing.
    sheet.freeze_panes = f"C{layout.first_data_row}"
    sheet.sheet_view.zoomScale = 100
    sheet.print_title_rows = f"{layout.header_row}:{layout.code_row}"
    sheet.print_area = f"A1:{last_letter}{layout.last_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.75
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.oddFooter.left.text = _("Form %(code)s") % {"code": spec.code}
    sheet.oddFooter.right.text = "&P / &N"
    # Protected without a password: column widths and row heights may change, nothing else of the
    # layout (no inserting, deleting or formatting).
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False

    # The identity of the file.
    meta = workbook.create_sheet(META_SHEET)
    coordinates = layout.coordinates(spec)
    for index, (name, value) in enumerate(_meta_items(spec, context, sheet.title, language, fingerprint(coordinates)),
                                          start=1):
        meta.cell(row=index, column=1, value=name)
        meta.cell(row=index, column=2, value=str(value)).number_format = "@"
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    workbook.active = 0
    workbook.security = WorkbookProtection(lockStructure=True)

    workbook.properties.creator = "Bilim"
    workbook.properties.title = f"{spec.code} {title}".strip()
    workbook.properties.language = language
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _meta_items(spec: FormSpec, context: XlsxContext, sheet_title: str, language: str, layout_hash: str):
    return [("format", FORMAT_VERSION), ("form_id", spec.id), ("code", spec.code), ("year", spec.year),
            ("version", spec.version), ("campaign_id", context.campaign_id),
            ("assignment_id", context.assignment_id), ("sheet", sheet_title), ("language", language),
            ("layout", layout_hash)]


def _sheet_title(code: str) -> str:
    title = _SHEET_TITLE_FORBIDDEN.sub("-", str(code)).strip() or "Form"
    return title[:31] if title != META_SHEET else "Form"


def _lines(text: str, width: float) -> int:
    """About how many lines ``text`` takes in a column ``width`` characters wide."""
    width = max(int(width), 1)
    return max(1, sum(math.ceil(max(len(part), 1) / width) for part in str(text).split("\n")))


def _excel_value(cell: CellSpec, value, yes: str, no: str):
    if value is None or value == "":
        return None
    if cell.value_type == ValueType.BOOLEAN:
        if isinstance(value, bool):
            return yes if value else no
        return str(value)
    if cell.value_type in ValueType.NUMERIC and not isinstance(value, bool) and isinstance(value, (int, float, Decimal)):
        number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
        if number == number.to_integral_value() and abs(number) < MAX_NUMBER:
            return int(number)
        return float(number)
    return str(value)


def _bounds(cell: CellSpec) -> tuple[Decimal | None, Decimal | None]:
    """The same bounds ``parse_value`` applies."""
    minimum = cell.min_value if cell.min_value is not None else Decimal(0)
    maximum = cell.max_value if cell.max_value is not None else (
        Decimal(100) if cell.value_type == ValueType.PERCENT else None)
    return minimum, maximum


def _validation_key(cell: CellSpec) -> tuple:
    if cell.value_type in ValueType.NUMERIC:
        return ("whole" if cell.value_type == ValueType.INTEGER else "decimal", *_bounds(cell))
    return (cell.value_type,)


def _number_text(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _validation(key: tuple, yes: str, no: str) -> DataValidation | None:
    kind = key[0]
    common = {"allow_blank": True, "showErrorMessage": True, "errorStyle": VALIDATION_STYLE,
              "errorTitle": _("Invalid value")[:32]}
    if kind in ("whole", "decimal"):
        minimum, maximum = key[1], key[2]
        texts = {"min": _number_text(minimum), "max": _number_text(maximum) if maximum is not None else ""}
        if maximum is None:
            message = (_("Enter a whole number of at least %(min)s.") if kind == "whole"
                       else _("Enter a number of at least %(min)s.")) % texts
            return DataValidation(type=kind, operator="greaterThanOrEqual", formula1=texts["min"],
                                  error=message, **common)
        message = (_("Enter a whole number from %(min)s to %(max)s.") if kind == "whole"
                   else _("Enter a number from %(min)s to %(max)s.")) % texts
        return DataValidation(type=kind, operator="between", formula1=texts["min"], formula2=texts["max"],
                              error=message, **common)
    if kind == ValueType.BOOLEAN:
        return DataValidation(type="list", formula1=f'"{yes},{no}"', error=_("Enter yes or no."), **common)
    if kind == ValueType.TEXT:
        return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_TEXT),
                              error=_("The text is too long (at most %(n)s characters).") % {"n": MAX_TEXT},
                              **common)
    return None


# --- reading -------------------------------------------------------------------------------------

def read_workbook(spec: FormSpec, data: bytes, *, expect_assignment_id: int | None,
                  expect_campaign_id: int | None, max_bytes: int = MAX_BYTES,
                  max_unpacked_bytes: int = MAX_UNPACKED_BYTES) -> ReadResult:
    """Every value of an uploaded workbook, or ``XlsxError``; messages in the active language."""
    _check_container(data, max_bytes, max_unpacked_bytes)
    values_book = _load(data, data_only=True)
    try:
        meta = _read_meta(values_book)
        _check_identity(spec, meta, expect_assignment_id, expect_campaign_id)
        sheet_title = meta.get("sheet", "")
        if sheet_title not in values_book.sheetnames:
            raise XlsxError("layout_changed", _layout_message())
        layout = _layout(spec)
        cached = _grid(values_book[sheet_title], layout)
    finally:
        values_book.close()

    _check_layout(spec, layout, cached, meta.get("layout", ""))

    formula_book = _load(data, data_only=False)
    try:
        formulas = _grid(formula_book[sheet_title], layout) if sheet_title in formula_book.sheetnames else {}
    finally:
        formula_book.close()

    values: dict[str, Decimal | str | bool | None] = {}
    errors: list[XlsxCellError] = []
    rows = {row.code: row for row in spec.rows}
    columns = {column.code: column for column in spec.columns}
    for form_row in spec.rows:
        for column in spec.columns:
            cell = spec.cell(form_row.code, column.code)
            if cell is None:
                continue
            position = (layout.row_of[cell.row], layout.col_of[cell.column])
            try:
                values[cell.key] = _cell_value(cell, cached.get(position), formulas.get(position))
            except CellError as error:
                errors.append(XlsxCellError(_ref(*position), cell.key, localized(rows[cell.row].label),
                                            localized(columns[cell.column].label), error.message))
    # Cells whose row or column is not laid out (a spec inconsistency) are simply absent: None.
    for key in spec.cells:
        values.setdefault(key, None)
    if errors:
        message = ngettext("%(count)s cell has a value that cannot be accepted; nothing was saved.",
                           "%(count)s cells have values that cannot be accepted; nothing was saved.",
                           len(errors)) % {"count": len(errors)}
        raise XlsxError("invalid_values", message, cell_errors=errors)
    return ReadResult(values=values, form_id=_int(meta.get("form_id")), campaign_id=_int(meta.get("campaign_id")),
                      assignment_id=_int(meta.get("assignment_id")), language=meta.get("language", ""),
                      filled=sum(value is not None for value in values.values()))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _damaged() -> XlsxError:
    return XlsxError("damaged", _("The file is damaged or is not an Excel workbook (.xlsx)."))


def _check_container(data: bytes, max_bytes: int, max_unpacked_bytes: int) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("read_workbook needs the file's bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise XlsxError("too_large", _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                        % {"size": _megabytes(len(data)), "limit": _megabytes(max_bytes)})
    if not data:
        raise XlsxError("damaged", _("The file is empty."))
    if data.startswith(_OLE2_MAGIC):
        raise XlsxError("damaged", _("This is an old Excel 97–2003 file (.xls) or a password-protected one. "
                                     "Save it as an Excel workbook (.xlsx) without a password and upload it again."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _damaged() from None
    with archive:
        try:
            parts = archive.infolist()
        except Exception:  # noqa: BLE001 — whatever a broken central directory raises
            raise _damaged() from None
        if len(parts) > MAX_PARTS:
            raise _damaged()
        unpacked = sum(part.file_size for part in parts)
        if unpacked > max_unpacked_bytes:
            raise XlsxError("too_large", _("The file holds too much data (%(size)s MB unpacked); the limit is "
                                           "%(limit)s MB.") % {"size": _megabytes(unpacked),
                                                               "limit": _megabytes(max_unpacked_bytes)})
        names = {part.filename for part in parts}
        if "[Content_Types].xml" not in names or archive.getinfo("[Content_Types].xml").file_size > 1024 * 1024:
            raise _damaged()
        try:
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
        except Exception:  # noqa: BLE001 — a bad CRC, a bad deflate stream …
            raise _damaged() from None
    if any(kind in content_types for kind in _MACRO_TYPES) or "xl/vbaProject.bin" in names:
        raise XlsxError("damaged", _("This workbook contains macros (.xlsm). Save it as an Excel workbook "
                                     "(.xlsx) and upload it again."))
    if _MAIN_XLSX not in content_types:
        raise _damaged()


def _load(data: bytes, *, data_only: bool):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    except Exception:  # noqa: BLE001 — openpyxl raises anything from KeyError to lxml errors
        raise _damaged() from None


def _read_meta(book) -> dict[str, str]:
    if META_SHEET not in book.sheetnames:
        raise XlsxError("not_ours", _not_ours_message())
    meta: dict[str, str] = {}
    try:
        for row in book[META_SHEET].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
            if row and row[0] is not None:
                meta[str(row[0]).strip()] = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
    except Exception:  # noqa: BLE001
        raise _damaged() from None
    if meta.get("format") != str(FORMAT_VERSION):
        if meta.get("format", "").isdigit():
            raise XlsxError("not_ours", _("This file was made by another version of Bilim. Download the form "
                                          "again and fill it in."))
        raise XlsxError("not_ours", _not_ours_message())
    return meta


def _not_ours_message() -> str:
    return _("This workbook was not downloaded from Bilim. Download the form from Bilim, fill it in and "
             "upload it.")


def _layout_message() -> str:
    return _("Rows or columns of the form were added, deleted or moved. Download the form again and copy "
             "your values into it.")


def _int(text) -> int:
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return 0


def _check_identity(spec: FormSpec, meta: dict[str, str], expect_assignment_id: int | None,
                    expect_campaign_id: int | None) -> None:
    code = meta.get("code", "")
    if code != str(spec.code):
        raise XlsxError("other_form", _("This file is form %(file_code)s; this upload needs form %(code)s.")
                        % {"file_code": code or "?", "code": spec.code})
    if meta.get("year", "") != str(spec.year) or meta.get("version", "") != str(spec.version):
        raise XlsxError("other_version", _("This file is form %(code)s of %(file_year)s, version %(file_version)s; "
                                           "this campaign needs %(year)s, version %(version)s.")
                        % {"code": spec.code, "file_year": _year_label(meta.get("year", "?")),
                           "file_version": meta.get("version", "?"), "year": _year_label(spec.year),
                           "version": spec.version})
    if ((expect_assignment_id is not None and meta.get("assignment_id") != str(expect_assignment_id))
            or (expect_campaign_id is not None and meta.get("campaign_id") != str(expect_campaign_id))):
        raise XlsxError("other_assignment", _("This file was downloaded for another organization or campaign. "
                                              "Download the form for this report and fill it in."))


def _grid(sheet, layout: _Layout) -> dict[tuple[int, int], tuple[object, str, str]]:
    """(row, column) → (value, data type, number format) for the table's rectangle."""
    grid = {}
    try:
        for row_index, row in enumerate(sheet.iter_rows(min_row=1, max_row=layout.last_row, min_col=1,
                                                        max_col=layout.last_col), start=1):
            for col_index, cell in enumerate(row, start=1):
                value = getattr(cell, "value", None)
                if value is None:
                    continue
                grid[(row_index, col_index)] = (value, getattr(cell, "data_type", "n"),
                                                getattr(cell, "number_format", "General") or "General")
    except Exception:  # noqa: BLE001 — a broken sheet part
        raise _damaged() from None
    return grid


def _code_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check_layout(spec: FormSpec, layout: _Layout, grid, stored: str) -> None:
    """Where the row and column codes really are → the fingerprint of that; it must be the one the
    file was made with, and that one must be today's layout of this form version."""
    row_codes = {row.code for row in spec.rows}
    column_codes = {column.code for column in spec.columns}
    found_rows: dict[str, int | None] = {}
    for (row, col), (value, _type, _format) in grid.items():
        if col == 1 and row > layout.code_row and _code_text(value) in row_codes:
            code = _code_text(value)
            found_rows[code] = None if code in found_rows else row
    found_cols: dict[str, int | None] = {}
    for (row, col), (value, _type, _format) in grid.items():
        if row == layout.code_row and col > 2 and _code_text(value) in column_codes:
            code = _code_text(value)
            found_cols[code] = None if code in found_cols else col
    observed = {}
    for key in layout.coordinates(spec):
        cell = spec.cells[key]
        row, col = found_rows.get(cell.row), found_cols.get(cell.column)
        observed[key] = (row, col) if row and col else None
    expected = fingerprint(layout.coordinates(spec))
    if fingerprint(observed) != stored or stored != expected:
        raise XlsxError("layout_changed", _layout_message())


def _cell_value(cell: CellSpec, cached, formula):
    if formula is not None and formula[1] == "f":
        if cached is None or cached[0] is None or cached[0] == "":
            raise CellError(cell.key, _("Enter a value, not a formula that Excel has not calculated."))
    if cached is None:
        return None
    value, data_type, number_format = cached
    if data_type == "e":
        raise CellError(cell.key, _("The cell shows an Excel error (%(error)s); enter a value.") % {"error": value})
    if hasattr(value, "isoformat"):  # a date Excel made of what was typed
        if cell.value_type == ValueType.TEXT:
            value = value.isoformat()
        else:
            raise CellError(cell.key, _("Enter a number.") if cell.value_type in ValueType.NUMERIC
                            else _("Enter yes or no."))
    if cell.value_type == ValueType.PERCENT:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in str(number_format):
            # Typed as "12.5%": Excel stores 0.125 and shows it as a percentage.
            value = Decimal(repr(float(value))) * 100
            value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
        elif isinstance(value, str) and value.strip().endswith("%"):
            value = value.strip()[:-1]
    return parse_value(cell, value)
