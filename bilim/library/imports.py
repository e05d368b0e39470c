"""Reading bulk-import files (CSV or XLSX) and checking their rows.

The first row names the columns, by our field codes or their usual Kazakh, Russian and English
names (``title`` / «Атауы» / «Название» …); ``title``, ``type`` and ``language`` are required
columns. Lists (authors, subjects) are separated by semicolons. Every row is checked with the same
rules as the record form (``metadata.clean``), plus duplicates: an ISBN or DOI already in the
collection or earlier in the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from bilim.core.errors import DomainError

from . import metadata
from .files import safe_name
from .models import Collection, ImportJob, Resource

MAX_ROWS = 50_000
EXTRA = "_cells"  # set on a row with more filled cells than the header has columns
REQUIRED = ("title", "type", "language")
HEADER_ALIASES = {
    "title": ["title", "атауы", "атау", "название", "заглавие", "dc:title"],
    "creators": ["creators", "creator", "authors", "author", "авторлар", "авторы", "автор", "dc:creator"],
    "subjects": ["subjects", "subject", "keywords", "тақырыптар", "кілт сөздер", "ключевые слова", "рубрики", "dc:subject"],
    "description": ["description", "abstract", "сипаттама", "аңдатпа", "аннотация", "описание", "dc:description"],
    "publisher": ["publisher", "баспа", "издательство", "dc:publisher"],
    "issued": ["issued", "date", "year", "жылы", "күні", "дата", "год", "год издания", "dc:date"],
    "type": ["type", "түрі", "тип", "вид", "dc:type"],
    "language": ["language", "тілі", "язык", "dc:language"],
    "isbn": ["isbn"],
    "doi": ["doi"],
    "url": ["url", "link", "identifier", "сілтеме", "ссылка", "dc:identifier"],
    "rights": ["rights", "license", "licence", "құқықтар", "лицензия", "права", "dc:rights"],
    "access": ["access", "қолжетімділік", "доступ"],
    "embargo_until": ["embargo_until", "embargo", "эмбарго"],
}
_HEADERS = {alias.casefold(): field for field, aliases in HEADER_ALIASES.items() for alias in aliases}


def _refuse(message: str, code: str = "invalid_import") -> DomainError:
    return DomainError(code, _("The file was not accepted: %(reason)s") % {"reason": message}, fields={"file": message})


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\x00", "").strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(_("the CSV file is not in UTF-8 (or Windows-1251) text."))


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise _refuse(_("this is not a CSV text file."))
    # the header row decides the delimiter (Excel in Kazakhstan and Russia saves CSV with ";")
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header.count) if any(d in header for d in ";,\t") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        raise _refuse(_("the CSV file cannot be read (a quote is not closed?).")) from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise _refuse(_("the XLSX workbook is damaged and cannot be opened.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_upload(upload) -> tuple[str, str, list[tuple[int, dict]]]:
    """``(file name, "csv"|"xlsx", [(row number, {field: text})])``; the header is row 1 and empty
    rows are skipped (numbers stay those of the file)."""
    if upload is None:
        raise _refuse(_("choose a file."))
    name = safe_name(getattr(upload, "name", "") or "")
    extension = PurePath(name).suffix.lower()
    if extension not in (".csv", ".xlsx"):
        raise _refuse(_("only CSV and XLSX files are accepted."), "file_type")
    limit = int(settings.LIBRARY_MAX_UPLOAD_MB) * 1024 * 1024
    if (getattr(upload, "size", 0) or 0) > limit:
        raise _refuse(_("the file is larger than %(limit)s MB.") % {"limit": settings.LIBRARY_MAX_UPLOAD_MB}, "file_too_large")
    upload.seek(0)
    data = upload.read()
    if not data:
        raise _refuse(_("the file is empty."), "file_empty")
    if extension == ".xlsx":
        if not data.startswith(b"PK\x03\x04"):
            raise _refuse(_("its content does not match the extension %(extension)s.") % {"extension": extension}, "file_mismatch")
        table = _xlsx_rows(data)
    else:
        if data.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
            raise _refuse(_("its content does not match the extension %(extension)s.") % {"extension": extension}, "file_mismatch")
        table = _csv_rows(data)
    while table and not any(table[0]):
        table.pop(0)
    if not table:
        raise _refuse(_("the file is empty."), "file_empty")
    header = [h.strip().casefold() for h in table[0]]
    fields: list[str | None] = []
    unknown = []
    for title in header:
        field = _HEADERS.get(title)
        if title and field is None:
            unknown.append(title)
        fields.append(field)
    if unknown:
        raise _refuse(_("unknown columns: %(columns)s. Known columns: %(known)s.") % {
            "columns": ", ".join(unknown), "known": ", ".join(HEADER_ALIASES)}, "import_columns")
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        raise _refuse(_("the first row must name the columns; missing: %(columns)s.") % {"columns": ", ".join(missing)}, "import_columns")
    repeated = sorted({f for f in fields if f and fields.count(f) > 1})
    if repeated:
        raise _refuse(_("columns given twice: %(columns)s.") % {"columns": ", ".join(repeated)}, "import_columns")
    rows = []
    for offset, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        data_row = {field: (cells[i] if i < len(cells) else "") for i, field in enumerate(fields) if field}
        extra = [c for c in cells[len(fields):] if c.strip()]
        if extra:
            data_row[EXTRA] = len(fields) + len(extra)
        rows.append((offset, data_row))
    if not rows:
        raise _refuse(_("the file has no rows under the header."), "file_empty")
    if len(rows) > MAX_ROWS:
        raise _refuse(_("at most %(max)s rows in one import; split the file.") % {"max": MAX_ROWS}, "import_too_many")
    return name, extension.lstrip("."), rows


def seen_identifiers(job: ImportJob) -> dict[str, int]:
    """ISBNs and DOIs of the rows checked so far (good ones), with the row they first appear in."""
    seen: dict[str, int] = {}
    for number, data in job.rows.filter(checked=True, errors=[]).order_by("number").values_list("number", "data"):
        for key in _identifiers(data):
            seen.setdefault(key, number)
    return seen


def _identifiers(data: dict) -> list[str]:
    keys = []
    if data.get("isbn"):
        keys.append("isbn:" + metadata.isbn_normalize(str(data["isbn"])))
    if data.get("doi"):
        keys.append("doi:" + metadata.doi_normalize(str(data["doi"])).lower())
    return keys


def row_errors(data: dict, collection: Collection, seen: dict[str, int], number: int | None = None) -> list[dict[str, str]]:
    """The problems of one row as ``[{"field", "message"}]`` (empty: the row is good)."""
    values, errors = metadata.clean(data)
    problems = [{"field": field, "message": message} for field, message in errors.items()]
    if data.get(EXTRA):
        problems.insert(0, {"field": "row", "message": _("The row has %(cells)s cells but the header names fewer columns "
                                                          "(a separator inside a value must be in quotes).") % {"cells": data[EXTRA]}})
    for key in _identifiers(data):
        field, value = key.split(":", 1)
        if field in errors:
            continue
        existing = Resource.objects.filter(collection=collection, deleted_at__isnull=True)
        existing = existing.filter(isbn=value) if field == "isbn" else existing.filter(doi__iexact=value)
        if existing.exists():
            problems.append({"field": field, "message": _("A record with this %(field)s is already in the collection.") % {"field": field.upper()}})
        elif key in seen:
            problems.append({"field": field, "message": _("The same %(field)s is in row %(row)s.") % {"field": field.upper(), "row": seen[key]}})
    if not problems and number is not None:
        for key in _identifiers(data):
            seen.setdefault(key, number)
    return problems
