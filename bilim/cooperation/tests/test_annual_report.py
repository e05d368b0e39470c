"""The annual report of Appendix 2 for the demo university: all nine sections with the right counts
(the expected counts are built here from the records, independently of ``annual_report``), the DOCX
read back with python-docx, the PDF's text read with pypdf and its pages rendered with pdftoppm, the
15 July deadline moved by the working-day rule, and the submission through reporting's campaign with
the ministry's consolidated totals."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime, time

import pytest
from django.apps import apps
from django.utils import timezone

from bilim.conftest import ARTIFACTS
from bilim.cooperation import annual_report, annual_report_selectors, annual_report_services
from bilim.cooperation import mobility_common as common
from bilim.cooperation.models import (
    Agreement,
    AnnualReportSnapshot,
    ConferenceParticipation,
    Foreigner,
    MissionContact,
    Office,
    Subdivision,
    TeachingReport,
    Trip,
    WorkPlan,
)
from bilim.core.calendar import KZ_TZ, effective_deadline
from bilim.core.models import CalendarOverride, Level, OrgUnit, User
from bilim.reporting import services as reporting
from bilim.reporting.models import Aggregate, Assignment, Campaign, FormCell

from .test_mobility_support import enu, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    apps.get_app_config("cooperation").seed_demo("small")
    unit = enu()
    year = common.last_finished_year(timezone.localdate())
    return unit, year


def expected_counts(unit: OrgUnit, year: str) -> dict[int, int]:
    """Rows each section must list, counted straight from the records."""
    first, last = date(int(year[:4]), 9, 1), date(int(year[5:]), 8, 31)
    office = Office.objects.filter(org_unit=unit).first()
    foreigners = [f for f in Foreigner.objects.filter(org_unit=unit).only("arrival_date", "departure_date")
                  if f.arrival_date <= last and (f.departure_date is None or f.departure_date >= first)]
    trips = [t for t in Trip.objects.filter(org_unit=unit) if t.status != "cancelled" and t.starts_on <= last and (t.returned_on or t.ends_on) >= first]
    agreements = []
    for a in Agreement.objects.filter(org_unit=unit):
        start = a.valid_from or a.signed_on
        in_force = (a.activated_on is not None and a.activated_on <= last and start is not None and start <= last
                    and (a.valid_to is None or a.valid_to >= first) and (a.terminated_on is None or a.terminated_on >= first))
        if in_force or (a.signed_on and first <= a.signed_on <= last):
            agreements.append(a)
    with_notes = [a for a in agreements if a.notes.filter(on__gte=first, on__lte=last).exists()]
    plan = WorkPlan.objects.filter(org_unit=unit, year=year).first()
    report = TeachingReport.objects.filter(org_unit=unit, year=year).first()
    return {
        1: (1 if office else 0) + Subdivision.objects.filter(org_unit=unit, external_relations=True, is_active=True).count(),
        2: office.staff.count() if office else 0,
        3: len(foreigners),
        4: len(trips),
        5: plan.items.count() if plan else 0,
        6: len(agreements),
        7: len(with_notes),
        8: sum(1 for c in ConferenceParticipation.objects.filter(org_unit=unit) if c.starts_on <= last and c.ends_on >= first),
        9: report.materials.count() if report else 0,
        "contacts": MissionContact.objects.filter(org_unit=unit, on__gte=first, on__lte=last).count(),
        "in_force": sum(1 for a in agreements if a.activated_on and (a.valid_to is None or a.valid_to >= first)
                        and (a.terminated_on is None or a.terminated_on >= first)),
        "conference_trips": sum(1 for t in trips if t.purpose == "conference"),
        "reported": sum(1 for t in trips if t.status == "reported"),
    }


def test_the_demo_universitys_report_has_nine_sections_with_the_right_counts(seeded):
    unit, year = seeded
    officer = User.objects.get(username="intl.enu")
    data = annual_report_selectors.report_data(officer, unit, year)
    expected = expected_counts(unit, year)
    # the demo fills every section
    assert all(expected[n] > 0 for n in range(1, 10)), expected
    doc = annual_report.document(data, "kk")
    assert [s["number"] for s in doc["sections"]] == list(range(1, 10))
    for section in doc["sections"]:
        assert len(section["rows"]) == expected[section["number"]], section["number"]
    assert len(doc["sections"][6]["subtable"]["rows"]) == expected["contacts"]
    figures = annual_report.figures(data)
    assert figures["r30c1"] == expected[4] and figures["r34c1"] == expected["conference_trips"] and figures["r35c1"] == expected["reported"]
    assert figures["r10c1"] == expected[3] and figures["r60c1"] == expected["in_force"] and figures["r70c1"] == expected["contacts"]
    assert figures["r80c1"] == expected[8] and figures["r50c1"] == expected[5]
    assert figures["r10c1"] == sum(figures[f"r{r}c1"] for r in range(11, 18)) == sum(figures[f"r{r}c1"] for r in range(18, 21))


def test_docx_in_kazakh_and_russian_read_back(seeded):
    from docx import Document

    unit, year = seeded
    officer = User.objects.get(username="intl.enu")
    data = annual_report_selectors.report_data(officer, unit, year)
    expected = expected_counts(unit, year)
    for language in ("kk", "ru"):
        document = Document(io.BytesIO(annual_report.to_docx(data, language)))
        text = "\n".join(p.text for p in document.paragraphs)
        for number in range(1, 10):
            assert f"{number}. {annual_report.SECTIONS[number][language]}" in text
        assert unit.localized("name", language) in text
        tables = document.tables
        # one table per section with rows, plus the contacts' table of §7; header row + the entries
        sizes = [len(t.rows) - 1 for t in tables]
        assert sizes == [expected[n] for n in range(1, 8)] + [expected["contacts"], expected[8], expected[9]]
        assert document.sections[0].page_width > document.sections[0].page_height  # landscape
    assert "халықаралық ынтымақтастықтың нәтижесі туралы мәліметтер" in Document(io.BytesIO(annual_report.to_docx(data, "kk"))).paragraphs[1].text
    assert "Сведения о результатах международного сотрудничества" in Document(io.BytesIO(annual_report.to_docx(data, "ru"))).paragraphs[1].text


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()


def test_pdf_text_sections_and_annexed_signed_copies(seeded):
    from pypdf import PdfReader

    unit, year = seeded
    officer = User.objects.get(username="intl.enu")
    data = annual_report_selectors.report_data(officer, unit, year)
    copies = annual_report_selectors.signed_copies(officer, unit, data)
    assert len(copies) == sum(1 for a in data["s6"] if a["has_copy"]) > 0
    ARTIFACTS.mkdir(exist_ok=True)
    for language in ("kk", "ru"):
        pdf = annual_report.to_pdf(data, language, copies=copies)
        reader = PdfReader(io.BytesIO(pdf))
        text = _flat(" ".join(page.extract_text() for page in reader.pages))
        for number in range(1, 10):
            heading = _flat(annual_report.SECTIONS[number][language])
            assert f"{number}. {heading[:60]}" in text, (language, number)
        report_pages = len(reader.pages) - len(copies)
        assert report_pages >= 2
        # the signed copies are the last pages, one each
        assert "signature / seal" in reader.pages[-1].extract_text()
        path = ARTIFACTS / f"cooperation-appendix2-{language}.pdf"
        path.write_bytes(pdf)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(path), str(ARTIFACTS / f"cooperation-appendix2-{language}")],
                           check=True)


def test_deadline_is_15_july_moved_by_the_working_day_rule(seeded):
    ministry = User.objects.get(username="ministry")
    # 15 July 2028 is a Saturday: the campaign says 15 July, the effective deadline is Monday 17 July
    campaign = annual_report_services.campaign_open(year="2027-2028", by=ministry)
    assert campaign.deadline_organization == date(2028, 7, 15)
    assignment = Assignment.objects.filter(campaign=campaign, org_unit=enu()).get()
    assert effective_deadline(assignment.due_date) == datetime.combine(date(2028, 7, 17), time.max, tzinfo=KZ_TZ)
    # a working day made a day off by decree moves it too: Wednesday 15 July 2026 → Thursday 16 July
    CalendarOverride.objects.create(date=date(2026, 7, 15), kind="day_off", reason="test decree")
    assert common.report_deadline("2025-2026") == date(2026, 7, 15)
    assert effective_deadline(common.report_deadline("2025-2026")).date() == date(2026, 7, 16)
    # the demo's campaign of the last finished year carries the same rule
    unit, year = seeded
    demo_campaign = Campaign.objects.get(form__code="COOP-2", period=year)
    assert demo_campaign.deadline_organization == date(int(year[5:]), 7, 15)


def test_submitted_through_reporting_and_consolidated_for_the_country(seeded):
    unit, year = seeded
    head = User.objects.get(username="head.enu")
    officer = User.objects.get(username="intl.enu")
    expected = expected_counts(unit, year)
    # the international officer prepares; only the head submits
    with pytest.raises(Exception):
        annual_report_services.report_submit(org_unit=unit, year=year, by=officer, head_name="X", head_confirmed=True)
    snapshot = annual_report_services.report_submit(org_unit=unit, year=year, by=head, head_name=head.full_name, head_confirmed=True,
                                                    idempotency_key="coopb-1")
    assert snapshot.version == 1 and AnnualReportSnapshot.objects.count() == 1
    again = annual_report_services.report_submit(org_unit=unit, year=year, by=head, head_name=head.full_name, head_confirmed=True,
                                                 idempotency_key="coopb-1")
    assert again.pk == snapshot.pk
    assignment = annual_report_services.assignment_for(unit, year)
    assert assignment.status == "submitted"
    assert annual_report.to_docx(snapshot.data, "ru")  # the submitted version's documents can be produced again
    reviewer = make_user("district.review", "district_officer", unit.parent)
    reporting.submission_accept(assignment=assignment, by=reviewer)
    republic = OrgUnit.objects.get(level=Level.REPUBLIC)
    cell = FormCell.objects.get(form=assignment.campaign.form, key="r30c1")
    total = Aggregate.objects.get(campaign=assignment.campaign, org_unit=republic, cell=cell).total
    assert int(total) == expected[4]
    cell = FormCell.objects.get(form=assignment.campaign.form, key="r10c1")
    assert int(Aggregate.objects.get(campaign=assignment.campaign, org_unit=republic, cell=cell).total) == expected[3]
