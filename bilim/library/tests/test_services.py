"""Writes of the library: records (create, update, tombstone), files and their background
extraction, collections, subscriptions. Every bad input is refused with its field and reason and
nothing is saved; a librarian of another university gets the 404 of a missing collection."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from bilim.core.errors import DomainError
from bilim.core.models import AuditLog
from bilim.library import indexing, samples, services, worker
from bilim.library.models import Collection, ExtractionTask, Resource, ResourceFile

from .conftest import docx_upload, epub_upload, pdf_upload

pytestmark = pytest.mark.django_db


def test_update_reindexes_and_delete_removes_from_search(lib):
    item = lib.record(title="Бағдарламалау негіздері")
    assert found("бағдарламалау") == [item.pk]
    services.resource_update(resource=item, title="Органикалық химия", by=lib.librarian)
    assert found("бағдарламалау") == [] and found("химия") == [item.pk]
    services.resource_delete(resource=item, by=lib.librarian)
    assert found("химия") == []


def test_create_record_normalizes_and_audits(lib):
    item = lib.record(isbn="978-0-306-40615-7", doi="https://doi.org/10.1000/182", issued="2021-05", creators="Әбенов, Серік; Исаева, Айгүл")
    assert item.university_id == lib.enu.pk and item.year == 2021 and item.isbn == "9780306406157" and item.doi == "10.1000/182"
    assert item.creators == ["Әбенов, Серік", "Исаева, Айгүл"] and item.created_by == lib.librarian
    assert item.modified_at and item.deleted_at is None and item.format == ""
    log = AuditLog.objects.get(action="library.resource.create", object_id=str(item.pk))
    assert log.after["title"] == "Қазақстан тарихы"


def test_record_without_title_and_with_bad_values_saves_nothing(lib):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        lib.record(title="", isbn="978-0-306-40615-8", issued="2021-13", type="novel", language="xx")
    error = caught.value
    assert error.code == "invalid_record" and error.message == "The record has errors; nothing was saved."
    assert set(error.fields) == {"title", "isbn", "issued", "type", "language"}
    assert error.fields["title"] == "Enter the title."
    assert Resource.objects.count() == 0


def test_librarian_of_another_university_gets_404(lib):
    with pytest.raises(DomainError) as caught:
        services.resource_create(collection=lib.collection, title="X", type="textbook", language="kk", by=lib.kaznu_librarian)
    assert caught.value.status == 404 and caught.value.code == "not_found"
    item = lib.record()
    for call in (lambda: services.resource_update(resource=item, title="Y", by=lib.kaznu_librarian),
                 lambda: services.resource_delete(resource=item, by=lib.kaznu_librarian),
                 lambda: services.file_add(resource=item, upload=pdf_upload(), by=lib.kaznu_librarian),
                 lambda: services.file_add(resource=item, upload=pdf_upload(), by=lib.student)):
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.status == 404
    item.refresh_from_db()
    assert item.title == "Қазақстан тарихы" and item.files.count() == 0


def test_update_changes_only_given_fields_and_moves_the_datestamp(lib):
    item = lib.record()
    stamp = item.modified_at
    updated = services.resource_update(resource=item, title="Қазақстан тарихы (2-басылым)", issued="2022", by=lib.librarian)
    assert updated.title.endswith("(2-басылым)") and updated.year == 2022 and updated.language == "kk"
    assert updated.modified_at > stamp
    log = AuditLog.objects.filter(action="library.resource.update").last()
    assert set(log.after) == {"title", "issued"}
    again = services.resource_update(resource=updated, title=updated.title, by=lib.librarian)  # nothing changed
    assert again.modified_at == updated.modified_at


def test_update_refuses_bad_values_and_another_universitys_collection(lib):
    item = lib.record()
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.resource_update(resource=item, title=" ", doi="not-a-doi", collection=lib.kaznu_collection, by=lib.librarian)
    assert set(caught.value.fields) == {"title", "doi", "collection"}
    item.refresh_from_db()
    assert item.title == "Қазақстан тарихы" and item.collection == lib.collection


def found(q):
    from bilim.search import engine

    return [int(hit.key) for hit in engine.search("library", q).hits]


def test_delete_keeps_a_tombstone_and_removes_files(lib):
    item = lib.record()
    added = services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    stored = added.file.name
    assert default_storage.exists(stored)
    before = item.modified_at
    services.resource_delete(resource=item, by=lib.librarian)
    item.refresh_from_db()
    assert item.deleted_at is not None and item.modified_at >= before and item.modified_at == item.deleted_at
    assert not ResourceFile.objects.filter(resource=item).exists()
    with pytest.raises(DomainError) as caught:
        services.resource_update(resource=item, title="Z", by=lib.librarian)
    assert caught.value.code == "deleted"
    assert item.pk not in found("Қазақстан тарихы")


def test_delete_removes_the_blob_after_commit(lib, django_capture_on_commit_callbacks):
    item = lib.record()
    added = services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_delete(resource=item, by=lib.librarian)
    assert not default_storage.exists(added.file.name)


def test_file_add_stores_queues_and_sets_the_format(lib):
    item = lib.record()
    stamp = item.modified_at
    added = services.file_add(resource=item, upload=pdf_upload("Тарих.pdf"), by=lib.librarian)
    assert added.mime == "application/pdf" and added.original_name == "Тарих.pdf" and added.status == "pending"
    assert added.file.name.startswith(f"library/{lib.enu.pk}/{item.pk}/") and added.file.name.endswith(".pdf")
    assert ExtractionTask.objects.filter(file=added).exists()
    item.refresh_from_db()
    assert item.format == "application/pdf" and item.modified_at > stamp


def test_refused_file_is_not_stored_and_nothing_changes(lib, tmp_path):
    item = lib.record()
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.file_add(resource=item, upload=SimpleUploadedFile("x.pdf", samples.docx("a", ["b"])), by=lib.librarian)
    assert caught.value.fields["file"].startswith("its content (DOCX) does not match")
    assert not ResourceFile.objects.exists() and not ExtractionTask.objects.exists()
    media = tmp_path / "media" / "library"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_same_file_twice_is_refused(lib):
    item = lib.record()
    services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    assert caught.value.code == "duplicate_file" and caught.value.fields["file"] == "The record already has this file."


def test_worker_extracts_pdf_epub_docx_and_reindexes(lib):
    item = lib.record()
    assert found("Абай") == []
    pdf = services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    epub = services.file_add(resource=item, upload=epub_upload(), by=lib.librarian)
    docx = services.file_add(resource=item, upload=docx_upload(), by=lib.librarian)
    assert worker.drain() == 3
    for f in (pdf, epub, docx):
        f.refresh_from_db()
        assert f.status == "done" and f.extracted_text and f.extracted_at
    assert "оқулықтарының" in pdf.extracted_text and "Абай" in epub.extracted_text and "Экожүйелер" in docx.extracted_text
    assert not ExtractionTask.objects.exists()
    text = indexing.full_text(item)
    assert "оқулықтарының" in text and "Абай" in text
    # the full text is in the index: words from each file find the record, Latin Kazakh too
    assert found("Абай") == [item.pk] and found("oqulyq") == [item.pk] and found("экожүйелер") == [item.pk]


def test_extraction_failure_is_recorded_and_can_be_retried(lib):
    item = lib.record()
    added = services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    with default_storage.open(added.file.name, "wb") as handle:  # the stored file got damaged on disk
        handle.write(b"%PDF-1.4 garbage")
    worker.drain()
    added.refresh_from_db()
    assert added.status == "failed" and added.failure_code == "damaged"
    with pytest.raises(DomainError):
        services.file_retry(file=added, by=lib.kaznu_librarian)
    services.file_retry(file=added, by=lib.librarian)
    added.refresh_from_db()
    assert added.status == "pending" and ExtractionTask.objects.filter(file=added).exists()
    with pytest.raises(DomainError) as caught:
        services.file_retry(file=added, by=lib.librarian)
    assert caught.value.code == "not_failed"


def test_missing_stored_file_fails_with_missing(lib):
    item = lib.record()
    added = services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    default_storage.delete(added.file.name)
    worker.drain()
    added.refresh_from_db()
    assert added.status == "failed" and added.failure_code == "missing"


def test_claimed_task_is_not_taken_twice_until_its_lease_expires(lib):
    item = lib.record()
    services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    first = worker.claim()
    assert len(first) == 1 and worker.claim() == []
    ExtractionTask.objects.update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert worker.claim() == first


def test_unexpected_errors_are_retried_then_marked_failed(lib, monkeypatch):
    item = lib.record()
    added = services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)

    def boom(data, mime):
        raise MemoryError("out of memory")

    monkeypatch.setattr("bilim.library.files.extract", boom)
    for attempt in range(worker.MAX_ATTEMPTS):
        ExtractionTask.objects.update(claimed_until=None)
        worker.drain_extractions()
    added.refresh_from_db()
    assert added.status == "failed" and added.failure_code == "error"


def test_file_remove_updates_the_format(lib):
    item = lib.record()
    first = services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    services.file_add(resource=item, upload=epub_upload(), by=lib.librarian)
    services.file_remove(file=first, by=lib.librarian)
    item.refresh_from_db()
    assert item.format == "application/epub+zip" and item.files.count() == 1


def test_collections(lib):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.collection_create(university=lib.enu, code="textbooks", name_kk="", name_ru="", by=lib.librarian)
    assert caught.value.fields == {"name_kk": "Enter the name in Kazakh.", "name_ru": "Enter the name in Russian."}
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.collection_create(university=lib.enu, code="Жаңа код", name_kk="a", name_ru="b", by=lib.librarian)
    assert "Latin letters" in caught.value.fields["code"]
    with pytest.raises(DomainError) as caught:
        services.collection_create(university=lib.enu, code="new", name_kk="a", name_ru="b", by=lib.kaznu_librarian)
    assert caught.value.status == 404
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.collection_create(university=lib.demo.esil, code="new", name_kk="a", name_ru="b", by=None)
    assert caught.value.fields["university"] == "Collections belong to universities."
    made = services.collection_create(university=lib.enu, code="theses", name_kk="Диссертациялар", name_ru="Диссертации", by=lib.librarian)
    services.collection_update(collection=made, code="theses-2", name_kk="Диссертациялар", name_ru="Диссертации", name_en="Theses",
                               by=lib.librarian)
    assert Collection.objects.get(pk=made.pk).code == "theses-2"


def test_duplicate_collection_code_is_refused(lib):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.collection_create(university=lib.enu, code="textbooks", name_kk="a", name_ru="b", by=lib.librarian)
    assert caught.value.fields == {"code": "The university already has a collection with this code."}


def test_subscriptions_belong_to_the_association(lib):
    today = timezone.localdate()
    with pytest.raises(DomainError) as caught:
        services.subscription_create(institution=lib.yassawi, starts=today, ends=today, by=lib.librarian)
    assert caught.value.status == 404
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.subscription_create(institution=lib.yassawi, starts=today, ends=today - dt.timedelta(days=1), by=lib.ministry)
    assert caught.value.fields == {"ends": "The end cannot be before the start."}
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.subscription_create(institution=lib.kaznu, starts=today, ends=today, by=lib.ministry)
    assert "overlapping" in caught.value.fields["starts"]
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.subscription_create(institution=lib.demo.esil, starts=today, ends=today, by=lib.ministry)
    assert caught.value.fields == {"institution": "Choose an organization."}
    sub = services.subscription_end(subscription=lib.subscription, ends=today, by=lib.ministry)
    assert sub.ends == today


def test_harvested_records_are_unique_per_source(lib):
    from bilim.library.models import HarvestSource

    source = HarvestSource.objects.create(collection=lib.collection, base_url="https://repo.example.kz/oai")
    first = services.resource_create(collection=lib.collection, title="A", type="article", language="en", harvest_source=source,
                                     source_identifier="oai:repo:1", by=None)
    assert first.source_identifier == "oai:repo:1"
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.resource_create(collection=lib.collection, title="B", type="article", language="en", harvest_source=source,
                                 source_identifier="oai:repo:1", by=None)
    assert caught.value.fields == {"source_identifier": "This record was already harvested from this source."}


def test_worker_and_reindex_commands(lib):
    from io import StringIO

    from django.core.management import call_command

    item = lib.record(title="Экономикалық теория")
    services.file_add(resource=item, upload=pdf_upload(), by=lib.librarian)
    out = StringIO()
    call_command("library_worker", "--once", stdout=out)
    assert "tasks processed" in out.getvalue() and ResourceFile.objects.get().status == "done"
    from bilim.search import engine

    engine.remove("library", str(item.pk))
    assert found("экономикалық") == []
    out = StringIO()
    call_command("library_reindex", stdout=out)
    assert out.getvalue().startswith("1 records") and found("экономикалық") == [item.pk] and found("oqulyq") == [item.pk]
