"""The analytics in a real headless Chromium against the live server: an anonymous visitor opens the
open regional rating in Kazakh and in Russian (and on a phone) and sees the chart; the ministry
officer logs in and drills down from the republic through the region and the district to a school
and one of its classes, by the table and by the chart, then publishes the rating from its page.

Needs transactional_db (the live server's thread has its own connection); the data are written by
the test's factory and flushed afterwards."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from bilim.analytics import rating, services
from bilim.conftest import screenshot
from bilim.core.models import Level, OrgUnit

pytestmark = pytest.mark.browser

KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def tr(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def country(af, transactional_db):
    demo = af.demo
    school = demo.school_in(demo.esil)
    af.classes = af.fill_school(school)
    af.fill_country(skip=(school.pk,))
    ministry = demo.user("ministry")
    af.first = services.rating_publish(period=af.terms[0], by=ministry)
    af.second = services.rating_publish(period=af.terms[1], by=ministry)
    af.school = school
    return af


def test_anonymous_visitor_reads_the_rating_in_kk_and_ru(live_server, country, page, phone_page):
    base = live_server.url
    regions = OrgUnit.objects.filter(level=Level.REGION)
    top = country.second.rows.get(rank=1).region

    page.goto(f"{base}/kk/rating/")
    expect(page.locator("#rating-title")).to_have_text(tr("kk", "Open rating of the regions"))
    expect(page.locator("#rating-chart")).to_be_visible()
    expect(page.locator("#rating-chart .bar")).to_have_count(regions.count() - 1)  # one region has no data
    expect(page.locator("#rating tbody tr").first.locator(".region-name")).to_have_text(top.name_kk)
    expect(page.locator("#rating tr.unranked")).to_have_count(1)
    assert KAZAKH_LETTERS.search(page.locator("#rating").inner_text())
    expect(page.locator("#history tbody tr")).to_have_count(regions.count())
    with translation.override("kk"):
        formula = rating.method_text(rating.METHOD)[1]
    expect(page.locator("#method li").nth(1)).to_have_text(formula)
    assert page.locator("#usermenu").count() == 0  # nobody is logged in
    screenshot(page, "analytics-rating-kk")

    # an earlier publication through the selector
    page.select_option("#publication", str(country.first.pk))
    page.locator("#publication-form button").click()
    expect(page.locator("#rating-period")).to_have_attribute("data-publication", str(country.first.pk))

    page.goto(f"{base}/ru/rating/")
    assert page.locator("html").get_attribute("lang") == "ru"
    expect(page.locator("#rating-title")).to_have_text(tr("ru", "Open rating of the regions"))
    expect(page.locator("#rating tbody tr").first.locator(".region-name")).to_have_text(top.name_ru)
    expect(page.locator("#rating-chart")).to_be_visible()
    expect(page.locator("#rating-chart .bar").first).to_contain_text(top.name_ru)
    screenshot(page, "analytics-rating-ru")

    phone_page.goto(f"{base}/ru/rating/")
    expect(phone_page.locator("#rating-chart")).to_be_visible()
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "analytics-rating-phone-ru")


def test_ministry_drills_down_from_the_republic_to_a_class(live_server, country, browser):
    demo = country.demo
    base = live_server.url
    context = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/kk/accounts/login/")
    page.fill("#id_username", "ministry")
    page.fill("#id_password", demo.password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#analytics-home")).to_be_visible()
    screenshot(page, "analytics-home-ministry")
    page.locator("#analytics-link").click()

    expect(page.locator("#unit-name")).to_have_text(demo.republic.name_kk)
    expect(page.locator("#children tbody tr")).to_have_count(20)
    expect(page.locator("#bar-chart")).to_be_visible()
    screenshot(page, "analytics-republic")

    astana = demo.esil.parent
    page.locator(f"#children tr[data-unit='{astana.pk}'] a.drill").click()
    expect(page.locator("#unit-name")).to_have_text(astana.name_kk)
    # by the chart: the district's bar is a link
    page.locator(f"#bar-chart a[data-key='{demo.esil.pk}']").click()
    expect(page.locator("#unit-name")).to_have_text(demo.esil.name_kk)
    expect(page.locator("#crumbs a.crumb")).to_have_count(2)
    # the measure of the chart
    page.select_option("#f-measure", "attendance")
    page.locator("#f-show").click()
    expect(page.locator("#f-measure")).to_have_value("attendance")
    screenshot(page, "analytics-district")

    page.locator(f"#children tr[data-unit='{country.school.pk}'] a.drill").click()
    expect(page.locator("#unit-name")).to_have_text(country.school.name_kk)
    expect(page.locator("#children tbody tr[data-class]")).to_have_count(len(country.classes))
    screenshot(page, "analytics-school")

    klass = country.classes[0]
    page.locator(f"#children tr[data-class='{klass.pk}'] a.drill").click()
    expect(page.locator("#class-name")).to_contain_text(str(klass))
    expect(page.locator("#pupils tbody tr")).to_have_count(12)
    expect(page.locator("#series svg")).to_be_visible()
    screenshot(page, "analytics-class")

    # the whole year at the class
    page.select_option("#f-period", "2025-2026")
    page.locator("#f-show").click()
    expect(page.locator("#when-label")).to_contain_text("2025-2026")
    screenshot(page, "analytics-class-year")

    # the ministry publishes the rating of term 2 again from its page
    page.goto(f"{base}/kk/rating/")
    page.locator("#publish-link").click()
    page.select_option("#period", str(country.terms[1].pk))
    page.locator("#preview-form button").click()
    expect(page.locator("#preview tbody tr")).to_have_count(OrgUnit.objects.filter(level=Level.REGION).count())
    screenshot(page, "analytics-rating-publish")
    page.locator("#publish").click()
    expect(page.locator("#rating-title")).to_be_visible()
    latest = country.second.__class__.objects.order_by("-pk").first()
    assert latest.pk != country.second.pk and latest.period_id == country.terms[1].pk
    expect(page.locator("#rating-period")).to_have_attribute("data-publication", str(latest.pk))
    context.close()

    phone = browser.new_context(locale="kk-KZ", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                device_scale_factor=2)
    phone_page = phone.new_page()
    phone_page.set_default_timeout(15000)
    phone_page.goto(f"{base}/kk/accounts/login/")
    phone_page.fill("#id_username", "district.esil")
    phone_page.fill("#id_password", demo.password)
    phone_page.locator("main form button[type=submit]").click()
    phone_page.goto(f"{base}/kk/analytics/")
    expect(phone_page.locator("#unit-name")).to_have_text(demo.esil.name_kk)
    expect(phone_page.locator("#bar-chart")).to_be_visible()
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "analytics-district-phone")
    phone_page.goto(f"{base}/kk/analytics/classes/{klass.pk}/")
    expect(phone_page.locator("#pupils")).to_be_visible()
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "analytics-class-phone")
    phone.close()
