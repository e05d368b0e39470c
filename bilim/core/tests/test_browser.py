"""End-to-end checks in a real headless Chromium (Debian's /usr/bin/chromium through Playwright) against
pytest-django's live server: login through the django-axes backend, the language switcher, the
org tree browser with its htmx live search, the lockout, the phone layout, password change and logout.

The live server needs transactional_db: each test seeds the small demo (idempotent) and the database
is flushed afterwards (conftest's ``_audit_guard`` lifts the audit log's append-only guard for that)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from bilim.conftest import screenshot
from bilim.core.demo import DEMO_USERS

pytestmark = pytest.mark.browser

KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


# --- helpers ----------------------------------------------------------------------------------------

def kk(message: str) -> str:
    with translation.override("kk"):
        return gettext(message)


def submit_login(page, username: str, password: str):
    """Fill the real login form and submit it; returns the response to the POST."""
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_response(lambda r: r.request.method == "POST" and "/accounts/login/" in r.url) as info:
        page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return info.value


def log_in(page, base: str, username: str, password: str, lang: str = "kk") -> None:
    page.goto(f"{base}/{lang}/accounts/login/")
    submit_login(page, username, password)
    expect(page.locator("h1#home-title")).to_be_visible()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# --- tests ------------------------------------------------------------------------------------------

def test_login_then_switch_to_kazakh(live_server, demo, page):
    base = live_server.url
    page.goto(f"{base}/ru/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "ru"
    response = submit_login(page, "district.esil", demo.password)
    assert response.status == 302
    title = page.locator("h1#home-title")
    expect(title).to_have_attribute("data-role", "district_officer")
    assert page.url.startswith(f"{base}/ru/")

    # The browser asks for kk (Accept-Language) while the page is /ru/: the switcher must still move
    # the page to /kk/ (Django's set_language translates `next` in the request's language).
    page.locator("nav form.lang-switch button[data-lang=kk]").click()
    # wait for the redirect to land on /kk/ (not just for any navigation to start)
    page.wait_for_url(re.compile(r"/kk/"))
    page.wait_for_load_state()
    assert page.url.startswith(f"{base}/kk/"), page.url
    assert page.locator("html").get_attribute("lang") == "kk"
    expect(page.locator("nav button[data-lang=kk]")).to_have_class(re.compile(r"\bactive\b"))
    heading = title.inner_text().strip()
    assert heading == kk("District education department")
    assert heading != "District education department", "the kk catalogue lacks the heading: the page is in English"
    assert KAZAKH_LETTERS.search(heading), heading
    main_text = page.locator("main").inner_text()
    assert "Есіл ауданы" in main_text
    assert KAZAKH_LETTERS.search(main_text)
    assert any(c["name"] == settings.LANGUAGE_COOKIE_NAME and c["value"] == "kk" for c in page.context.cookies())
    screenshot(page, "browser-home-kk")


def test_every_demo_login_reaches_its_home(live_server, demo, browser):
    base = live_server.url
    for username, role, _where, _name in DEMO_USERS:
        context = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(15000)
            page.goto(f"{base}/kk/accounts/login/")
            submit_login(page, username, demo.password)
            expect(page.locator("h1#home-title"), username).to_have_attribute("data-role", str(role))
            assert page.url == f"{base}/kk/", (username, page.url)
        finally:
            context.close()


def test_org_tree_browser_search_and_scope(live_server, demo, page):
    base = live_server.url
    esil, foreign_school = demo.esil, demo.school_in(demo.saryarka)
    own_school = demo.school_in(esil)
    log_in(page, base, "district.esil", demo.password)

    page.goto(f"{base}/kk/org/")
    roots = page.locator("#roots a")
    expect(roots).to_have_count(1)
    expect(roots.first).to_contain_text("Есіл ауданы")
    roots.first.click()
    page.wait_for_url(f"{base}/kk/org/{esil.pk}/")
    expect(page.locator("#unit-name")).to_have_text("Есіл ауданы")
    children = page.locator("#units tbody tr")
    expect(children).to_have_count(esil.children.count())
    expect(page.locator("#result-count")).to_have_count(0)

    # htmx live search: typing fires a GET with HX-Request, #results is swapped, the URL is pushed
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true") as info:
        page.locator("#q").press_sequentially("мектеп", delay=20)
    assert info.value.status == 200
    expect(page.locator("#result-count")).to_be_visible()
    rows = page.locator("#units tbody tr")
    expect(rows).to_have_count(esil.children.filter(kind="school").count())
    for text in rows.all_inner_texts():
        assert "мектеп" in text.lower()
    assert "q=" in page.url

    # a KATO prefix (digits) finds the school by code
    page.locator("#q").fill(own_school.kato)
    expect(page.locator("#units tbody tr")).to_have_count(1)
    expect(page.locator("#units tbody tr").first).to_contain_text(own_school.name_kk)
    screenshot(page, "browser-org-search")

    # another district's school is out of scope: 404, not 403 (existence is not revealed)
    response = page.goto(f"{base}/kk/org/{foreign_school.pk}/")
    assert response.status == 404
    response = page.goto(f"{base}/kk/org/{own_school.pk}/")
    assert response.status == 200
    expect(page.locator("#unit-name")).to_have_text(own_school.name_kk)


def test_wrong_password_then_lockout(live_server, demo, page):
    base = live_server.url
    limit = settings.AXES_FAILURE_LIMIT
    page.goto(f"{base}/kk/accounts/login/")
    response = submit_login(page, "teacher", "not-the-password")
    assert response.status == 200
    expect(page.locator("#login-error")).to_be_visible()
    expect(page.locator("#login-error")).to_have_text(
        kk("Wrong user name or password. After several failed attempts the account is locked for a while."))
    for _attempt in range(limit - 1):
        page.goto(f"{base}/kk/accounts/login/")
        submit_login(page, "teacher", "not-the-password")
    expect(page.locator("#locked")).to_be_visible()  # the limit-th failure already locks
    page.goto(f"{base}/kk/accounts/login/")
    response = submit_login(page, "teacher", demo.password)
    assert response.status == 403
    expect(page.locator("#locked")).to_be_visible()
    expect(page.locator("h1#home-title")).to_have_count(0)
    # the lock is per user name: another user behind the same address still gets in
    page.goto(f"{base}/kk/accounts/login/")
    submit_login(page, "parent", demo.password)
    expect(page.locator("h1#home-title")).to_have_attribute("data-role", "parent")


def test_phone_landing_fits_and_menu_opens(live_server, demo, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/kk/")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert no_horizontal_scroll(page), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(page.locator("#mainnav")).to_be_hidden()
    screenshot(page, "browser-phone-landing")
    toggler.click()
    expect(page.locator("#mainnav")).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#mainnav button[data-lang=ru]")).to_be_visible()
    expect(page.locator("#mainnav a[href$='/accounts/login/']")).to_be_visible()
    page.wait_for_function("!document.querySelector('#mainnav').classList.contains('collapsing')")
    assert no_horizontal_scroll(page)
    screenshot(page, "browser-phone-menu")


def test_password_change_through_the_form(live_server, demo, page):
    base = live_server.url
    log_in(page, base, "parent", demo.password)
    page.goto(f"{base}/kk/accounts/password/")
    new = "Dala-Tenge-4821"
    page.fill("#id_old_password", demo.password)
    page.fill("#id_new_password1", new)
    page.fill("#id_new_password2", new + "x")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.locator("main form button[type=submit]").click()
    assert info.value.status == 400
    error = page.locator(".field-error[data-field=new_password2]")
    expect(error).to_have_text(kk("The two new passwords differ."))

    page.fill("#id_old_password", demo.password)
    page.fill("#id_new_password1", new)
    page.fill("#id_new_password2", new)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/kk/")
    expect(page.locator(".alert-success")).to_have_text(kk("Your password was changed."))
    expect(page.locator("h1#home-title")).to_have_attribute("data-role", "parent")  # still logged in

    # the new password is the one that works now
    page.context.clear_cookies()
    page.goto(f"{base}/kk/accounts/login/")
    submit_login(page, "parent", demo.password)
    expect(page.locator("#login-error")).to_be_visible()
    submit_login(page, "parent", new)
    expect(page.locator("h1#home-title")).to_have_attribute("data-role", "parent")


def test_logout_through_the_user_menu(live_server, demo, page):
    base = live_server.url
    log_in(page, base, "teacher", demo.password)
    page.locator("#usermenu").click()
    expect(page.locator("#logout")).to_be_visible()
    page.locator("#logout").click()
    page.wait_for_url(f"{base}/kk/accounts/login/")
    expect(page.locator("#usermenu")).to_have_count(0)
    expect(page.locator("#id_username")).to_be_visible()
    # the session is really gone
    page.goto(f"{base}/kk/org/")
    assert "/kk/accounts/login/" in page.url
