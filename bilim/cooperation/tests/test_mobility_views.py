"""Every page and API endpoint of mobility, agreements and the annual report, on the demo: the
organization's international officer and its head read (the head approves, the officer writes);
the district and ministry officers and another organization's officer get 404 everywhere; the
country's figures are the ministry's and the regions' (404 for the organization's users)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from bilim.cooperation import mobility_common as common
from bilim.cooperation.api_mobility import router
from bilim.cooperation.models import (
    Agreement,
    ConferenceParticipation,
    MissionContact,
    MobilityPerson,
    ReserveCandidate,
    Subdivision,
    Trip,
    TripPlan,
    WorkPlan,
)
from bilim.core.models import User

from .test_mobility_support import enu, kaznu, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    apps.get_app_config("cooperation").seed_demo("small")
    unit = enu()
    users = {
        "officer": User.objects.get(username="intl.enu"), "head": User.objects.get(username="head.enu"),
        "district": make_user("district.enu", "district_officer", unit.parent), "ministry": User.objects.get(username="ministry"),
        "region": User.objects.get(username="region.astana"),
        "other": make_user("officer.kaznu", "international_officer", kaznu()),  # the demo's intl.kaznu is an inactive stand-in
    }
    return unit, users


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pages(unit) -> tuple[list[str], list[str]]:
    """(pages everyone of the office reads, pages only the officer opens)"""
    q = f"?org={unit.pk}"
    year = common.last_finished_year(timezone.localdate())
    trip = Trip.objects.filter(org_unit=unit, status="planned").first()
    agreement = Agreement.objects.filter(org_unit=unit, status="active").exclude(signed_copy="").first()
    plan = TripPlan.objects.filter(org_unit=unit).first()
    work_plan = WorkPlan.objects.filter(org_unit=unit).first()
    reading = [
        reverse("cooperation:mobility") + q, reverse("cooperation:mobility_overdue") + q, reverse("cooperation:subdivisions") + q,
        reverse("cooperation:subdivision", args=[Subdivision.objects.filter(org_unit=unit).first().pk]),
        reverse("cooperation:people") + q, reverse("cooperation:person", args=[MobilityPerson.objects.filter(org_unit=unit).first().pk]),
        reverse("cooperation:reserve") + q, reverse("cooperation:candidate", args=[ReserveCandidate.objects.filter(org_unit=unit).first().pk]),
        reverse("cooperation:plans") + q, reverse("cooperation:plan", args=[plan.pk]), reverse("cooperation:trips") + q,
        reverse("cooperation:trip", args=[trip.pk]), reverse("cooperation:agreements") + q, reverse("cooperation:partners") + q,
        reverse("cooperation:agreement", args=[agreement.pk]), reverse("cooperation:agreement_copy", args=[agreement.pk]),
        reverse("cooperation:contacts") + q, reverse("cooperation:contact", args=[MissionContact.objects.filter(org_unit=unit).first().pk]),
        reverse("cooperation:conferences") + q,
        reverse("cooperation:conference", args=[ConferenceParticipation.objects.filter(org_unit=unit).first().pk]),
        reverse("cooperation:work_plans") + q, reverse("cooperation:work_plan", args=[work_plan.pk]),
        reverse("cooperation:work_plan_item", args=[work_plan.items.first().pk]),
        reverse("cooperation:annual_report") + q + f"&year={year}", reverse("cooperation:annual_report") + q + f"&year={year}&lang=ru",
        reverse("cooperation:annual_report_download", args=["docx"]) + q + f"&year={year}&lang=kk",
        reverse("cooperation:annual_report_download", args=["pdf"]) + q + f"&year={year}&lang=ru",
    ]
    writing = [
        reverse("cooperation:trip_new") + q, reverse("cooperation:trip_edit", args=[trip.pk]), reverse("cooperation:agreement_new") + q,
        reverse("cooperation:agreement_edit", args=[agreement.pk]), reverse("cooperation:annual_report_teaching") + q + f"&year={year}",
    ]
    return reading, writing


def posts(unit) -> list[str]:
    trip = Trip.objects.filter(org_unit=unit, status="planned").first()
    agreement = Agreement.objects.filter(org_unit=unit).first()
    plan = TripPlan.objects.filter(org_unit=unit, status="draft").first()
    return [
        reverse("cooperation:trip_depart", args=[trip.pk]), reverse("cooperation:trip_return", args=[trip.pk]),
        reverse("cooperation:trip_cancel", args=[trip.pk]), reverse("cooperation:trip_report", args=[trip.pk]),
        reverse("cooperation:trip_document", args=[trip.pk]), reverse("cooperation:plan_approve", args=[plan.pk]),
        reverse("cooperation:plan_new_version", args=[plan.pk]), reverse("cooperation:plan_request_approval", args=[plan.pk]),
        reverse("cooperation:plan_item_delete", args=[plan.items.first().pk]), reverse("cooperation:agreement_move", args=[agreement.pk]),
        reverse("cooperation:agreement_copy_upload", args=[agreement.pk]), reverse("cooperation:agreement_note", args=[agreement.pk]),
        reverse("cooperation:annual_report_submit") + f"?org={unit.pk}",
        reverse("cooperation:subdivision", args=[Subdivision.objects.filter(org_unit=unit).first().pk]),
        reverse("cooperation:contacts") + f"?org={unit.pk}",
    ]


def test_every_page_answers_the_office_and_404_to_everyone_else(site):
    unit, users = site
    reading, writing = pages(unit)
    officer, head = client_for(users["officer"]), client_for(users["head"])
    for url in reading + writing:
        assert officer.get(url).status_code == 200, url
    for url in reading:
        assert head.get(url).status_code == 200, url
    for url in writing:
        assert head.get(url).status_code == 404, url
    for name in ("district", "ministry", "region", "other"):
        outsider = client_for(users[name])
        for url in reading + writing:
            assert outsider.get(url).status_code == 404, (name, url)
        for url in posts(unit):
            assert outsider.post(url, {"status": "draft", "returned_on": "2026-01-01", "reason": "x"}).status_code == 404, (name, url)
    # the head's writes are 404 too (the head only approves)
    response = head.post(reverse("cooperation:contacts") + f"?org={unit.pk}", {"counterpart_kind": "embassy", "counterpart": "X", "country": "DE",
                                                                             "on": "2025-10-01", "form": "meeting", "subject": "Y"})
    assert response.status_code == 404


def test_pages_in_three_languages_and_the_documents(site):
    unit, users = site
    officer = client_for(users["officer"])
    year = common.last_finished_year(timezone.localdate())
    for language in ("kk", "ru", "en"):
        with override(language):
            response = officer.get(reverse("cooperation:annual_report") + f"?org={unit.pk}&year={year}")
        assert response.status_code == 200 and f'lang="{language}"' in response.content.decode()
        assert response.content.decode().count('class="report-section"') == 9
    docx = officer.get(reverse("cooperation:annual_report_download", args=["docx"]) + f"?org={unit.pk}&year={year}&lang=kk")
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats") and docx.content[:2] == b"PK"
    pdf = officer.get(reverse("cooperation:annual_report_download", args=["pdf"]) + f"?org={unit.pk}&year={year}&lang=ru")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    bad = officer.get(reverse("cooperation:annual_report_download", args=["pdf"]) + f"?org={unit.pk}&year={year}&lang=en")
    assert bad.status_code == 400 and b"lang" in bad.content
    bad = officer.get(reverse("cooperation:trips") + f"?org={unit.pk}&year=2025")
    assert bad.status_code == 400 and b"year" in bad.content


def test_bad_input_on_the_pages_names_the_field(site):
    unit, users = site
    officer = client_for(users["officer"])
    with override("en"):
        url = reverse("cooperation:trip_new") + f"?org={unit.pk}"
    person = MobilityPerson.objects.filter(org_unit=unit).first()
    before = Trip.objects.count()
    response = officer.post(url, {"person": person.pk, "subdivision": person.subdivision_id, "purpose": "study", "country": "DE", "city": "Berlin",
                                  "host_organization": "FU", "starts_on": "2026-03-01", "ends_on": "2026-02-01", "funding": "grant"},
                            HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'data-field="ends_on"' in response.content.decode() and Trip.objects.count() == before
    agreement = Agreement.objects.filter(org_unit=unit, status="proposal").first()
    response = officer.post(reverse("cooperation:agreement_move", args=[agreement.pk]), {"status": "active"}, follow=True)
    assert Agreement.objects.get(pk=agreement.pk).status == "proposal"
    assert response.status_code == 200 and "alert-danger" in response.content.decode()


def test_the_head_approves_a_plan_on_the_page(site):
    unit, users = site
    plan = TripPlan.objects.filter(org_unit=unit, status="draft").first()
    assert client_for(users["officer"]).post(reverse("cooperation:plan_approve", args=[plan.pk])).status_code == 404
    response = client_for(users["head"]).post(reverse("cooperation:plan_approve", args=[plan.pk]))
    assert response.status_code == 302 and TripPlan.objects.get(pk=plan.pk).status == "approved"


def test_country_figures_for_the_ministry_and_regions_only(site):
    unit, users = site
    year = common.last_finished_year(timezone.localdate())
    url = reverse("cooperation:figures") + f"?year={year}"
    for name in ("ministry", "region"):
        response = client_for(users[name]).get(url)
        assert response.status_code == 200, name
        assert 'id="trips-by-country"' in response.content.decode()
    ministry_page = client_for(users["ministry"]).get(url).content.decode()
    expected_trips = sum(1 for t in Trip.objects.all() if t.status != "cancelled")  # the demo's trips are all in the last two years
    assert 'id="trips-total"' in ministry_page
    for name in ("officer", "head", "district", "other"):
        assert client_for(users[name]).get(url).status_code == 404, name
    # a node outside the region's subtree is 404
    from bilim.core.models import OrgUnit

    almaty = OrgUnit.objects.get(level=1, kato="750000000")
    assert client_for(users["region"]).get(url + f"&node={almaty.pk}").status_code == 404
    assert expected_trips > 0


def test_api_is_scoped_like_the_pages(site):
    from ninja.testing import TestClient

    unit, users = site
    api = TestClient(router)
    year = common.last_finished_year(timezone.localdate())
    trip = Trip.objects.filter(org_unit=unit).first()
    agreement = Agreement.objects.filter(org_unit=unit).first()
    reads = [f"/organizations/{unit.pk}/trips", f"/trips/{trip.pk}", f"/organizations/{unit.pk}/agreements", f"/agreements/{agreement.pk}",
             f"/organizations/{unit.pk}/annual-report/{year}"]
    for path in reads:
        assert api.get(path, user=users["officer"]).status_code == 200, path
        assert api.get(path, user=users["head"]).status_code == 200, path
        for name in ("district", "ministry", "other"):
            assert api.get(path, user=users[name]).status_code == 404, (name, path)
    for name in ("district", "ministry", "other"):
        assert api.post(f"/trips/{trip.pk}/return", json={"returned_on": "2026-01-01"}, user=users[name]).status_code == 404
        assert api.post(f"/agreements/{agreement.pk}/status", json={"status": "draft"}, user=users[name]).status_code == 404
    body = api.get(f"/organizations/{unit.pk}/annual-report/{year}", user=users["officer"]).json()
    assert set(body["sections"]) == {str(n) for n in range(1, 10)} | {"contacts"}
    figures = api.get(f"/figures?year={year}", user=users["ministry"])
    assert figures.status_code == 200 and sum(r["count"] for r in figures.json()["trips"]) > 0
    assert api.get(f"/figures?year={year}", user=users["officer"]).status_code == 404


def test_list_pages_take_a_constant_number_of_queries(demo, settings, tmp_path):
    """No query per row on the trips, agreements, reserve and plan pages."""
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bilim.cooperation import agreements_services, mobility_services

    from .test_mobility_support import World

    settings.MEDIA_ROOT = tmp_path
    world = World()
    officer = client_for(world.officer)
    partner = agreements_services.partner_save(org_unit=world.unit, by=world.officer, data={"name": "P", "country": "DE", "kind": "university"})
    plan = mobility_services.trip_plan_create(org_unit=world.unit, year="2025-2026", by=world.officer)
    urls = [reverse(name) + f"?org={world.unit.pk}" for name in ("cooperation:trips", "cooperation:agreements", "cooperation:reserve", "cooperation:mobility")]
    urls.append(reverse("cooperation:plan", args=[plan.pk]))

    def add(n: int, offset: int) -> None:
        for i in range(offset, offset + n):
            person = mobility_services.person_save(org_unit=world.unit, by=world.officer, data={
                "last_name": f"Адам{i}", "first_name": "Т", "birth_year": 2000, "category": "student", "subdivision": world.subdivision.pk,
                "home_address": "Астана"})
            mobility_services.trip_create(org_unit=world.unit, by=world.officer, data=world.trip_data(person=person.pk, city=f"City{i}"))
            mobility_services.reserve_save(org_unit=world.unit, person=person, subdivision=world.subdivision.pk,
                                           languages=[{"language": "en", "level": "B2"}], countries=["DE"], by=world.officer)
            agreements_services.agreement_create(org_unit=world.unit, by=world.officer, data={"partner": partner.pk, "title": f"A{i}", "kind": "memorandum"})
            mobility_services.trip_plan_item_save(plan=plan, by=world.officer, data={
                "subdivision": world.subdivision.pk, "purpose": "study", "country": "DE", "host_organization": f"H{i}",
                "starts_on": date(2026, 2, 1), "ends_on": date(2026, 3, 1), "funding": "grant"})

    def counts() -> list[int]:
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert officer.get(url).status_code == 200
            result.append(len(queries))
        return result

    add(2, 0)
    few = counts()
    add(6, 2)
    assert counts() == few
