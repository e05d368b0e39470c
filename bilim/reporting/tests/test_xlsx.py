"""The report form as an Excel workbook: built, filled in as a person would (with openpyxl), read back.

No database: the form is a ``FormSpec`` made here — a school form in Kazakh with two sections,
integer, decimal, percent, text and yes/no cells."""

from __future__ import annotations

import io
import os
import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from openpyxl import Workbook, load_workbook

from bilim.reporting.spec import CellSpec, ColumnSpec, FormSpec, RowSpec, SectionSpec, ValueType, cell_key
from bilim.reporting.xlsx import (CONTENT_TYPE, META_SHEET, XlsxCellError, XlsxContext, XlsxError,
                                  build_workbook, fingerprint, read_workbook, suggested_filename)

I, D, P, T, B = ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT, ValueType.TEXT, ValueType.BOOLEAN

COLUMNS = (
    ColumnSpec("1", {"kk": "Барлығы", "ru": "Всего", "en": "Total"}),
    ColumnSpec("2", {"kk": "оның ішінде қыздар", "ru": "в том числе девочки", "en": "of them girls"}),
    ColumnSpec("3", {"kk": "Үлесі, %", "ru": "Доля, %", "en": "Share, %"}),
    ColumnSpec("4", {"kk": "Ескертпе", "ru": "Примечание", "en": "Note"}),
)
SECTIONS = (
    SectionSpec("1", {"kk": "1-бөлім. Оқушылар контингенті", "ru": "Раздел 1. Контингент учащихся",
                      "en": "Section 1. Pupils"}, (
        RowSpec("01", {"kk": "Оқушылар саны, барлығы", "ru": "Численность учащихся, всего",
                       "en": "Pupils, total"}, "pupils"),
        RowSpec("02", {"kk": "оның ішінде 1–4 сыныптарда", "ru": "в том числе в 1–4 классах",
                       "en": "of them in grades 1–4"}, "pupils_1_4"),
        RowSpec("03", {"kk": "оның ішінде 5–9 сыныптарда", "ru": "в том числе в 5–9 классах",
                       "en": "of them in grades 5–9"}, "pupils_5_9"),
    )),
    SectionSpec("2", {"kk": "2-бөлім. Мектеп инфрақұрылымы", "ru": "Раздел 2. Инфраструктура школы",
                      "en": "Section 2. School infrastructure"}, (
        RowSpec("04", {"kk": "Оқу кабинеттерінің ауданы, м²", "ru": "Площадь учебных кабинетов, м²",
                       "en": "Area of classrooms, m²"}, "area"),
        RowSpec("05", {"kk": "Жылдамдығы кемінде 100 Мбит/с интернетке қосылу бар ма",
                       "ru": "Есть ли подключение к интернету не менее 100 Мбит/с",
                       "en": "Is there an internet connection of at least 100 Mbit/s"}, "internet"),
        RowSpec("06", {"kk": "Спорт залы бар ма", "ru": "Есть ли спортивный зал", "en": "Is there a gym"},
                "gym"),
    )),
)
CELL_TYPES = {  # (row, column) -> value type; every other intersection is not an input cell
    ("01", "1"): I, ("01", "2"): I, ("01", "3"): P, ("01", "4"): T,
    ("02", "1"): I, ("02", "2"): I, ("02", "3"): P,
    ("03", "1"): I, ("03", "2"): I, ("03", "3"): P,
    ("04", "1"): D, ("04", "4"): T,
    ("05", "1"): B,
    ("06", "1"): B, ("06", "4"): T,
}
INDICATORS = {row.code: row.indicator for section in SECTIONS for row in section.rows}


def make_spec(*, id=7, code="2", year="2025-2026", version=2, sections=SECTIONS, cell_types=None) -> FormSpec:
    cells = {}
    for (row, column), value_type in (cell_types or CELL_TYPES).items():
        key = cell_key(row, column)
        cells[key] = CellSpec(key=key, row=row, column=column, indicator=INDICATORS.get(row, "x"),
                              value_type=value_type)
    return FormSpec(id=id, code=code, year=year, version=version,
                    title={"kk": "Жалпы білім беретін мектептің есебі", "ru": "Отчёт общеобразовательной школы",
                           "en": "Report of a general education school"},
                    sections=sections, columns=COLUMNS, cells=cells)


SPEC = make_spec()
CONTEXT = XlsxContext(language="kk", organization_name="Астана қ. №12 мектеп-гимназиясы",
                      campaign_title="2025–2026 оқу жылының басы", period_label="2025 жылғы 5 қыркүйек",
                      deadline_text="2025 жылғы 20 қыркүйек", assignment_id=41, campaign_id=5)
PREFILLED = {"r01c1": Decimal(620), "r01c2": Decimal(301), "r01c3": Decimal("48.5"), "r01c4": "Ауысымы: екі",
             "r02c1": Decimal(250), "r04c1": Decimal("1234.75"), "r05c1": True, "r06c1": False}


@pytest.fixture(autouse=True)
def _kazakh():
    with translation.override("kk"):
        yield


def build(spec=SPEC, values=None, **context):
    fields = {**CONTEXT.__dict__, **context}
    return build_workbook(spec, PREFILLED if values is None else values, context=XlsxContext(**fields))


def read(data, spec=SPEC, assignment=41, campaign=5, **kwargs):
    return read_workbook(spec, data, expect_assignment_id=assignment, expect_campaign_id=campaign, **kwargs)


def fails(code, data, **kwargs) -> XlsxError:
    with pytest.raises(XlsxError) as caught:
        read(data, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def position(sheet, row_code, column_code) -> str:
    """Where a person finds the cell: the row by its code in column A, the column by its number."""
    row = next(cell.row for cell in sheet["A"] if cell.value == row_code)
    code_row = next(r for r in range(1, 30) if sheet.cell(row=r, column=3).value == COLUMNS[0].code)
    column = next(cell.column for cell in sheet[code_row] if cell.value == column_code and cell.column > 2)
    return sheet.cell(row=row, column=column).coordinate


def edit(data, changes, sheet_action=None) -> bytes:
    """Open the file as Excel would, type ``changes`` ({(row code, column code): value}), save."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    for (row, column), value in changes.items():
        sheet[position(sheet, row, column)] = value
    if sheet_action:
        sheet_action(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(data, replace=None, add=None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if replace and item.filename in replace:
                content = replace[item.filename](content)
            target.writestr(item.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


EMPTY = {key: None for key in SPEC.cells}


# --- round trip ----------------------------------------------------------------------------------

def test_prefilled_values_come_back_unchanged():
    result = read(build())
    assert result.values == {**EMPTY, **PREFILLED}
    assert (result.form_id, result.campaign_id, result.assignment_id, result.language) == (7, 5, 41, "kk")
    assert result.filled == len(PREFILLED)


def test_values_typed_in_excel_come_back_exactly():
    typed = {
        ("01", "1"): 1234, ("01", "2"): "1 234", ("01", "3"): 12.5, ("01", "4"): "Екі ауысым, 1-ші ауысым 08:00",
        ("02", "1"): "600", ("02", "2"): "\u00a0290\u00a0", ("02", "3"): "12,5",
        ("03", "1"): 0, ("03", "3"): 100,
        ("04", "1"): "1 234,75",
        ("05", "1"): "Иә", ("06", "1"): "Жоқ", ("06", "4"): "Жөндеуде: 2026 жылға дейін",
    }
    result = read(edit(build(values={}), typed))
    assert result.values == {**EMPTY,
        "r01c1": Decimal(1234), "r01c2": Decimal(1234), "r01c3": Decimal("12.5"),
        "r01c4": "Екі ауысым, 1-ші ауысым 08:00", "r02c1": Decimal(600), "r02c2": Decimal(290),
        "r02c3": Decimal("12.5"), "r03c1": Decimal(0), "r03c3": Decimal(100), "r04c1": Decimal("1234.75"),
        "r05c1": True, "r06c1": False, "r06c4": "Жөндеуде: 2026 жылға дейін"}
    assert str(result.values["r01c1"]) == "1234" and str(result.values["r04c1"]) == "1234.75"


def test_clearing_a_prefilled_cell_gives_none_and_excel_booleans_are_understood():
    result = read(edit(build(), {("01", "1"): None, ("01", "4"): "   ", ("05", "1"): False, ("06", "1"): True}))
    assert result.values["r01c1"] is None and result.values["r01c4"] is None
    assert result.values["r05c1"] is False and result.values["r06c1"] is True
    assert result.values["r01c2"] == Decimal(301)


def test_percent_typed_with_a_percent_sign():
    def as_excel_does(sheet):  # Excel stores "12.5%" as 0.125 with a percentage format
        cell = sheet[position(sheet, "02", "3")]
        cell.value, cell.number_format = 0.125, "0.0%"
        sheet[position(sheet, "03", "3")] = "7,5 %"

    result = read(edit(build(values={}), {}, as_excel_does))
    assert result.values["r02c3"] == Decimal("12.5") and result.values["r03c3"] == Decimal("7.5")


def test_formula_with_a_cached_value_is_taken():
    data = edit(build(values={}), {("01", "1"): "=250+370"})
    ref = position(load_workbook(io.BytesIO(data)).worksheets[0], "01", "1")

    def cache(xml: bytes) -> bytes:  # what Excel writes after calculating (openpyxl writes <v/>, or <v></v> with lxml)
        return re.sub(rf'(<c r="{ref}"[^>]*><f>250\+370</f>)(?:<v\s*/>|<v></v>)'.encode(), rb"\1<v>620</v>", xml)

    cached = rezip(data, replace={"xl/worksheets/sheet1.xml": cache})
    assert cached != data
    assert read(cached).values["r01c1"] == Decimal(620)


def test_languages_other_than_kazakh():
    for language, yes in (("ru", "Да"), ("en", "Yes")):
        data = build(language=language)
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        assert sheet[position(sheet, "05", "1")].value == yes
        texts = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
        assert SPEC.sections[0].rows[0].label[language] in texts
        assert COLUMNS[1].label[language] in texts
        assert read(data).values == {**EMPTY, **PREFILLED}


# --- the workbook as a person sees it ----------------------------------------------------------------

def test_layout_like_the_printed_form_and_kazakh_text_preserved():
    book = load_workbook(io.BytesIO(build()))
    sheet = book.worksheets[0]
    assert book.sheetnames == ["2", META_SHEET]
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    for expected in ("Жалпы білім беретін мектептің есебі", "Астана қ. №12 мектеп-гимназиясы",
                     "2025–2026", "2025 жылғы 5 қыркүйек", "2025 жылғы 20 қыркүйек",
                     "1-бөлім. Оқушылар контингенті", "2-бөлім. Мектеп инфрақұрылымы",
                     "Жылдамдығы кемінде 100 Мбит/с интернетке қосылу бар ма", "оның ішінде қыздар",
                     "Ауысымы: екі"):
        assert any(expected in text for text in texts), expected
    # Every row: code in A, label in B; section titles bold on their own row above their rows.
    for section in SECTIONS:
        first = next(cell for cell in sheet["A"] if cell.value == section.rows[0].code)
        title = sheet.cell(row=first.row - 1, column=1)
        assert title.value == section.title["kk"] and title.font.b
        for row in section.rows:
            code = next(cell for cell in sheet["A"] if cell.value == row.code)
            assert sheet.cell(row=code.row, column=2).value == row.label["kk"]
    # Column headers above the column numbers.
    ref = position(sheet, "01", "2")
    column = sheet[ref].column
    code_row = next(r for r in range(1, 30) if sheet.cell(row=r, column=3).value == "1")
    assert sheet.cell(row=code_row - 1, column=column).value == "оның ішінде қыздар"
    assert sheet.freeze_panes == f"C{code_row + 1}"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["B"].width >= 36


def test_input_cells_are_unlocked_and_everything_else_is_protected():
    book = load_workbook(io.BytesIO(build()))
    sheet, meta = book.worksheets
    # In OOXML a true flag means "forbidden while protected": rows and columns cannot be inserted or
    # deleted, but may be resized.
    protection = sheet.protection
    assert protection.sheet and protection.insertRows and protection.deleteRows and protection.insertColumns
    assert protection.deleteColumns and protection.formatCells and protection.sort
    assert not protection.formatColumns and not protection.formatRows
    assert book.security.lockStructure
    assert meta.sheet_state in ("hidden", "veryHidden") and meta.protection.sheet
    inputs = {position(sheet, row, column) for row, column in CELL_TYPES}
    fill = None
    for row in sheet.iter_rows():
        for cell in row:
            if cell.coordinate in inputs:
                assert cell.protection.locked is False, cell.coordinate
                fill = fill or cell.fill.fgColor.rgb
                assert cell.fill.fgColor.rgb == fill
            else:
                assert cell.protection.locked is not False, cell.coordinate
    assert fill and fill.endswith("FFF2CC")
    blocked = sheet[position(sheet, "05", "2")]
    assert blocked.value == "X" and blocked.protection.locked


def test_number_formats_and_data_validation():
    sheet = load_workbook(io.BytesIO(build())).worksheets[0]
    formats = {I: "0", D: "0.00", P: "0.0", T: "@"}
    for (row, column), value_type in CELL_TYPES.items():
        if value_type in formats:
            assert sheet[position(sheet, row, column)].number_format == formats[value_type]
    rules = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            for row in sheet[cell_range.coord] if ":" in cell_range.coord else [[sheet[cell_range.coord]]]:
                for cell in row:
                    rules[cell.coordinate] = validation
    whole = rules[position(sheet, "01", "1")]
    assert (whole.type, whole.operator, whole.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert whole.error == gettext("Enter a whole number of at least %(min)s.") % {"min": "0"}
    percent = rules[position(sheet, "01", "3")]
    assert (percent.type, percent.operator, percent.formula1, percent.formula2) == ("decimal", "between", "0", "100")
    decimal = rules[position(sheet, "04", "1")]
    assert (decimal.type, decimal.formula1) == ("decimal", "0")
    yes_no = rules[position(sheet, "05", "1")]
    assert (yes_no.type, yes_no.formula1) == ("list", '"Иә,Жоқ"')
    assert rules[position(sheet, "01", "4")].type == "textLength"
    assert all(rule.showErrorMessage and rule.allow_blank for rule in rules.values())


def test_identity_sheet():
    meta = load_workbook(io.BytesIO(build()))[META_SHEET]
    items = {row[0]: row[1] for row in meta.iter_rows(values_only=True)}
    assert items["format"] == "1" and items["form_id"] == "7" and items["code"] == "2"
    assert (items["year"], items["version"]) == ("2025-2026", "2")
    assert (items["campaign_id"], items["assignment_id"]) == ("5", "41")
    assert re.fullmatch(r"[0-9a-f]{64}", items["layout"])
    assert fingerprint({"r01c1": (11, 3)}) != fingerprint({"r01c1": (12, 3)})


def test_suggested_filename_and_content_type():
    assert suggested_filename(SPEC, CONTEXT) == "form-2_2025-2026_v2_a41.xlsx"
    assert CONTENT_TYPE.endswith("spreadsheetml.sheet")


# --- files that are refused --------------------------------------------------------------------------

def damaged_message():
    return gettext("The file is damaged or is not an Excel workbook (.xlsx).")


@pytest.mark.parametrize("data", [
    pytest.param(os.urandom(4096), id="random-bytes"),
    pytest.param(b"PK\x03\x04" + os.urandom(2000), id="zip-signature-then-garbage"),
    pytest.param("Сынып,Оқушылар\n1,25\n".encode(), id="csv"),
])
def test_damaged_files(data):
    assert fails("damaged", data).message == damaged_message()


def test_truncated_zip_is_damaged():
    data = build()
    assert fails("damaged", data[: len(data) // 2]).message == damaged_message()
    assert fails("damaged", data[:-30]).message == damaged_message()


def test_a_zip_that_is_not_a_workbook_is_damaged():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert fails("damaged", out.getvalue()).message == damaged_message()
    # A workbook with a part that openpyxl cannot parse.
    broken = rezip(build(), replace={"xl/workbook.xml": lambda xml: xml[: len(xml) // 2]})
    assert fails("damaged", broken).message == damaged_message()


def test_empty_file():
    assert fails("damaged", b"").message == gettext("The file is empty.")


def test_xls_and_xlsm_are_refused():
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088)
    assert fails("damaged", xls).message == gettext(
        "This is an old Excel 97–2003 file (.xls) or a password-protected one. "
        "Save it as an Excel workbook (.xlsx) without a password and upload it again.")
    macro = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    xlsm = rezip(build(), replace={"[Content_Types].xml": lambda xml: xml.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", macro.encode())},
        add={"xl/vbaProject.bin": os.urandom(512)})
    assert fails("damaged", xlsm).message == gettext(
        "This workbook contains macros (.xlsm). Save it as an Excel workbook (.xlsx) and upload it again.")


def test_too_large():
    error = fails("too_large", build(), max_bytes=1024)
    assert error.message == gettext("The file is too large (%(size)s MB); the limit is %(limit)s MB.") % {
        "size": "0", "limit": "0"}
    big = b"0" * (5 * 1024 * 1024 + 1)
    assert fails("too_large", big).message == gettext(
        "The file is too large (%(size)s MB); the limit is %(limit)s MB.") % {"size": "5", "limit": "5"}


def test_zip_bomb_is_refused_before_unpacking():
    bomb = rezip(build(), add={"xl/media/image1.png": bytes(60 * 1024 * 1024)})
    assert len(bomb) < 5 * 1024 * 1024
    error = fails("too_large", bomb)
    assert error.message == gettext(
        "The file holds too much data (%(size)s MB unpacked); the limit is %(limit)s MB.") % {
        "size": "60", "limit": "50"}


def test_workbook_not_made_by_bilim():
    book = Workbook()
    book.active["A1"] = "Оқушылар саны"
    out = io.BytesIO()
    book.save(out)
    assert fails("not_ours", out.getvalue()).message == gettext(
        "This workbook was not downloaded from Bilim. Download the form from Bilim, fill it in and upload it.")


def test_another_form():
    other = make_spec(id=8, code="3")
    error = fails("other_form", build(spec=other))
    assert error.message == gettext("This file is form %(file_code)s; this upload needs form %(code)s.") % {
        "file_code": "3", "code": "2"}


@pytest.mark.parametrize("year, version", [("2024-2025", 2), ("2025-2026", 1), ("2024-2025", 1)])
def test_another_year_or_version(year, version):
    error = fails("other_version", build(spec=make_spec(year=year, version=version)))
    assert error.message == gettext(
        "This file is form %(code)s of %(file_year)s, version %(file_version)s; "
        "this campaign needs %(year)s, version %(version)s.") % {
        "code": "2", "file_year": year.replace("-", "–"), "file_version": version, "year": "2025–2026",
        "version": 2}


def test_english_messages_read_as_written():
    with translation.override("en"):
        error = fails("other_version", build(spec=make_spec(year="2024-2025", version=1)))
        assert error.message == ("This file is form 2 of 2024–2025, version 1; "
                                 "this campaign needs 2025–2026, version 2.")
        error = fails("invalid_values", edit(build(values={}), {("01", "1"): -1}))
        assert error.message == "1 cell has a value that cannot be accepted; nothing was saved."
        assert error.cell_errors[0].message == "The value cannot be less than 0."
        assert error.cell_errors[0].row_label == "Pupils, total"


def test_another_assignment_or_campaign():
    message = gettext("This file was downloaded for another organization or campaign. "
                      "Download the form for this report and fill it in.")
    assert fails("other_assignment", build(assignment_id=42)).message == message
    assert fails("other_assignment", build(campaign_id=6)).message == message
    # Without an expectation the identifiers are not checked (e.g. a district uploading for a school).
    result = read(build(assignment_id=42, campaign_id=6), assignment=None, campaign=None)
    assert (result.assignment_id, result.campaign_id) == (42, 6)


LAYOUT_MESSAGE = ("Rows or columns of the form were added, deleted or moved. Download the form again and copy "
                  "your values into it.")


@pytest.mark.parametrize("action", [
    pytest.param(lambda sheet: sheet.insert_rows(12), id="row-inserted"),
    pytest.param(lambda sheet: sheet.insert_rows(3), id="row-inserted-in-title"),
    pytest.param(lambda sheet: sheet.delete_rows(12), id="row-deleted"),
    pytest.param(lambda sheet: sheet.insert_cols(4), id="column-inserted"),
    pytest.param(lambda sheet: sheet.move_range("A11:F11", rows=1, cols=0), id="row-moved"),
])
def test_moved_rows_or_columns(action):
    error = fails("layout_changed", edit(build(), {}, action))
    assert error.message == gettext(LAYOUT_MESSAGE)


def test_a_layout_that_changed_under_the_same_version():
    # Same code, year and version, but the form now has a row more: the file no longer fits it.
    rows = SECTIONS[0].rows + (RowSpec("07", {"kk": "10–11 сыныптарда"}, "pupils_10_11"),)
    grown = make_spec(sections=(SectionSpec("1", SECTIONS[0].title, rows), SECTIONS[1]),
                      cell_types={**CELL_TYPES, ("07", "1"): I})
    assert fails("layout_changed", build(), spec=grown).message == gettext(LAYOUT_MESSAGE)


def test_every_bad_value_is_listed_and_nothing_is_returned():
    data = edit(build(), {
        ("01", "1"): -5,  # a negative count
        ("01", "2"): "жиырма",  # a text in a number cell
        ("02", "1"): 12.5,  # a decimal in an integer cell
        ("02", "3"): 120,  # a percent above 100
        ("03", "1"): "=B3*2",  # a formula Excel never calculated
        ("05", "1"): "мүмкін",  # neither yes nor no
        ("03", "2"): 17,  # a good value: still nothing is returned
    })
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    error = fails("invalid_values", data)
    assert error.message == ngettext(
        "%(count)s cell has a value that cannot be accepted; nothing was saved.",
        "%(count)s cells have values that cannot be accepted; nothing was saved.", 6) % {"count": 6}
    label = {row.code: row.label["kk"] for section in SECTIONS for row in section.rows}
    column = {c.code: c.label["kk"] for c in COLUMNS}

    def expected(row, col, message):
        return XlsxCellError(position(sheet, row, col), cell_key(row, col), label[row], column[col], message)

    assert error.cell_errors == [
        expected("01", "1", gettext("The value cannot be less than %(min)s.") % {"min": 0}),
        expected("01", "2", gettext("Enter a number.")),
        expected("02", "1", gettext("Enter a whole number.")),
        expected("02", "3", gettext("The value cannot be more than %(max)s.") % {"max": 100}),
        expected("03", "1", gettext("Enter a value, not a formula that Excel has not calculated.")),
        expected("05", "1", gettext("Enter yes or no.")),
    ]
    assert re.fullmatch(r"[C-F]\d+", error.cell_errors[0].ref)


def test_an_excel_error_value_is_reported():
    data = edit(build(values={}), {("01", "1"): "=1/0"})
    ref = position(load_workbook(io.BytesIO(data)).worksheets[0], "01", "1")
    errored = rezip(data, replace={"xl/worksheets/sheet1.xml": lambda xml: re.sub(
        rf'<c r="{ref}"([^>]*)><f>1/0</f>(?:<v\s*/>|<v></v>)'.encode(), rf'<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v>'.encode(),
        xml)})
    error = fails("invalid_values", errored)
    assert error.cell_errors[0].message == gettext(
        "The cell shows an Excel error (%(error)s); enter a value.") % {"error": "#DIV/0!"}
