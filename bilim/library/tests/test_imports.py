"""Bulk import from CSV and XLSX: every bad row is reported by number and field (unknown type or
language, missing title, bad ISBN or date, duplicates), nothing is imported until the librarian
confirms importing only the good rows; cancelling imports nothing; file-level problems are refused
at upload."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bilim.core.errors import DomainError
from bilim.library import services
from bilim.library.models import ImportJob, Resource

pytestmark = pytest.mark.django_db

CSV = (
    "title;creators;type;language;issued;isbn;access;subjects\n"
    "Қазақстан тарихы;Әбенов, Серік;Оқулық;kk;2021;978-0-306-40615-7;subscribers;тарих\n"  # 2: good
    ";Исаева, Айгүл;textbook;kk;2020;;open;\n"  # 3: no title
    "Роман;;novel;ru;2019;;open;\n"  # 4: unknown type
    "Book;;monograph;klingon;2019;;open;\n"  # 5: unknown language
    "Bad ISBN;;article;en;2019;978-0-306-40615-8;open;\n"  # 6: bad ISBN check digit
    "Bad date;;article;en;2019-13-01;;open;\n"  # 7: bad date
    ";;;;;;;\n"  # 8: empty, skipped
    "Қайталау;;textbook;kk;2021;9780306406157;open;\n"  # 9: the same ISBN as row 2
    "Physics;Smith, John;учебник;English;2018;;open;\"physics; mechanics\"\n"  # 10: good (aliases)
    "Split;;article;en;2018;;open;a;b\n"  # 11: one cell too many
)


def upload(name, data):
    return SimpleUploadedFile(name, data if isinstance(data, bytes) else data.encode("utf-8"))


def run(job, limit=3):
    while True:
        job = services.import_step(job=job, limit=limit)
        if job.status not in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING):
            return job


def test_csv_rows_checked_in_chunks_every_bad_row_reported_nothing_imported(lib):
    with translation.override("en"):
        job = services.import_start(collection=lib.collection, upload=upload("records.csv", CSV), by=lib.librarian)
    assert job.total_rows == 9 and job.status == "checking" and job.language == "en"
    job = services.import_step(job=job, limit=3)
    assert job.checked_rows == 3 and job.status == "checking"
    job = run(job)
    assert job.status == "checked" and (job.good_rows, job.bad_rows) == (2, 7)
    problems = {(r.number, e["field"]): e["message"] for r in job.rows.all() for e in r.errors}
    assert problems == {
        (3, "title"): "Enter the title.",
        (4, "type"): problems[(4, "type")], (5, "language"): problems[(5, "language")],
        (6, "isbn"): "The ISBN check digit is wrong.",
        (7, "issued"): "This date does not exist.",
        (9, "isbn"): "The same ISBN is in row 2.",
        (11, "row"): problems[(11, "row")],
    }
    assert problems[(11, "row")].startswith("The row has 9 cells")
    assert problems[(4, "type")].startswith("Unknown type «novel»") and problems[(5, "language")].startswith("Unknown language «klingon»")
    assert Resource.objects.count() == 0  # nothing before the confirmation


def test_confirm_imports_only_the_good_rows(lib):
    job = run(services.import_start(collection=lib.collection, upload=upload("records.csv", CSV), by=lib.librarian))
    with pytest.raises(DomainError):
        services.import_confirm(job=job, by=lib.kaznu_librarian)
    job = services.import_confirm(job=job, by=lib.librarian)
    assert job.status == "importing"
    job = run(job, limit=1)
    assert job.status == "done" and job.imported_rows == 2
    titles = sorted(Resource.objects.values_list("title", flat=True))
    assert titles == ["Physics", "Қазақстан тарихы"]
    physics = Resource.objects.get(title="Physics")
    assert physics.type == "textbook" and physics.language == "en" and physics.subjects == ["physics", "mechanics"]
    assert physics.created_by == lib.librarian and physics.university == lib.enu
    history = Resource.objects.get(title="Қазақстан тарихы")
    assert history.access == "subscribers" and history.isbn == "9780306406157"
    with pytest.raises(DomainError) as caught:
        services.import_confirm(job=job, by=lib.librarian)
    assert caught.value.status == 409


def test_cancel_imports_nothing(lib):
    job = run(services.import_start(collection=lib.collection, upload=upload("records.csv", CSV), by=lib.librarian))
    services.import_cancel(job=job, by=lib.librarian)
    job.refresh_from_db()
    assert job.status == "cancelled" and not job.rows.exists() and Resource.objects.count() == 0
    assert services.import_step(job=job).status == "cancelled"


def test_confirming_before_the_check_ends_is_refused(lib):
    job = services.import_start(collection=lib.collection, upload=upload("records.csv", CSV), by=lib.librarian)
    with pytest.raises(DomainError) as caught:
        services.import_confirm(job=job, by=lib.librarian)
    assert caught.value.code == "import_not_checked"


def test_all_bad_rows_cannot_be_confirmed(lib):
    job = run(services.import_start(collection=lib.collection, upload=upload("bad.csv", "title,type,language\n,x,y\n"), by=lib.librarian))
    assert job.good_rows == 0
    with pytest.raises(DomainError) as caught:
        services.import_confirm(job=job, by=lib.librarian)
    assert caught.value.code == "import_nothing"


def test_xlsx_with_localized_headers_and_typed_cells(lib):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Атауы", "Авторлар", "Түрі", "Тілі", "Жылы", "ISBN"])
    sheet.append(["Органикалық химия", "Жұмабаева, Гүлнар", "оқу құралы", "қазақ", 2019, 9780306406157])
    sheet.append(["Без языка", None, "monograph", None, 2020.0, None])
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("ru"):
        job = services.import_start(collection=lib.collection, upload=upload("records.xlsx", buffer.getvalue()), by=lib.librarian)
    job = run(job)
    assert (job.total_rows, job.good_rows, job.bad_rows) == (2, 1, 1)
    bad = job.rows.get(number=3)
    assert [e["field"] for e in bad.errors] == ["language"]
    job = run(services.import_confirm(job=job, by=lib.librarian))
    item = Resource.objects.get()
    assert (item.type, item.language, item.year, item.isbn) == ("manual", "kk", 2019, "9780306406157")


def test_an_identifier_already_in_the_collection_is_a_bad_row(lib):
    lib.record(isbn="9780306406157")
    with translation.override("en"):
        job = run(services.import_start(collection=lib.collection, upload=upload("r.csv", "title,type,language,isbn\nA,textbook,kk,978-0-306-40615-7\n"),
                                        by=lib.librarian))
    assert job.rows.get().errors == [{"field": "isbn", "message": "A record with this ISBN is already in the collection."}]


@pytest.mark.parametrize("name, data, reason", [
    ("records.txt", "title\nA\n", "only CSV and XLSX"),
    ("records.csv", "", "the file is empty"),
    ("records.csv", "titel,type,language\nA,textbook,kk\n", "unknown columns: titel"),
    ("records.csv", "title,creators\nA,B\n", "missing: type, language"),
    ("records.csv", "title,type,language,title\nA,textbook,kk,B\n", "columns given twice: title"),
    ("records.csv", "title,type,language\n", "no rows under the header"),
    ("records.xlsx", "title,type,language\nA,textbook,kk\n", "does not match the extension .xlsx"),
    ("records.xlsx", b"PK\x03\x04broken", "damaged"),
])
def test_file_level_problems_are_refused_at_upload(lib, name, data, reason):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.import_start(collection=lib.collection, upload=upload(name, data), by=lib.librarian)
    assert reason in caught.value.fields["file"]
    assert not ImportJob.objects.exists()


def test_cp1251_csv_and_comma_delimiter(lib):
    data = "title,type,language\nУчебник физики,textbook,ru\n".encode("cp1251")
    job = run(services.import_start(collection=lib.collection, upload=upload("r.csv", data), by=lib.librarian))
    assert job.good_rows == 1 and job.rows.get().data["title"] == "Учебник физики"


def test_other_university_librarian_cannot_start(lib):
    with pytest.raises(DomainError) as caught:
        services.import_start(collection=lib.collection, upload=upload("r.csv", CSV), by=lib.kaznu_librarian)
    assert caught.value.status == 404
