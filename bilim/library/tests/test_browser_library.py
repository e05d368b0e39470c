"""The library in a real headless Chromium against the live server (the issue's browser test):
a librarian uploads a PDF through the record form; the worker extracts its text; a subscriber of
KazNU finds the record by a word from inside the PDF typed in Latin Kazakh and opens it in the
reader, which streams the PDF; an anonymous visitor asking for the subscribers-only file is sent to
the login page. A second test imports a CSV with bad rows: the progress bar runs, the bad rows are
listed by number and field, nothing is imported until the librarian confirms the good ones.
Screenshots of every page go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from bilim.conftest import screenshot
from bilim.library import samples, worker
from bilim.library.models import Resource, ResourceFile

pytestmark = pytest.mark.browser

# the PDF's text: «Сарыарқаның» (the genitive of Сарыарқа) is nowhere in the record's metadata
PDF_PARAGRAPHS = [
    "Бұл оқу құралында Сарыарқаның далалары мен өзендері, жылқы шаруашылығы және көшпелі мәдениет сипатталады.",
    "Әр тарауда студенттерге арналған сұрақтар мен тапсырмалар бар.",
]


def kk(message: str) -> str:
    with translation.override("kk"):
        return gettext(message)


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/kk/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1#home-title")).to_be_visible()


def test_librarian_uploads_subscriber_finds_by_latin_kazakh_and_reads_anonymous_refused(live_server, lib, browser, tmp_path):
    base = live_server.url
    pdf_path = tmp_path / "Дала.pdf"
    pdf_path.write_bytes(samples.pdf("Қазақ даласының географиясы", PDF_PARAGRAPHS))

    # the librarian creates the record with its file through the form
    context = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, base, "librarian.enu", lib.password)
    page.goto(f"{base}/kk/library/manage/")
    expect(page.locator("#dashboard-title")).to_be_visible()
    screenshot(page, "library-dashboard")
    page.locator("#new-record").click()
    page.select_option("#id_collection", str(lib.collection.pk))
    page.fill("#id_title", "Қазақ даласының географиясы")
    page.fill("#id_creators", "Төлегенов, Асқар Бекұлы")
    page.fill("#id_issued", "2024")
    page.select_option("#id_type", "manual")
    page.select_option("#id_language", "kk")
    page.select_option("#id_access", "subscribers")
    page.set_input_files("#id_file", str(pdf_path))
    screenshot(page, "library-record-new")
    page.locator("#save-record").click()
    expect(page.locator("#form-title")).to_have_text(kk("Edit the record"))
    item = Resource.objects.get(title="Қазақ даласының географиясы")
    expect(page.locator(".managed-file")).to_have_attribute("data-status", "pending")
    # the background worker extracts the text; the page, polling, shows it done
    assert worker.drain() >= 1
    assert ResourceFile.objects.get(resource=item).status == "done"
    expect(page.locator(".managed-file")).to_have_attribute("data-status", "done", timeout=10000)
    screenshot(page, "library-record-edit")
    context.close()

    # a subscriber of KazNU types a word from inside the PDF in Latin Kazakh
    context = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, base, "subscriber.kaznu", lib.password)
    page.goto(f"{base}/kk/library/")
    page.fill("#q", "Saryarqa")
    page.locator("#search-button").click()
    hit = page.locator(f"#hits .hit[data-record='{item.pk}']")
    expect(hit).to_be_visible()
    expect(hit.locator(".snippet")).to_be_visible()
    screenshot(page, "library-search-latin")
    hit.locator("a").first.click()
    expect(page.locator("#record-title")).to_have_text("Қазақ даласының географиясы")
    expect(page.locator("#access-decision")).to_contain_text(lib.kaznu.name_kk)
    screenshot(page, "library-record-subscriber")
    page.locator(".open-reader").first.click()
    expect(page.locator("#reader-title")).to_be_visible()
    stream_url = page.locator("#reader-pdf").get_attribute("data")
    response = page.request.get(f"{base}{stream_url}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith("inline")
    screenshot(page, "library-reader")
    context.close()

    # an anonymous visitor sees the record but is sent to log in for the file
    context = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/kk/library/records/{item.pk}/")
    expect(page.locator("#login-to-open")).to_be_visible()
    expect(page.locator(".open-reader")).to_have_count(0)
    screenshot(page, "library-record-anonymous")
    file_id = ResourceFile.objects.get(resource=item).pk
    page.goto(f"{base}/kk/library/files/{file_id}/read/")
    page.wait_for_url(re.compile(r"/kk/accounts/login/\?next="))
    expect(page.locator("#id_username")).to_be_visible()
    screenshot(page, "library-anonymous-refused")
    refused = page.request.get(f"{base}/kk/library/files/{file_id}/download/", max_redirects=0)
    assert refused.status == 302 and "/accounts/login/" in refused.headers["location"]
    context.close()


def test_librarian_imports_a_csv_with_bad_rows_and_confirms_the_good_ones(live_server, lib, page, tmp_path):
    base = live_server.url
    rows = ["title;creators;type;language;issued;isbn"]
    rows += [f"Оқулық {i};Әбенов, Серік;textbook;kk;2020;" for i in range(1, 31)]
    rows += [";;textbook;kk;2020;", "Роман;;novel;kk;2020;", "Кітап;;textbook;kk;2020;978-0-306-40615-8"]
    path = tmp_path / "records.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    log_in(page, base, "librarian.enu", lib.password)
    page.goto(f"{base}/kk/library/manage/imports/")
    page.select_option("#id_collection", str(lib.collection.pk))
    page.set_input_files("#id_file", str(path))
    page.locator("#import-upload").click()
    expect(page.locator("#import-progress")).to_be_visible()
    screenshot(page, "library-import-progress")
    expect(page.locator("#import-decision")).to_be_visible(timeout=20000)
    expect(page.locator("#bad-rows tr[data-row='32'][data-field='title']")).to_be_visible()
    expect(page.locator("#bad-rows tr[data-row='33'][data-field='type']")).to_be_visible()
    expect(page.locator("#bad-rows tr[data-row='34'][data-field='isbn']")).to_be_visible()
    assert Resource.objects.count() == 0
    screenshot(page, "library-import-checked")
    page.locator("#import-confirm").click()
    expect(page.locator("#import-done")).to_be_visible(timeout=20000)
    assert Resource.objects.count() == 30
    screenshot(page, "library-import-done")


def test_pages_of_readers_librarians_and_the_association(live_server, lib, page, phone_page):
    """The other pages, looked at: the library's front page, a university's collections, an EPUB in
    the reader, the 403 page of a reader without a subscription, the usage report, subscriptions,
    and the record page on a phone."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bilim.library import services

    base = live_server.url
    open_item = lib.record(title="Абай жолы: оқу құралы", type="manual", access="open", description="Роман-эпопея туралы оқу құралы.")
    services.file_add(resource=open_item, upload=SimpleUploadedFile("abai.epub", samples.epub(
        "Абай жолы", [("Бірінші тарау", "Абай Құнанбайұлының өмірі мен шығармашылығы."), ("Екінші тарау", "Қара сөздер.")])), by=lib.librarian)
    closed = lib.record(title="Ішкі есеп", access="university")
    services.file_add(resource=closed, upload=SimpleUploadedFile("esep.pdf", samples.pdf("Есеп", ["Ішкі мәтін."])), by=lib.librarian)
    worker.drain()

    page.goto(f"{base}/kk/library/")
    expect(page.locator("#recent")).to_contain_text("Абай жолы")
    screenshot(page, "library-front")
    page.goto(f"{base}/kk/library/universities/{lib.enu.pk}/")
    expect(page.locator("#records")).to_contain_text("Абай жолы")
    screenshot(page, "library-university")
    page.goto(f"{base}/kk/library/files/{open_item.files.get().pk}/read/")
    expect(page.locator("#reader-text")).to_contain_text("Қара сөздер")
    screenshot(page, "library-reader-epub")

    log_in(page, base, "student.yassawi", lib.password)
    page.goto(f"{base}/kk/library/files/{closed.files.get().pk}/read/")
    expect(page.locator("#access-refused")).to_be_visible()
    screenshot(page, "library-refused-403")

    page.context.clear_cookies()
    log_in(page, base, "librarian.enu", lib.password)
    page.goto(f"{base}/kk/library/records/{open_item.pk}/")
    page.goto(f"{base}/kk/library/usage/")
    expect(page.locator("#usage-items")).to_contain_text("Абай жолы")
    screenshot(page, "library-usage")

    page.context.clear_cookies()
    log_in(page, base, "ministry", lib.password)
    page.goto(f"{base}/kk/library/subscriptions/")
    expect(page.locator("#subscriptions")).to_contain_text(lib.kaznu.name_kk)
    screenshot(page, "library-subscriptions")

    phone_page.goto(f"{base}/kk/library/records/{open_item.pk}/")
    expect(phone_page.locator("#record-title")).to_be_visible()
    screenshot(phone_page, "library-record-phone")
