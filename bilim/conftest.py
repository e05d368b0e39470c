"""Shared fixtures. The suite runs unchanged on SQLite and on PostgreSQL (BILIM_DATABASE_URL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; Django's ORM would otherwise refuse
# to run next to it. Safe here: the test thread and the live server's thread each use their own
# connection.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(autouse=True)
def _fast_hasher_and_clean_axes(settings):
    # Tests create many users: keep Argon2 first (it is what production uses) but cheap.
    settings.PASSWORD_HASHERS = ["bilim.core.tests.hashers.FastArgon2Hasher"]
    # Approved forms' specs are cached by id; tests roll the database back and ids come again.
    from bilim.reporting import specs

    specs.forget_all()
    yield


@pytest.fixture(autouse=True)
def _audit_guard(request):
    """Every test runs with the audit log's database guard in place. Transactional tests (live
    server, backup/restore) drop it just before Django empties the tables after the test."""
    if not any(name in request.fixturenames for name in ("db", "transactional_db", "live_server")) and not request.node.get_closest_marker("django_db"):
        yield
        return
    from django.db import connection

    from bilim.core import audit_guard

    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    audit_guard.install(connection)
    yield
    if _is_transactional(request):
        audit_guard.remove(connection)


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or "live_server" in request.fixturenames or bool(
        marker and (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0]))
    )


@pytest.fixture
def demo(db):
    """The small demo: the real 20 regions, districts of Astana, Almaty and Turkistan region, their
    organizations and one user per role (password ``DEMO_PASSWORD``)."""
    from bilim.core.demo import seed

    seed("small")
    from bilim.core.models import OrgUnit, User

    class Demo:
        password = "Bilim-demo-2026"

        def user(self, username: str) -> User:
            return User.objects.get(username=username)

        def unit(self, **lookup) -> OrgUnit:
            return OrgUnit.objects.get(**lookup)

        @property
        def republic(self):
            return OrgUnit.objects.get(level=0)

        @property
        def esil(self):
            return OrgUnit.objects.get(level=2, name_kk="Есіл ауданы")

        @property
        def saryarka(self):
            return OrgUnit.objects.get(level=2, name_kk="Сарыарқа ауданы")

        def school_in(self, district):
            return OrgUnit.objects.filter(parent=district, kind="school").order_by("pk").first()

    return Demo()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Missing Chromium is a skip on a laptop and a failure in CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(locale="kk-KZ", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- the CI log names every browser test and its outcome (a skipped browser test does not count) ---
_BROWSER_RESULTS: list[tuple[str, str]] = []


def pytest_runtest_logreport(report):
    if "browser" in report.keywords and (report.when == "call" or report.outcome == "skipped"):
        _BROWSER_RESULTS.append((report.nodeid, report.outcome.upper()))


def pytest_terminal_summary(terminalreporter):
    if _BROWSER_RESULTS:
        terminalreporter.section(f"browser tests in headless Chromium ({CHROMIUM})")
        for nodeid, outcome in _BROWSER_RESULTS:
            terminalreporter.write_line(f"{outcome:8} {nodeid}")
