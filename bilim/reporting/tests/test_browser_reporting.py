"""The reporting workflow end to end in a real headless Chromium against the live server: the school
head fills the D-1 grid with the keyboard (autosave, an inline error and its correction), checks and
submits with the head's confirmation; the district officer returns it with a comment; the head
corrects a cell and resubmits; the district accepts and submits its consolidated report upward;
the region officer opens the campaign, sees the consolidated totals and drills down district →
school to the school's value.

Needs transactional_db (the live server's thread has its own connection); the demo is seeded in the
test and flushed afterwards."""

from __future__ import annotations

import random
import re
import time

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from bilim.conftest import screenshot
from bilim.core.models import Level
from bilim.reporting import services
from bilim.reporting.demo_forms import school_values

pytestmark = pytest.mark.browser

KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
THIN = "\u2009"


def kk(message: str) -> str:
    with translation.override("kk"):
        return gettext(message)


def grouped(number: int) -> str:
    return f"{number:,}".replace(",", THIN)


def open_session(browser, base: str, username: str, password: str):
    context = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/kk/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1#home-title")).to_be_visible()
    return context, page


def type_cell(page, value, key: str = "Enter") -> None:
    """Type into the focused cell (its content is selected, so typing replaces it) and press a key."""
    page.keyboard.type(str(value))
    page.keyboard.press(key)


def wait_saved(page) -> None:
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")


def focused_key(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name")


def test_report_submitted_returned_corrected_accepted_and_drilled_down(live_server, demo, browser, transactional_db):
    from bilim.reporting.demo import seed
    from bilim.reporting.models import Assignment, Campaign, Submission

    started = time.monotonic()
    seed("small")
    base = live_server.url
    campaign = Campaign.objects.get(form__code="D-1")
    school = demo.school_in(demo.esil)
    assignment = Assignment.objects.get(campaign=campaign, org_unit=school)
    values = school_values(random.Random(2027))
    rows = [f"{r:02d}" for r in range(1, 14)]

    # --- the head fills the grid with the keyboard ------------------------------------------------
    head_ctx, head = open_session(browser, base, "head.school", demo.password)
    link = head.locator(f"#reports-to-submit a[href$='/reporting/assignments/{assignment.pk}/']")
    expect(link).to_be_visible()
    link.click()
    expect(head.locator("#assignment-title")).to_have_text(school.name_kk)
    expect(head.locator("#grid")).to_have_attribute("data-ready", "1")
    assert KAZAKH_LETTERS.search(head.locator("#grid thead").inner_text())

    head.locator("#cell-r01c1").click()
    for row in rows[:4]:
        type_cell(head, values[f"r{row}c1"])
    # a wrong value: the cell turns red with the message in Kazakh, nothing else changes
    assert focused_key(head) == "r05c1"
    type_cell(head, "бес")
    expect(head.locator("#err-r05c1")).to_have_text(kk("Enter a number."))
    expect(head.locator("#cell-r05c1")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(head.locator("#save-status")).to_have_attribute("data-state", "error")
    assert focused_key(head) == "r06c1"
    head.keyboard.press("ArrowUp")
    type_cell(head, values["r05c1"])
    expect(head.locator("#err-r05c1")).to_have_count(0)
    for row in rows[5:]:
        type_cell(head, values[f"r{row}c1"])
    assert focused_key(head) == "r21c1"  # Enter under the last grade jumps over the section header
    for row in ("21", "22", "23"):
        type_cell(head, values[f"r{row}c1"])
    type_cell(head, "иә")
    assert focused_key(head) == "r24c1"  # the last cell of the column: Enter stays
    for _ in range(16):
        head.keyboard.press("ArrowUp")
    assert focused_key(head) == "r01c1"
    for column in range(2, 6):
        head.keyboard.press("ArrowRight")
        assert focused_key(head) == f"r01c{column}"
        for row in rows:
            type_cell(head, values[f"r{row}c{column}"])
        assert focused_key(head) == f"r13c{column}"
        for _ in range(12):
            head.keyboard.press("ArrowUp")
    head.keyboard.press("Tab")
    assert focused_key(head) == "r02c1"  # Tab after the last column goes on to the next row
    head.keyboard.press("Shift+Tab")
    assert focused_key(head) == "r01c5"
    wait_saved(head)
    expect(head.locator("#save-status")).to_contain_text(kk("All changes saved"))
    saved = services.current_values(assignment)
    assert {k: (v if isinstance(v, bool) else int(v)) for k, v in saved.items() if v is not None} == values
    expect(head.locator(".grid-cell.is-saved")).to_have_count(0)
    head.evaluate("document.querySelector('.grid-wrap').scrollTo(0, 0)")
    screenshot(head, "reporting-grid")

    head.locator("#check-button").click()
    expect(head.locator("#check-ok")).to_be_visible()
    head.fill("#id_head_name", "Ахметова Сәуле Ерболқызы")
    head.check("#id_head_confirmed")
    head.locator("#submit-button").click()
    expect(head.locator("#assignment-status")).to_have_attribute("data-status", "submitted")
    expect(head.locator("#history tbody tr[data-version='1']")).to_be_visible()
    expect(head.locator("#grid .grid-input")).to_have_count(0)

    # --- the district officer returns it ---------------------------------------------------------
    comment = "5-сыныптағы қыздар санын тексеріңіз"
    esil_ctx, esil = open_session(browser, base, "district.esil", demo.password)
    esil.locator(f"#review-queue a[href$='/reporting/assignments/{assignment.pk}/']").click()
    expect(esil.locator("#review-card")).to_be_visible()
    esil.fill("#return-comment", comment)
    screenshot(esil, "reporting-review")
    esil.locator("#return-button").click()
    expect(esil.locator("#assignment-status")).to_have_attribute("data-status", "returned")

    # --- the head sees the comment, corrects a cell and resubmits -----------------------------------
    head.goto(f"{base}/kk/")
    expect(head.locator("#notifications")).to_contain_text(comment)
    head.goto(f"{base}/kk/reporting/assignments/{assignment.pk}/")
    expect(head.locator("#review-comment-text")).to_have_text(comment)
    head.locator("#cell-r06c2").click()
    type_cell(head, values["r06c2"] - 1)
    head.locator("#cell-r13c2").click()
    type_cell(head, values["r13c2"] - 1)
    wait_saved(head)
    expect(head.locator("#id_head_name")).to_have_value("Ахметова Сәуле Ерболқызы")
    head.check("#id_head_confirmed")
    head.locator("#submit-button").click()
    expect(head.locator("#assignment-status")).to_have_attribute("data-status", "submitted")
    expect(head.locator("#history tbody tr")).to_have_count(2)

    # --- the district accepts, then submits its consolidated report upward -------------------------
    esil.reload()
    esil.locator("#accept-button").click()
    expect(esil.locator("#assignment-status")).to_have_attribute("data-status", "accepted")
    district_assignment = Assignment.objects.get(campaign=campaign, org_unit=demo.esil)
    esil.goto(f"{base}/kk/")
    screenshot(esil, "reporting-home-district")
    esil.locator(f"#reports-to-submit a[href$='/reporting/assignments/{district_assignment.pk}/']").click()
    expect(esil.locator("#consolidated-note")).to_be_visible()
    district_total = services.consolidated_values(campaign, demo.esil)["r13c1"]
    expect(esil.locator("#td-r13c1")).to_contain_text(grouped(int(district_total)))
    esil.fill("#id_head_name", "Омарова Әсел Бекқызы")
    esil.check("#id_head_confirmed")
    esil.locator("#submit-button").click()
    expect(esil.locator("#assignment-status")).to_have_attribute("data-status", "submitted")
    assert Submission.objects.get(assignment=district_assignment).values["r13c1"] == str(district_total)

    # --- the region officer drills down to the school -----------------------------------------------
    region_ctx, region = open_session(browser, base, "region.astana", demo.password)
    region.goto(f"{base}/kk/reporting/campaigns/")
    region.locator(f"#campaigns a[href$='/reporting/campaigns/{campaign.pk}/']").click()
    expect(region.locator("#node-name")).to_contain_text(demo.esil.parent.name_kk)
    region_total = services.consolidated_values(campaign, demo.esil.parent)["r13c1"]
    total_link = region.locator("#td-r13c1 a.drill-link")
    expect(total_link).to_have_text(grouped(int(region_total)))
    expect(region.locator("#children tr[data-unit='%s']" % demo.esil.pk)).to_contain_text("Есіл ауданы")
    screenshot(region, "reporting-campaign")
    total_link.click()
    expect(region.locator("#node-value")).to_have_text(grouped(int(region_total)))
    region.locator("#drill a.drill-child", has_text="Есіл ауданы").click()
    expect(region.locator("#node-value")).to_have_text(grouped(int(district_total)))
    school_row = region.locator(f"#drill tr[data-unit='{school.pk}']")
    expect(school_row.locator(".drill-value")).to_have_text(grouped(values["r13c1"]))
    screenshot(region, "reporting-drill")
    school_row.locator("a.drill-child").click()
    expect(region.locator("#assignment-title")).to_have_text(school.name_kk)
    expect(region.locator("#assignment-status")).to_have_attribute("data-status", "accepted")

    assert Assignment.objects.get(pk=assignment.pk).status == "accepted"
    assert district_assignment.level == Level.DISTRICT
    for context in (head_ctx, esil_ctx, region_ctx):
        context.close()

    # --- on a phone the page fits the screen: only the grid scrolls sideways ------------------------
    phone_ctx = browser.new_context(locale="kk-KZ", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                    device_scale_factor=2)
    phone = phone_ctx.new_page()
    phone.set_default_timeout(15000)
    phone.goto(f"{base}/kk/accounts/login/")
    phone.fill("#id_username", "head.school")
    phone.fill("#id_password", demo.password)
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator("h1#home-title")).to_be_visible()
    phone.goto(f"{base}/kk/reporting/assignments/{assignment.pk}/")
    expect(phone.locator("#cell-r01c1")).to_be_visible()  # accepted: open for a correction
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert phone.evaluate("(() => { const w = document.querySelector('.grid-wrap'); return w.scrollWidth > w.clientWidth; })()")
    screenshot(phone, "reporting-phone")
    phone_ctx.close()
    assert time.monotonic() - started < 90
