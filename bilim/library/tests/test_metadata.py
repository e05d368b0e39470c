"""Record metadata: every bad value gets a message naming its field; good values are normalized."""

import datetime as dt

import pytest
from django.utils import translation

from bilim.library import metadata


def clean(**data):
    base = {"title": "Оқулық", "type": "textbook", "language": "kk"}
    return metadata.clean(base | data)


@pytest.mark.parametrize("isbn, normalized", [
    ("978-601-7000-00-0", None), ("9786017000000", None), ("0-306-40615-2", "0306406152"), ("ISBN 978-0-306-40615-7", "9780306406157"),
    ("080442957X", "080442957X"), ("080442957x", "080442957X"),
])
def test_isbn_valid_forms(isbn, normalized):
    value = metadata.isbn_normalize(isbn)
    if normalized:
        assert value == normalized
    if metadata.isbn_error(value) is None:
        values, errors = clean(isbn=isbn)
        assert not errors and values["isbn"] == value


@pytest.mark.parametrize("isbn, reason", [
    ("978-0-306-40615-8", "check digit"), ("0-306-40615-3", "check digit"), ("12345", "10 digits"), ("977-0-306-40615-7", "978 or 979"),
    ("97803064061X7", "10 digits"),
])
def test_isbn_refused_with_the_reason(isbn, reason):
    with translation.override("en"):
        values, errors = clean(isbn=isbn)
    assert "isbn" not in values and reason in errors["isbn"]


def test_valid_isbn_examples():
    assert metadata.isbn_error("9780306406157") is None
    assert metadata.isbn_error("0306406152") is None
    assert metadata.isbn_error("080442957X") is None


@pytest.mark.parametrize("doi, expected", [
    ("10.1000/182", "10.1000/182"), ("https://doi.org/10.48081/ABC.2021.1", "10.48081/ABC.2021.1"), ("doi:10.1234/x(1)", "10.1234/x(1)"),
])
def test_doi_normalized(doi, expected):
    values, errors = clean(doi=doi)
    assert not errors and values["doi"] == expected


@pytest.mark.parametrize("doi", ["10.12/x", "11.1000/182", "10.1000", "10.1000/ has space", "doi.org/10.1000/1"])
def test_doi_refused(doi):
    with translation.override("en"):
        _values, errors = clean(doi=doi)
    assert "DOI looks like" in errors["doi"]


@pytest.mark.parametrize("issued, year", [("2021", 2021), ("2021-05", 2021), ("2020-02-29", 2020), ("", None)])
def test_issued_and_year(issued, year):
    values, errors = clean(issued=issued)
    assert not errors and values["year"] == year and values["issued"] == issued


@pytest.mark.parametrize("issued, reason", [
    ("21.05.2021", "YYYY"), ("2021-13", "does not exist"), ("2021-02-30", "does not exist"), ("0999", "from 1000"),
    (str(dt.date.today().year + 2), "from 1000"), ("2021-5", "YYYY"),
])
def test_issued_refused(issued, reason):
    with translation.override("en"):
        _values, errors = clean(issued=issued)
    assert reason in errors["issued"]


def test_required_title_type_language():
    with translation.override("en"):
        _values, errors = metadata.clean({"title": "  ", "type": "", "language": ""})
    assert errors == {"title": "Enter the title.", "type": "Choose the type.", "language": "Choose the language."}


def test_unknown_type_and_language_name_the_allowed_values():
    with translation.override("en"):
        _values, errors = clean(type="novel", language="klingon")
    assert errors["type"].startswith("Unknown type «novel». Allowed: textbook, manual")
    assert errors["language"].startswith("Unknown language «klingon». Allowed: kk, ru, en")


@pytest.mark.parametrize("given, code", [
    ("Оқулық", "textbook"), ("учебник", "textbook"), ("Учебное пособие", "manual"), ("УМК", "tmc"), ("Dissertation", "thesis"),
    ("ОҚУ-ӘДІСТЕМЕЛІК КЕШЕН", "tmc"), ("Monograph", "monograph"),
])
def test_type_aliases(given, code):
    assert metadata.resolve("type", given) == code


@pytest.mark.parametrize("given, code", [("kaz", "kk"), ("Қазақша", "kk"), ("русский", "ru"), ("English", "en"), ("tur", "tr"), ("KK", "kk")])
def test_language_aliases(given, code):
    assert metadata.resolve("language", given) == code


def test_lists_split_on_semicolons_and_lines_and_deduplicated():
    values, errors = clean(creators="Әбенов, Серік; Исаева, Айгүл\nӘБЕНОВ, СЕРІК", subjects=["тарих", " тарих ", ""])
    assert not errors
    assert values["creators"] == ["Әбенов, Серік", "Исаева, Айгүл"] and values["subjects"] == ["тарих"]


def test_too_many_or_too_long_entries():
    with translation.override("en"):
        _values, errors = clean(creators=[f"Author {i}" for i in range(51)], subjects=["x" * 301])
    assert errors["creators"] == "At most 50 entries." and errors["subjects"] == "Each entry is at most 300 characters."


def test_url_embargo_and_access():
    with translation.override("en"):
        _values, errors = clean(url="ftp://x.kz/a", embargo_until="31.12.2030", access="everyone")
    assert "http" in errors["url"] and errors["embargo_until"] == "Enter a date as YYYY-MM-DD." and "access level" in errors["access"]
    values, errors = clean(url="https://enu.kz/lib/1", embargo_until="2030-12-31", access="")
    assert not errors and values["embargo_until"] == dt.date(2030, 12, 31) and values["access"] == "open"


def test_nul_characters_are_dropped_and_unicode_normalized():
    values, errors = clean(title="Оқу\x00лық", publisher="Фолиант")
    assert not errors and values["title"] == "Оқулық"
    decomposed = "Қазақ".replace("Қ", "К\u0328")  # not a real composition, must survive as text
    values, _errors = clean(title=decomposed)
    assert values["title"]


def test_partial_checks_only_given_fields():
    values, errors = metadata.clean({"isbn": "9780306406157"}, partial=True)
    assert errors == {} and values == {"isbn": "9780306406157"}


def test_messages_in_kazakh():
    with translation.override("kk"):
        _values, errors = clean(title="")
    assert errors["title"]
