"""The library's pages: public record and university pages, the reader, streaming with byte ranges
and downloads under the access rules (anonymous → login page, no right → 403 page saying why), the
librarian's pages (another university's librarian and non-librarians get 404 on every one), record
forms with upload, the import flow with its progress, the usage report and subscriptions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bilim.library import samples, services, worker
from bilim.library.models import ImportJob, Resource, ResourceFile, UsageCount

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


def url(name, *args, lang="en"):
    return f"/{lang}" + reverse(f"library:{name}", args=args)[3:]


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def book(lib):
    item = lib.record(access="subscribers", title="Ұлы дала тарихы", description="Оқулық", isbn="9780306406157", issued="2021",
                      creators=["Әбенов, Серік Қайратұлы", "Исаева, Айгүл Маратқызы"], publisher="Фолиант")
    file = services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    worker.drain()
    file.refresh_from_db()
    return item, file


def test_record_page_is_public_with_citation_and_access_explanation(lib, book):
    item, file = book
    response = client_for().get(url("record", item.pk, lang="ru"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ұлы дала тарихы" in body and 'id="citation-text"' in body and "ISBN 9780306406157" in body
    assert "Әбенов, С. Қ. Ұлы дала тарихы" in body and "/ С. Қ. Әбенов, А. М. Исаева" in body  # GOST 7.1
    assert 'id="login-to-open"' in body and reverse("library:reader", args=[file.pk])[3:] not in body
    assert UsageCount.objects.get(resource=item).record_views == 1
    english = client_for().get(url("record", item.pk)).content.decode()
    assert "Әбенов, С. Қ., &amp; Исаева, А. М. (2021). <i>Ұлы дала тарихы</i>. Фолиант." in english  # APA
    subscriber_page = client_for(lib.subscriber).get(url("record", item.pk)).content.decode()
    assert "/files/%d/read/" % file.pk in subscriber_page and lib.kaznu.name_en in subscriber_page


def test_deleted_record_is_410_and_missing_404(lib, book):
    item, _file = book
    services.resource_delete(resource=item, by=lib.librarian)
    assert client_for().get(url("record", item.pk)).status_code == 410
    assert client_for().get(url("record", 999999)).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in_for_a_subscribers_only_file(lib, book):
    _item, file = book
    for name in ("reader", "stream", "download"):
        response = client_for().get(url(name, file.pk))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"] and "next=" in response["Location"]
    assert not UsageCount.objects.filter(requests__gt=0).exists()


def test_reader_without_a_subscription_gets_a_403_page_that_says_why(lib, book):
    _item, file = book
    for name in ("reader", "stream", "download"):
        response = client_for(lib.outsider).get(url(name, file.pk))
        assert response.status_code == 403
        assert "no running subscription" in response.content.decode()


def test_subscriber_reads_streams_and_downloads(lib, book):
    item, file = book
    client = client_for(lib.subscriber)
    reader = client.get(url("reader", file.pk))
    assert reader.status_code == 200 and 'id="reader-pdf"' in reader.content.decode()
    whole = client.get(url("stream", file.pk))
    assert whole.status_code == 200 and whole["Content-Type"] == "application/pdf" and whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Disposition"].startswith("inline;") and whole["Cache-Control"] == "private, no-store"
    data = b"".join(whole.streaming_content)
    assert data.startswith(b"%PDF") and len(data) == file.size
    part = client.get(url("stream", file.pk), HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 10-19/{file.size}" and part["Content-Length"] == "10"
    assert b"".join(part.streaming_content) == data[10:20]
    tail = client.get(url("stream", file.pk), HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == data[-5:]
    bad = client.get(url("stream", file.pk), HTTP_RANGE=f"bytes={file.size}-")
    assert bad.status_code == 416 and bad["Content-Range"] == f"bytes */{file.size}"
    download = client.get(url("download", file.pk))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    b"".join(download.streaming_content)
    counts = UsageCount.objects.get(resource=item, institution_key=lib.kaznu.pk)
    # the whole-file stream counted as a reading; the ranged continuations not; the download once
    assert (counts.reads, counts.downloads, counts.requests, counts.unique_requests) == (1, 1, 2, 1)


def test_non_pdf_reader_shows_the_extracted_text(lib):
    item = lib.record(access="open")
    from .conftest import epub_upload

    file = services.file_add(resource=item, upload=epub_upload(), by=lib.librarian)
    worker.drain()
    body = client_for().get(url("reader", file.pk)).content.decode()
    assert 'id="reader-text"' in body and "Абай Құнанбайұлының" in body


def test_university_page(lib, book):
    item, _file = book
    response = client_for().get(url("university", lib.enu.pk))
    body = response.content.decode()
    assert response.status_code == 200 and item.title in body and lib.collection.name_en in body
    assert client_for().get(url("university", lib.enu.pk) + f"?collection={lib.kaznu_collection.pk}").status_code == 404
    assert client_for().get(url("university", lib.demo.esil.pk)).status_code == 404
    assert client_for().get(url("university", lib.enu.pk) + "?type=novel").status_code == 400
    assert client_for().get(url("university", lib.enu.pk) + "?page=x").status_code == 400


def librarian_pages(lib, item, file, job):
    return [
        ("get", url("record_edit", item.pk)), ("post", url("record_edit", item.pk)), ("post", url("file_upload", item.pk)),
        ("get", url("file_status", item.pk)), ("post", url("record_delete", item.pk)), ("post", url("file_remove", file.pk)),
        ("post", url("file_retry", file.pk)), ("get", url("collection_edit", lib.collection.pk)),
        ("post", url("collection_edit", lib.collection.pk)), ("get", url("import_job", job.pk)), ("get", url("import_progress", job.pk)),
        ("post", url("import_confirm", job.pk)), ("post", url("import_cancel", job.pk)),
    ]


def test_librarian_of_another_university_gets_404_on_every_librarian_page(lib, book):
    item, file = book
    job = services.import_start(collection=lib.collection, upload=SimpleUploadedFile("r.csv", b"title,type,language\nA,textbook,kk\n"),
                                by=lib.librarian)
    for method, path in librarian_pages(lib, item, file, job):
        response = getattr(client_for(lib.kaznu_librarian), method)(path)
        assert response.status_code == 404, (method, path)
    item.refresh_from_db()
    assert item.deleted_at is None and ResourceFile.objects.filter(pk=file.pk).exists()
    assert ImportJob.objects.get(pk=job.pk).status == "checking"
    # someone who is no librarian at all: 404 on the librarian's own pages too
    for user in (lib.student, lib.subscriber, lib.ministry):
        for name in ("dashboard", "record_new", "import_new", "collection_new", "import_template"):
            assert client_for(user).get(url(name)).status_code == 404, (user, name)
        for method, path in librarian_pages(lib, item, file, job):
            assert getattr(client_for(user), method)(path).status_code == 404, (user, method, path)
    assert client_for().get(url("dashboard")).status_code == 302  # anonymous: log in first


def test_dashboard(lib, book):
    item, _file = book
    body = client_for(lib.librarian).get(url("dashboard")).content.decode()
    assert item.title in body and 'id="stat-records">1<' in body.replace(" ", "") or 'id="stat-records">1' in body
    failed = client_for(lib.librarian).get(url("dashboard") + "?status=failed").content.decode()
    assert item.title not in failed
    assert client_for(lib.librarian).get(url("dashboard") + "?status=bogus").status_code == 400
    assert client_for(lib.librarian).get(url("dashboard") + f"?collection={lib.kaznu_collection.pk}").status_code == 404


def test_new_record_with_a_file_through_the_form(lib):
    client = client_for(lib.librarian)
    form = {"collection": lib.collection.pk, "title": "Математикалық талдау", "creators": "Әбенов, Серік\nИсаева, Айгүл", "subjects": "",
            "description": "", "publisher": "", "issued": "2020", "type": "manual", "language": "kk", "isbn": "", "doi": "", "url": "",
            "rights": "", "access": "subscribers", "embargo_until": ""}
    response = client.post(url("record_new"), form | {"file": pdf_upload("talday.pdf")})
    assert response.status_code == 302
    item = Resource.objects.get(title="Математикалық талдау")
    assert item.creators == ["Әбенов, Серік", "Исаева, Айгүл"] and item.files.get().original_name == "talday.pdf"
    edit = client.get(response["Location"]).content.decode()
    assert "talday.pdf" in edit and "hx-trigger=\"every 2s\"" in edit  # polls while the text is extracted


def test_bad_record_form_saves_nothing_and_names_the_fields(lib):
    client = client_for(lib.librarian)
    form = {"collection": lib.collection.pk, "title": "", "type": "manual", "language": "kk", "issued": "2020-13", "isbn": "123",
            "access": "open"}
    response = client.post(url("record_new"), form | {"file": pdf_upload()})
    body = response.content.decode()
    assert response.status_code == 200 and Resource.objects.count() == 0
    for field in ("title", "issued", "isbn"):
        assert f'data-field="{field}"' in body
    # a good record with a bad file: neither is saved
    response = client.post(url("record_new"), form | {"title": "OK", "issued": "2020", "isbn": "",
                                                      "file": SimpleUploadedFile("x.pdf", samples.docx("a", ["b"]))})
    assert 'data-field="file"' in response.content.decode() and Resource.objects.count() == 0


def test_upload_refused_on_the_edit_page(lib, book):
    item, _file = book
    response = client_for(lib.librarian).post(url("file_upload", item.pk), {"file": SimpleUploadedFile("a.epub", b"")})
    assert response.status_code == 400 and 'data-field="file"' in response.content.decode()


def test_import_flow_through_the_pages(lib):
    client = client_for(lib.librarian)
    csv = "title,type,language\nA,textbook,kk\n,textbook,kk\nC,novel,kk\n".encode()
    response = client.post(url("import_new"), {"collection": lib.collection.pk, "file": SimpleUploadedFile("r.csv", csv)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-progress"' in page and "hx-get" in page
    progress = client.get(url("import_progress", job.pk))
    assert progress["HX-Refresh"] == "true"
    page = client.get(url("import_job", job.pk)).content.decode()
    assert 'data-row="3" data-field="title"' in page and 'data-row="4" data-field="type"' in page and 'id="import-confirm"' in page
    assert Resource.objects.count() == 0
    client.post(url("import_confirm", job.pk))
    client.get(url("import_progress", job.pk))
    assert list(Resource.objects.values_list("title", flat=True)) == ["A"]
    assert 'id="import-done"' in client.get(url("import_job", job.pk)).content.decode()
    template = client.get(url("import_template"))
    assert template.status_code == 200 and template.content.decode("utf-8-sig").startswith("title,creators")


def test_collection_pages(lib):
    client = client_for(lib.librarian)
    response = client.post(url("collection_new"), {"university": lib.enu.pk, "code": "theses", "name_kk": "Диссертациялар",
                                                   "name_ru": "Диссертации", "name_en": "", "description": ""})
    assert response.status_code == 302
    response = client.post(url("collection_new"), {"university": lib.enu.pk, "code": "theses", "name_kk": "x", "name_ru": "y"})
    assert 'data-field="code"' in response.content.decode()
    response = client.post(url("collection_new"), {"university": lib.kaznu.pk, "code": "x", "name_kk": "x", "name_ru": "y"})
    assert 'data-field="university"' in response.content.decode()  # not among the choices


def test_usage_pages(lib, book):
    item, _file = book
    client_for().get(url("record", item.pk))
    page = client_for(lib.librarian).get(url("usage"))
    body = page.content.decode()
    assert page.status_code == 200 and item.title in body and "Total_Item_Investigations" in body
    assert client_for(lib.librarian).get(url("usage") + f"?university={lib.kaznu.pk}").status_code == 404
    assert client_for(lib.ministry).get(url("usage") + f"?university={lib.kaznu.pk}").status_code == 200
    for user in (lib.student, lib.subscriber):
        assert client_for(user).get(url("usage")).status_code == 404
    csv = client_for(lib.librarian).get(url("usage_csv"))
    assert csv.status_code == 200 and "Total_Item_Investigations" in csv.content.decode("utf-8-sig")
    xlsx = client_for(lib.librarian).get(url("usage_xlsx"))
    assert xlsx.content[:2] == b"PK"
    assert client_for(lib.librarian).get(url("usage") + "?from=2026-13").status_code == 400
    assert client_for(lib.librarian).get(url("usage") + "?from=2026-05&to=2026-01").status_code == 400


def test_subscription_pages(lib):
    client = client_for(lib.ministry)
    page = client.get(url("subscriptions"))
    assert page.status_code == 200 and lib.kaznu.name_en in page.content.decode()
    today = timezone.localdate()
    response = client.post(url("subscriptions"), {"institution": lib.yassawi.pk, "starts": today.isoformat(),
                                                  "ends": (today + dt.timedelta(days=10)).isoformat(), "note": ""})
    assert response.status_code == 302
    response = client.post(url("subscription_end", lib.subscription.pk), {"ends": today.isoformat()})
    assert response.status_code == 302
    lib.subscription.refresh_from_db()
    assert lib.subscription.ends == today
    for user in (lib.librarian, lib.subscriber):
        assert client_for(user).get(url("subscriptions")).status_code == 404
        assert client_for(user).post(url("subscription_end", lib.subscription.pk), {"ends": today.isoformat()}).status_code == 404


def test_pages_in_every_language(lib, book):
    item, _file = book
    for lang in ("kk", "ru", "en"):
        assert client_for().get(url("search", lang=lang)).status_code == 200
        assert client_for().get(url("record", item.pk, lang=lang)).status_code == 200
        assert client_for(lib.librarian).get(url("dashboard", lang=lang)).status_code == 200
        assert client_for(lib.librarian).get(url("record_edit", item.pk, lang=lang)).status_code == 200


def test_home_widget(lib):
    body = client_for(lib.librarian).get("/en/").content.decode()
    assert 'id="library-widget"' in body and reverse("library:dashboard")[3:] in body


def test_search_page_full_text_latin_kazakh_facets_and_snippets(lib, book):
    item, _file = book  # its PDF says «оқулықтарының»; the record is for subscribers
    other = lib.record(title="Органикалық химия", type="manual", language="ru", subjects=["химия"], issued="2019")
    client = client_for()
    body = client.get(url("search") + "?q=oqulyq").content.decode()
    assert f'data-record="{item.pk}"' in body and f'data-record="{other.pk}"' not in body
    assert "<mark>" in body  # the Latin query highlights the Cyrillic word in the snippet
    assert 'data-facet="type"' in body and 'data-facet="university"' in body and lib.enu.name_en in body
    filtered = client.get(url("search") + "?q=oqulyq&type=manual").content.decode()
    assert f'data-record="{item.pk}"' not in filtered and 'id="no-hits"' in filtered
    chem = client.get(url("search") + "?q=химия&language=ru").content.decode()
    assert f'data-record="{other.pk}"' in chem
    empty = client.get(url("search") + "?q=" + "x" * 300)
    assert empty.status_code == 200 and 'data-field="q"' in empty.content.decode()
    assert client.get(url("search") + "?q=oqulyq&page=abc").status_code == 400
    landing = client.get(url("search")).content.decode()
    assert 'id="recent"' in landing and item.title in landing


def test_university_only_full_text_never_shows_in_snippets(lib):
    item = lib.record(access="university", title="Ішкі құжат", description="Сипаттама")
    services.file_add(resource=item, upload=pdf_upload(paragraphs=["Құпия мәтін: жылқышылардың есебі."]), by=lib.librarian)
    worker.drain()
    body = client_for().get(url("search") + "?q=жылқышылардың").content.decode()
    assert f'data-record="{item.pk}"' in body and "Құпия" not in body
