"""The dashboard pages: drill-down links from the republic to a class, exports (XLSX, CSV), 404
outside the scope on every URL, 400 for malformed parameters, the home widget."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from bilim.core.models import OrgUnit


def url(unit=None, klass=None, **params) -> str:
    if klass is not None:
        path = f"/kk/analytics/classes/{klass.pk}/"
    elif unit is not None:
        path = f"/kk/analytics/units/{unit.pk}/"
    else:
        path = "/kk/analytics/"
    return path + (f"?{urlencode(params)}" if params else "")


def login(client, demo, username):
    client.force_login(demo.user(username))
    return client


def test_anonymous_is_sent_to_login(hand, client):
    response = client.get(url(hand.demo.esil))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_ministry_drills_down_from_the_republic_to_a_pupil(hand, client):
    demo = hand.demo
    c = login(client, demo, "ministry")
    term = hand.terms[0].pk
    page = c.get(url(period=term))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="unit-name"' in html and demo.republic.name_kk in html
    astana = demo.esil.parent
    link = f"/kk/analytics/units/{astana.pk}/?period={term}"
    assert f'href="{link}"' in html  # table row and bar of the chart
    assert "<svg" in html and 'id="bar-chart"' in html
    # region → district → school → class → pupils
    html = c.get(link).content.decode()
    esil_link = f"/kk/analytics/units/{demo.esil.pk}/?period={term}"
    assert f'href="{esil_link}"' in html
    html = c.get(esil_link).content.decode()
    assert f'href="/kk/analytics/units/{hand.school_a.pk}/?period={term}"' in html
    assert re.search(r'data-measure="quality">40,0</td>', html)  # school A in kk: a decimal comma
    school = demo.school_in(demo.esil)
    klass = hand.klass(school, 5, "А", {"Ахметов": {hand.math: 5}, "Бекова": {hand.math: 2}})
    html = c.get(url(school, period=term)).content.decode()
    class_link = f"/kk/analytics/classes/{klass.pk}/?period={term}"
    assert f'href="{class_link}"' in html
    html = c.get(class_link).content.decode()
    assert "Ахметов Әлия" in html and 'class="text-center mark mark-5">5</td>' in html
    # breadcrumbs upward: the republic, the region, the district, the school
    crumbs = re.search(r'<ol class="breadcrumb tree-path" id="crumbs">(.*?)</ol>', html, re.S).group(1)
    for unit in (demo.republic, astana, demo.esil, school):
        assert f"/kk/analytics/units/{unit.pk}/" in crumbs


def test_dashboard_shows_the_definitions_and_missed_lessons(hand, client):
    c = login(client, hand.demo, "district.esil")
    response = c.get(url(period=hand.terms[0].pk))
    html = response.content.decode()
    with translation.override("kk"):
        for text in ("The share of pupils whose term marks are all 4 and 5. For one subject: the share of its term marks that are 4 or 5.",
                     "Missed lessons by reason", "Absent without a reason"):
            assert gettext(text) in html
    assert re.search(r'id="missed-total">75<', html)  # 30 + 35 + 10 over A and B
    assert 'data-reason="absent"' in html and 'data-reason="late"' in html


def test_year_and_subject_and_measure(hand, client):
    c = login(client, hand.demo, "district.esil")
    html = c.get(url(hand.school_a, period="2025-2026", measure="attendance")).content.decode()
    assert re.search(r'data-kpi="quality".*?45,0', html, re.S)
    html = c.get(url(hand.demo.esil, period=hand.terms[0].pk, subject=hand.math.pk)).content.decode()
    assert re.search(r'data-kpi="quality".*?75,0', html, re.S)


@pytest.mark.parametrize("params, field", [
    ({"period": "first"}, "period"), ({"subject": "math"}, "subject"), ({"measure": "beauty"}, "measure"),
    ({"format": "pdf"}, "format"), ({"period": "12; DROP"}, "period"),
])
def test_malformed_parameters_are_400(hand, client, params, field):
    c = login(client, hand.demo, "ministry")
    response = c.get(url(hand.demo.esil, **params))
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()


@pytest.mark.parametrize("params", [{"period": "999999"}, {"period": "2030-2031"}, {"subject": "999999"}])
def test_unknown_period_or_subject_is_404(hand, client, params):
    c = login(client, hand.demo, "ministry")
    assert c.get(url(hand.demo.esil, **params)).status_code == 404
    assert c.get(url(hand.demo.esil, format="xlsx", **params)).status_code == 404


def test_class_page_refuses_a_period_of_another_year(hand, client):
    from datetime import date

    from bilim.journal.models import SchoolYear, StudyPeriod

    demo = hand.demo
    klass = hand.klass(demo.school_in(demo.esil), 5, "А", {"Ахметов": {hand.math: 5}})
    year = SchoolYear.objects.create(code="2024-2025", starts=date(2024, 9, 1), ends=date(2025, 5, 25))
    old = StudyPeriod.objects.create(year=year, kind="term", number=1, starts=date(2024, 9, 1), ends=date(2024, 10, 27))
    c = login(client, demo, "head.school")
    assert c.get(url(klass=klass, period=old.pk)).status_code == 400
    assert c.get(url(klass=klass, period="2024-2025")).status_code == 400
    assert c.get(url(klass=klass)).status_code == 200


def test_scope_on_pages_and_exports(hand, client):
    demo = hand.demo
    c = login(client, demo, "district.saryarka")
    term = hand.terms[0].pk
    for unit in (demo.esil, hand.school_a, demo.esil.parent, demo.republic):
        for fmt in ("html", "xlsx", "csv"):
            assert c.get(url(unit, period=term, format=fmt)).status_code == 404, (unit, fmt)
    assert c.get(url(demo.saryarka, period=term)).status_code == 200
    klass = hand.klass(hand.school_a, 5, "Ә", {"Ахметов": {hand.math: 5}})
    for fmt in ("html", "xlsx", "csv"):
        assert c.get(url(klass=klass, format=fmt)).status_code == 404
    # a head: only their own school
    c = login(client, demo, "head.school")
    own = demo.school_in(demo.esil)
    assert c.get(url(own, period=term)).status_code == 200
    assert c.get(url(period=term)).status_code == 200
    other = OrgUnit.objects.filter(parent=demo.esil, kind="school").exclude(pk=own.pk).first()
    for unit in (other, demo.esil, demo.republic):
        for fmt in ("html", "xlsx", "csv"):
            assert c.get(url(unit, period=term, format=fmt)).status_code == 404
    # a teacher or a parent has no dashboard
    for username in ("teacher", "parent"):
        c = login(client, demo, username)
        assert c.get(url()).status_code == 404
        assert c.get(url(own)).status_code == 404


def test_xlsx_export_has_the_numbers(hand, client):
    c = login(client, hand.demo, "district.esil")
    response = c.get(url(hand.demo.esil, period=hand.terms[0].pk, format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment;" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header_index = next(i for i, row in enumerate(values) if row[1] is not None and row[0] is not None and row[2] is not None
                        and isinstance(row[2], str))
    header = values[header_index]
    rows = {row[0]: dict(zip(header, row)) for row in values[header_index + 1:] if row[0]}
    with translation.override("kk"):
        quality, pupils, average = gettext("Knowledge quality, %"), gettext("Pupils"), gettext("Average mark")
        attendance = gettext("Attendance, %")
    a = rows[hand.school_a.name_kk]
    assert a[quality] == 40 and a[pupils] == 20 and a[average] == 4.2 and a[attendance] == 95
    total = next(v for k, v in rows.items() if hand.demo.esil.name_kk in k and k != hand.demo.esil.name_kk)
    assert total[pupils] == 30 and total[quality] == 33.33 and total[average] == 3.97
    assert any(isinstance(row[0], str) and "4 және 5" in row[0] or (isinstance(row[0], str) and "4 and 5" in row[0]) for row in values)


def test_csv_export(hand, client):
    c = login(client, hand.demo, "district.esil")
    response = c.get(url(hand.demo.esil, period=hand.terms[0].pk, format="csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    reader = list(csv.reader(io.StringIO(body[1:])))
    header = reader[0]
    rows = {r[0]: dict(zip(header, r)) for r in reader[1:]}
    with translation.override("kk"):
        quality, kato = gettext("Knowledge quality, %"), gettext("KATO code")
    assert rows[hand.school_b.name_kk][quality] == "20.00"
    assert rows[hand.school_b.name_kk][kato] == hand.school_b.kato


def test_class_exports(hand, client):
    demo = hand.demo
    school = demo.school_in(demo.esil)
    lang = hand.subject("kaz", "Қазақ тілі", "Казахский язык", "Kazakh")
    klass = hand.klass(school, 5, "А", {"Ахметов": {hand.math: 5, lang: 4}, "Бекова": {hand.math: 2, lang: "not_assessed"}})
    c = login(client, demo, "head.school")
    sheet = load_workbook(io.BytesIO(c.get(url(klass=klass, format="xlsx")).content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["Ахметов Әлия"][1:3] == (4, 5)  # kaz, math: the catalogue's order
    body = c.get(url(klass=klass, format="csv", period="2025-2026")).content.decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(body)))
    assert len(header) == 1 + 2 * 4 + 4  # a column per subject and term in a year view
    assert lines[0][0] == "Ахметов Әлия"


def test_home_widget(hand, client):
    c = login(client, hand.demo, "district.esil")
    html = c.get("/kk/").content.decode()
    assert 'id="analytics-home"' in html and 'href="/kk/analytics/"' in html
    html = login(client, hand.demo, "ministry").get("/kk/").content.decode()
    assert 'id="rating-publish-link"' in html
    html = login(client, hand.demo, "teacher").get("/kk/").content.decode()
    assert 'id="analytics-home"' not in html


def test_no_school_year_yet(demo, client):
    client.force_login(demo.user("ministry"))
    response = client.get("/kk/analytics/")
    assert response.status_code == 200 and 'id="no-year"' in response.content.decode()


def test_pages_in_russian(hand, client):
    c = login(client, hand.demo, "ministry")
    html = c.get(f"/ru/analytics/units/{hand.demo.esil.pk}/?period={hand.terms[0].pk}").content.decode()
    assert hand.demo.esil.name_ru in html and hand.school_a.name_ru in html
    assert re.search(r'data-measure="average">4,20</td>', html)
    html = c.get(f"/en/analytics/units/{hand.demo.esil.pk}/?period={hand.terms[0].pk}").content.decode()
    assert re.search(r'data-measure="average">4.20</td>', html)


@pytest.mark.parametrize("path", ["/kk/analytics/units/99999999999999999999999/", "/kk/analytics/classes/99999999999999999999999/",
                                  "/kk/rating/?publication=99999999999"])
def test_huge_ids_are_404(hand, client, path):
    login(client, hand.demo, "ministry")
    assert client.get(path).status_code == 404
