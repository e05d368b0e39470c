"""Summary reports (R10) and time series (R11): every format for the ministry, a region officer and a
district officer; 404 outside the scope on every URL; the numbers in each file are the consolidated
ones (``services.consolidated_values``); SDMX-CSV 2.0; the PDF's text and its font."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from openpyxl import load_workbook

from bilim.core.models import Level, OrgUnit, Role, RoleGrant
from bilim.reporting import reports, selectors, services
from bilim.reporting.models import Aggregate, Assignment, Campaign

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
FORM_TITLE_KK = "Жалпы білім беретін мектептер желісі мен контингенті туралы есеп"
CAMPAIGN_KK = "Д-1: мектептер желісі мен контингенті, 2026–2027 оқу жылы"
OFFICERS = ["ministry", "region.astana", "district.esil"]


@pytest.fixture
def rdemo(demo):
    from bilim.reporting.demo import seed

    seed("small")
    demo.campaign = Campaign.objects.get(form__code="D-1")
    demo.astana = demo.esil.parent
    return demo


def node_of(rdemo, username: str) -> OrgUnit:
    return {"ministry": rdemo.republic, "region.astana": rdemo.astana, "district.esil": rdemo.esil}[username]


def summary_url(campaign, **params) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"/kk/reporting/reports/campaigns/{campaign.pk}/{query}"


def sdmx_url(campaign, **params) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"/kk/reporting/reports/campaigns/{campaign.pk}/sdmx.csv{query}"


def series_url(code: str, **params) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"/kk/reporting/reports/indicators/{code}/{query}"


def logged_in(client, rdemo, username: str):
    client.force_login(rdemo.user(username))
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- HTML ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", OFFICERS)
def test_summary_page_shows_the_users_node(rdemo, client, username):
    node = node_of(rdemo, username)
    response = logged_in(client, rdemo, username).get(summary_url(rdemo.campaign))
    assert response.status_code == 200
    html = response.content.decode()
    assert FORM_TITLE_KK in html and CAMPAIGN_KK in html and node.name_kk in html
    values = services.consolidated_values(rdemo.campaign, node)
    total = reports.format_value(values["r13c1"], "kk")
    assert re.search(rf'data-cell="r13c1">{re.escape(total)}</td>', html)
    assert "UTC+05:00" in html and "format=xlsx" in html and "sdmx.csv" in html
    # every child of the node is a link to its own summary
    for child in reports.summary_data(rdemo.user(username), rdemo.campaign, node).children:
        assert f'href="?unit={child.unit.id}"' in html


def test_summary_drills_down_and_back_up(rdemo, client):
    logged_in(client, rdemo, "ministry")
    response = client.get(summary_url(rdemo.campaign, unit=rdemo.esil.pk))
    html = response.content.decode()
    assert response.status_code == 200 and rdemo.esil.name_kk in html
    assert f'href="?unit={rdemo.republic.pk}"' in html and f'href="?unit={rdemo.astana.pk}"' in html  # breadcrumbs
    school = Assignment.objects.filter(campaign=rdemo.campaign, org_unit__parent=rdemo.esil, status="accepted").first().org_unit
    response = client.get(summary_url(rdemo.campaign, unit=school.pk))
    assert response.status_code == 200 and school.name_kk in response.content.decode()


def test_children_table_matches_drill_down(rdemo):
    ministry = rdemo.user("ministry")
    report = reports.summary_data(ministry, rdemo.campaign, rdemo.astana)
    drilled = {row.unit.pk: row.value for row in selectors.drill_down(ministry, rdemo.campaign, rdemo.astana, "r13c1")}
    shown = {child.unit.id: child.values.get("r13c1") for child in report.children if "r13c1" in child.values}
    assert shown == drilled and drilled
    assert sum(shown.values()) == report.values["r13c1"]
    assert [m.key for m in report.main_cells] == ["r13c1", "r13c5", "r21c1", "r23c1", "r24c1"]


def test_printed_children_table_continues_in_column_groups(rdemo):
    report = reports.summary_data(rdemo.user("ministry"), rdemo.campaign, rdemo.republic)
    whole = reports.summary_context(report, "kk")["children_tables"]
    assert len(whole) == 1 and len(whole[0]["mains"]) == 5 and whole[0]["figures"]
    split = reports.summary_context(report, "kk", first_table=2, next_tables=2)["children_tables"]
    assert [[m["key"] for m in table["mains"]] for table in split] == [["r13c1", "r13c5"], ["r21c1", "r23c1"], ["r24c1"]]
    assert [table["figures"] for table in split] == [True, False, False]
    assert all(len(row["values"]) == len(table["mains"]) for table in split for row in table["rows"])
    assert [len(table["node_values"]) for table in split] == [2, 2, 1]


# --- XLSX ------------------------------------------------------------------------------------------

def sheet_values(sheet) -> tuple[dict[str, object], list[str]]:
    """{cell key: value} read back from the form layout (row codes in column A, column codes in
    the row under the headers), and the title block's lines."""
    rows = list(sheet.iter_rows(values_only=True))
    code_index = next(i for i, row in enumerate(rows) if row[0] in ("А", "A") and row[1] in ("Б", "B"))
    columns = {index: str(code) for index, code in enumerate(rows[code_index]) if index >= 2 and code is not None}
    values = {}
    for row in rows[code_index + 1:]:
        if row[0] is None or row[1] is None:
            continue  # a section header
        for index, code in columns.items():
            if row[index] != "X":
                values[f"r{row[0]}c{code}"] = row[index]
    return values, [row[0] for row in rows[:code_index] if row[0]]


@pytest.mark.parametrize("username", OFFICERS)
def test_xlsx_holds_the_consolidated_values(rdemo, client, username):
    node = node_of(rdemo, username)
    response = logged_in(client, rdemo, username).get(summary_url(rdemo.campaign, format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == reports.XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 2
    values, title = sheet_values(workbook.worksheets[0])
    expected = services.consolidated_values(rdemo.campaign, node)
    spec = reports.spec_for(rdemo.campaign.form_id)
    assert set(values) == set(spec.cells)
    for key in spec.cells:
        got = values[key]
        assert (Decimal(str(got)) if got is not None else None) == expected.get(key), key
    assert expected["r13c1"] > 0
    text = "\n".join(title)
    assert CAMPAIGN_KK in text and node.name_kk in text and "2026-2027" in text and "UTC+05:00" in text
    assert "Ұйымдар: күтілген" in text  # completeness
    # the second sheet: one row per child with its main totals, and the node's total last
    children = workbook.worksheets[1]
    rows = [row for row in children.iter_rows(values_only=True) if row[0]]
    report = reports.summary_data(rdemo.user(username), rdemo.campaign, node)
    header = rows[2]
    total_column = header.index("Барлық оқушылар")
    by_name = {row[0]: row for row in rows[3:]}
    for child in report.children:
        got = by_name[child.unit.names["kk"]][total_column]
        assert (Decimal(got) if got is not None else None) == child.values.get("r13c1")
    assert Decimal(rows[-1][total_column]) == expected["r13c1"] and rows[-1][0].startswith("Барлығы")


# --- PDF -------------------------------------------------------------------------------------------

def pdf_text(pdf: bytes, tmp_path) -> str:
    try:
        import pypdfium2
    except ImportError:
        pypdfium2 = None
    if pypdfium2 is not None:
        document = pypdfium2.PdfDocument(pdf)
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    if not shutil.which("pdftotext"):
        pytest.skip("neither pypdfium2 nor pdftotext (poppler-utils) is installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True).stdout.decode()


@pytest.mark.parametrize("username", OFFICERS)
def test_pdf_is_a4_landscape_in_dejavu_with_kazakh_text(rdemo, client, username, tmp_path):
    node = node_of(rdemo, username)
    response = logged_in(client, rdemo, username).get(summary_url(rdemo.campaign, format="pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"report-summary-{username}.pdf").write_bytes(pdf)
    words = " ".join(pdf_text(pdf, tmp_path).split())
    assert FORM_TITLE_KK in words and CAMPAIGN_KK in words and node.name_kk in words
    assert "1-бөлім. Оқушылар контингенті" in words
    total = reports.format_value(services.consolidated_values(rdemo.campaign, node)["r13c1"], "kk")
    assert total.replace("\u00a0", " ") in words.replace("\u00a0", " ")
    assert re.search(r"(?<![\d.])1 ?/ ?\d\b", words)  # page numbers in the footer
    if shutil.which("pdffonts") and shutil.which("pdfinfo"):
        path = tmp_path / "fonts.pdf"
        path.write_bytes(pdf)
        fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
        assert fonts and all("DejaVu-Sans" in line and " yes " in line for line in fonts), fonts
        info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
        assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)", info), info


def test_pdf_refuses_a_font_without_kazakh_letters():
    class Font:
        def __init__(self, family, missing=()):
            self.family, self.missing = family, {ord(c): 0 for c in missing}

    reports.check_pdf_fonts([Font("DejaVu Sans"), Font("DejaVu Sans", "漢")])  # a character no font has: fine
    with pytest.raises(reports.PdfFontError):
        reports.check_pdf_fonts([Font("Liberation Serif")])
    with pytest.raises(reports.PdfFontError):
        reports.check_pdf_fonts([Font("DejaVu Sans", "ә")])


# --- CSV -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", OFFICERS)
def test_csv_has_one_line_per_cell(rdemo, client, username):
    node = node_of(rdemo, username)
    response = logged_in(client, rdemo, username).get(summary_url(rdemo.campaign, format="csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [reports.text(key, "kk") for key in ("section", "row_code", "row_label", "column_code", "column_label", "value")]
    assert rows[0][0] == "Бөлім" and rows[0][-1] == "Мәні"  # the page's language, Kazakh
    spec = reports.spec_for(rdemo.campaign.form_id)
    assert len(rows) - 1 == len(spec.cells)
    expected = services.consolidated_values(rdemo.campaign, node)
    got = {f"r{row[1]}c{row[3]}": row[5] for row in rows[1:]}
    assert got == {key: reports.plain_number(expected.get(key)) for key in spec.cells}
    total = next(row for row in rows if row[1] == "13" and row[3] == "1")
    assert total == ["1-бөлім. Оқушылар контингенті", "13", "Барлығы", "1", "Барлық оқушылар", str(expected["r13c1"])]


# --- downloads are named in Kazakh with an ASCII fallback -------------------------------------------

def test_download_names_are_ascii_safe_with_the_kazakh_name(rdemo, client):
    response = logged_in(client, rdemo, "district.esil").get(summary_url(rdemo.campaign, format="xlsx"))
    disposition = response["Content-Disposition"]
    assert disposition.isascii()
    assert 'attachment; filename="D-1_2026-2027_Esil_audany.xlsx"' in disposition
    assert "filename*=UTF-8''" + quote("D-1 2026-2027 Есіл ауданы.xlsx", safe="") in disposition
    response = client.get(summary_url(rdemo.campaign, format="pdf"), HTTP_ACCEPT_LANGUAGE="ru")
    assert response["Content-Disposition"].isascii()


def test_content_disposition_header_cannot_be_broken():
    from bilim.reporting.report_views import content_disposition

    header = content_disposition('a";b\r\n.csv', 'a";b\r\n.csv')
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
    assert header.endswith("filename*=UTF-8''a%22%3Bb%0D%0A.csv")


# --- SDMX-CSV 2.0 ----------------------------------------------------------------------------------

SDMX_HEADER = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "REF_AREA", "TIME_PERIOD", "INDICATOR", "SEX", "GRADE", "LANG",
               "OBS_VALUE", "UNIT_MEASURE"]


def sdmx_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.sdmx.data+csv; version=2.0.0")
    data = body_of(response)
    assert not data.startswith("\ufeff".encode())  # the header row starts with STRUCTURE itself
    assert b"\r\n" in data  # RFC 4180 line breaks
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.mark.parametrize("username", OFFICERS)
def test_sdmx_csv_of_the_users_subtree(rdemo, client, username):
    node = node_of(rdemo, username)
    rows = sdmx_rows(logged_in(client, rdemo, username).get(sdmx_url(rdemo.campaign)))
    assert rows[0] == SDMX_HEADER
    assert {tuple(row[:3]) for row in rows[1:]} == {("dataflow", "KZ_MOE:D-1_2026-2027(1.0.0)", "I")}
    assert {row[4] for row in rows[1:]} == {"2026-09-01/P1Y"}
    own = "KZ" if node.level == Level.REPUBLIC else node.kato
    total = [row for row in rows[1:] if row[3] == own and row[5:9] == ["PUPILS", "_T", "_T", "_T"]]
    assert len(total) == 1
    assert Decimal(total[0][9]) == services.consolidated_values(rdemo.campaign, node)["r13c1"] and total[0][10] == "PERSONS"
    girls = next(row for row in rows[1:] if row[3] == own and row[5:9] == ["PUPILS", "F", "_T", "_T"])
    assert Decimal(girls[9]) == services.consolidated_values(rdemo.campaign, node)["r13c2"]
    # the node and the districts below it, never an organization, nothing outside
    below = OrgUnit.objects.filter(path__startswith=node.path, level__lte=Level.DISTRICT)
    areas = {"KZ" if u.level == Level.REPUBLIC else u.kato for u in below}
    assert {row[3] for row in rows[1:]} <= areas
    assert rdemo.esil.kato in {row[3] for row in rows[1:]}
    keys = [tuple(row[3:9]) for row in rows[1:]]
    assert len(keys) == len(set(keys))  # one observation per key


def test_republic_total_in_sdmx_is_the_sum_of_accepted_reports(rdemo):
    rows = list(csv.reader(io.StringIO(reports.to_sdmx_csv(rdemo.user("ministry"), rdemo.campaign).decode())))
    total = next(row for row in rows if row[3:9] == ["KZ", "2026-09-01/P1Y", "PUPILS", "_T", "_T", "_T"])
    accepted = Assignment.objects.filter(campaign=rdemo.campaign, level=Level.ORGANIZATION, status="accepted")
    by_hand = sum(Decimal(a.submissions.get(status="accepted").values["r13c1"]) for a in accepted)
    assert accepted.count() > 0 and Decimal(total[9]) == by_hand


def test_sdmx_csv_with_organizations(rdemo, client):
    rows = sdmx_rows(logged_in(client, rdemo, "district.esil").get(sdmx_url(rdemo.campaign, organizations=1)))
    assert rows[0] == SDMX_HEADER[:9] + ["ORGANISATION"] + SDMX_HEADER[9:]
    schools = {a.org_unit.bin: a for a in Assignment.objects.filter(campaign=rdemo.campaign, org_unit__parent=rdemo.esil,
                                                                    status="accepted").select_related("org_unit")}
    assert schools
    org_rows = [row for row in rows[1:] if row[9] != "_Z"]
    assert {row[9] for row in org_rows} == set(schools)
    for bin_, assignment in schools.items():
        row = next(r for r in org_rows if r[9] == bin_ and r[5:9] == ["PUPILS", "_T", "_T", "_T"])
        assert row[3] == assignment.org_unit.kato
        assert Decimal(row[10]) == Decimal(assignment.submissions.get(status="accepted").values["r13c1"])
    assert {row[3] for row in rows[1:] if row[9] == "_Z"} == {rdemo.esil.kato}


# --- time series (R11) -----------------------------------------------------------------------------

@pytest.mark.parametrize("username", OFFICERS)
def test_time_series_has_the_campaigns_period_and_value(rdemo, client, username):
    node = node_of(rdemo, username)
    value = services.consolidated_values(rdemo.campaign, node)["r13c1"]
    logged_in(client, rdemo, username)
    response = client.get(series_url("PUPILS"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Оқушылар саны" in html and node.name_kk in html and "2026-2027" in html
    assert "<svg" in html and reports.format_value(value, "kk") in html
    response = client.get(series_url("PUPILS", format="csv"))
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][3:6] == ["2026-2027", "D-1", str(value)] and rows[1][1] == node.name_kk


def test_time_series_across_school_years(rdemo, client):
    """A D-1 campaign of the year before, with its consolidated totals: two points, oldest first, one line."""
    ministry = rdemo.user("ministry")
    form = services.form_clone(form=rdemo.campaign.form, year="2025-2026", by=ministry)
    services.form_approve(form=form, order_number="№ 1", order_date=date(2025, 8, 1), by=ministry)
    earlier = services.campaign_create(form=form, owner=rdemo.republic, period="2025-2026", by=ministry,
                                       names={"name_kk": "Д-1, 2025–2026", "name_ru": "Д-1, 2025–2026"},
                                       deadline_organization=date(2025, 11, 14))
    cell = form.cells.get(key="r13c1")
    Aggregate.objects.create(campaign=earlier, org_unit=rdemo.republic, cell=cell, total=Decimal(6900), contributors=30)
    response = logged_in(client, rdemo, "ministry").get(series_url("PUPILS"))
    html = response.content.decode()
    assert html.index("2025-2026") < html.index("2026-2027")
    assert "6\u00a0900" in html and html.count("<polyline") == 1 and html.count("<circle") == 2


def test_series_chart_breaks_the_line_where_a_year_has_no_value():
    point = reports.SeriesPoint
    svg = str(reports.series_svg([point("2023-2024", "D-1", Decimal(5)), point("2024-2025", "D-1", None),
                                  point("<b>2025</b>", "D-1", Decimal(7))], "kk", title="a<b>"))
    assert svg.count("<polyline") == 0 and svg.count("<circle") == 2
    assert "<b>" not in svg and "&lt;b&gt;2025&lt;/b&gt;" in svg
    svg = str(reports.series_svg([point("1", "D-1", Decimal(5)), point("2", "D-1", Decimal(6)), point("3", "D-1", None),
                                  point("4", "D-1", Decimal(1234567))], "ru"))
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 3 and "1\u00a0234\u00a0567" in svg
    assert "<circle" not in str(reports.series_svg([], "en"))


# --- scope -----------------------------------------------------------------------------------------

def every_url(campaign, unit_id) -> list[str]:
    return [
        summary_url(campaign, unit=unit_id),
        *[summary_url(campaign, unit=unit_id, format=fmt) for fmt in ("html", "xlsx", "pdf", "csv")],
        sdmx_url(campaign, unit=unit_id),
        sdmx_url(campaign, unit=unit_id, organizations=1),
        series_url("PUPILS", unit=unit_id),
        series_url("PUPILS", unit=unit_id, format="csv"),
    ]


def test_another_district_officer_gets_404_on_every_url(rdemo, client):
    logged_in(client, rdemo, "district.saryarka")
    school = OrgUnit.objects.filter(parent=rdemo.esil).first()
    for unit in (rdemo.esil, school, rdemo.astana, rdemo.republic):
        for url in every_url(rdemo.campaign, unit.pk):
            assert client.get(url).status_code == 404, url
    # their own district answers
    assert client.get(summary_url(rdemo.campaign)).status_code == 200


def test_region_officer_cannot_read_another_region(rdemo, client):
    almaty = OrgUnit.objects.get(level=Level.REGION, kato="750000000")
    logged_in(client, rdemo, "region.astana")
    for url in every_url(rdemo.campaign, almaty.pk):
        assert client.get(url).status_code == 404, url


def test_bad_parameters_and_other_roles(rdemo, client):
    logged_in(client, rdemo, "ministry")
    assert client.get(summary_url(rdemo.campaign, unit="abc")).status_code == 404
    assert client.get(summary_url(rdemo.campaign, unit="٣")).status_code == 404
    assert client.get(summary_url(rdemo.campaign, unit=99999999)).status_code == 404
    assert client.get(summary_url(rdemo.campaign, format="docx")).status_code == 400
    assert client.get(f"/kk/reporting/reports/campaigns/{rdemo.campaign.pk + 1000}/").status_code == 404
    assert client.get(series_url("NO_SUCH")).status_code == 404
    # a parent sees their school elsewhere, but not its statistical reports
    logged_in(client, rdemo, "parent")
    school = RoleGrant.objects.get(user__username="parent", role=Role.PARENT).org_unit
    for url in every_url(rdemo.campaign, school.pk):
        assert client.get(url).status_code == 404, url
    client.logout()
    response = client.get(summary_url(rdemo.campaign))
    assert response.status_code == 302 and "/login/" in response["Location"]
