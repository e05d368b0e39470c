"""Outgoing mobility, agreements and the annual report in a real headless Chromium against the live
server: the international officer logs in through the login form, sees the overdue report, registers
a trip under the approved plan (an end date before the start is refused, naming the field, and
corrected), ticks its checklist, moves a proposal to a draft, opens the Appendix 2 preview and
downloads its PDF; the head approves the plan's new version; a district officer gets 404. Screenshots
go to test-artifacts/."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from bilim.conftest import screenshot
from bilim.cooperation import mobility_common as common
from bilim.cooperation.models import Agreement, Trip, TripPlan

from .test_mobility_support import PASSWORD, enu, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(browser, base: str, username: str, width: int = 1280):
    context = browser.new_context(locale="kk-KZ", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(f"{base}/kk/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1#home-title")).to_be_visible()
    return context, page


def test_officer_head_and_outsider_in_the_browser(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from bilim.core.demo import seed

    seed("small")
    apps.get_app_config("cooperation").seed_demo("small")
    unit = enu()
    make_user("district.enu", "district_officer", unit.parent)
    base = live_server.url
    year = common.last_finished_year(timezone.localdate())

    context, page = login(browser, base, "intl.enu")
    page.goto(f"{base}/kk/")
    expect(page.locator(".cooperation-mobility")).to_be_visible()
    screenshot(page, "cooperation-mobility-home")
    page.goto(f"{base}/kk/cooperation/mobility/")
    expect(page.locator("[data-count=overdue]")).to_have_text("1")
    expect(page.locator("table.coop-overdue tbody tr")).to_have_count(1)
    screenshot(page, "cooperation-mobility-overview")

    # a trip under the approved plan of the current year
    plan = TripPlan.objects.filter(org_unit=unit, status="approved", year=common.year_of(timezone.localdate())).first()
    item = plan.items.order_by("starts_on").last()
    page.goto(f"{base}/kk/cooperation/mobility/plans/{plan.pk}/")
    screenshot(page, "cooperation-mobility-plan")
    page.goto(f"{base}/kk/cooperation/mobility/trips/new/?org={unit.pk}&item={item.pk}")
    page.select_option("#id_person", index=2)
    page.fill("#id_city", "Milano")
    page.fill("#id_ends_on", (item.starts_on.replace(day=1) if item.starts_on.day > 1 else item.starts_on).isoformat())
    page.fill("#id_starts_on", item.ends_on.isoformat())
    page.locator("#coop-form button[type=submit]").click()
    expect(page.locator('[data-field="ends_on"]')).to_be_visible()
    screenshot(page, "cooperation-trip-error")
    page.fill("#id_starts_on", item.starts_on.isoformat())
    page.fill("#id_ends_on", item.ends_on.isoformat())
    page.locator("#coop-form button[type=submit]").click()
    expect(page.locator("#trip-title")).to_contain_text("Milano")
    trip = Trip.objects.filter(org_unit=unit, city="Milano", plan_item=item).get()
    page.locator("#checklist li[data-document=order] button").first.click()
    expect(page.locator("#checklist li[data-document=order]")).to_contain_text("✔")
    screenshot(page, "cooperation-trip")
    assert trip.documents.get(code="order").done

    # an agreement's status moves one step
    proposal = Agreement.objects.filter(org_unit=unit, status="proposal").first()
    page.goto(f"{base}/kk/cooperation/agreements/?org={unit.pk}")
    expect(page.locator("#agreements tbody tr")).to_have_count(Agreement.objects.filter(org_unit=unit).count())
    screenshot(page, "cooperation-agreements")
    page.goto(f"{base}/kk/cooperation/agreements/{proposal.pk}/")
    page.locator("#agreement-moves button[data-move=draft]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Agreement.objects.get(pk=proposal.pk).status == "draft"
    active = Agreement.objects.filter(org_unit=unit, status="active").exclude(signed_copy="").first()
    page.goto(f"{base}/kk/cooperation/agreements/{active.pk}/")
    expect(page.locator("#signed-copy")).to_be_visible()
    screenshot(page, "cooperation-agreement")

    # the annual report: nine sections, the PDF downloads
    page.goto(f"{base}/kk/cooperation/annual-report/?org={unit.pk}&year={year}")
    expect(page.locator("#report-preview section.report-section")).to_have_count(9)
    screenshot(page, "cooperation-annual-report")
    with page.expect_download() as download:
        page.locator("#pdf-kk").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.goto(f"{base}/ru/cooperation/contacts/?org={unit.pk}")
    screenshot(page, "cooperation-contacts-ru")
    page.goto(f"{base}/en/cooperation/conferences/?org={unit.pk}")
    screenshot(page, "cooperation-conferences-en")
    context.close()

    # the head approves the drafted version of the plan
    draft = TripPlan.objects.filter(org_unit=unit, status="draft").first()
    context, page = login(browser, base, "head.enu")
    page.goto(f"{base}/kk/cooperation/mobility/plans/{draft.pk}/")
    page.locator("#plan-approve").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert TripPlan.objects.get(pk=draft.pk).status == "approved"
    screenshot(page, "cooperation-plan-approved")
    context.close()

    # a district officer cannot open the organization's trip
    context, page = login(browser, base, "district.enu")
    response = page.goto(f"{base}/kk/cooperation/mobility/trips/{trip.pk}/")
    assert response.status == 404
    context.close()

    # the phone layout of the overview
    context, page = login(browser, base, "intl.enu", width=390)
    page.goto(f"{base}/kk/cooperation/mobility/")
    screenshot(page, "cooperation-mobility-phone")
    context.close()
