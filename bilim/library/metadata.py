"""Checking and normalizing a record's Dublin Core metadata: the one place the record form, the API,
the bulk import and the OAI-PMH harvester all go through, so each bad value gets the same message
naming its field.

``clean(data)`` returns ``(values, errors)``: ``values`` hold the normalized fields that were given
and valid, ``errors`` map a field name to the reason, in the user's language."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core.kazakh import fold

from .models import Access, Language, ResourceType

# The fields of a record a person or a program may set, in the order forms and imports show them.
FIELDS = ("title", "creators", "subjects", "description", "publisher", "issued", "type", "language", "isbn", "doi", "url",
          "rights", "access", "embargo_until")
LIST_FIELDS = ("creators", "subjects")
MAX_LENGTH = {"title": 1000, "description": 20000, "publisher": 500, "rights": 500, "url": 1000}
MAX_ITEMS, MAX_ITEM_LENGTH = 50, 300

ISSUED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")

# Words people and other repositories use for our types and languages (folded: lower case, Kazakh
# letters kept). The codes themselves always match.
TYPE_ALIASES = {
    ResourceType.TEXTBOOK: ["оқулық", "учебник", "textbook"],
    ResourceType.MANUAL: ["оқу құралы", "оку куралы", "учебное пособие", "пособие", "manual", "study guide", "manual / study guide"],
    ResourceType.MONOGRAPH: ["монография", "monograph", "book"],
    ResourceType.ARTICLE: ["мақала", "статья", "научная статья", "ғылыми мақала", "article", "journal article"],
    ResourceType.TMC: ["оқу-әдістемелік кешен", "оәк", "учебно-методический комплекс", "умк", "teaching and methodological complex", "umk"],
    ResourceType.THESIS: ["диссертация", "диплом", "дипломдық жұмыс", "thesis", "dissertation", "doctoral thesis", "master's thesis"],
}
LANGUAGE_ALIASES = {
    Language.KK: ["kaz", "kk-kz", "қазақ", "қазақша", "қазақ тілі", "казахский", "kazakh", "qazaq"],
    Language.RU: ["rus", "ru-ru", "орыс", "орысша", "орыс тілі", "русский", "russian"],
    Language.EN: ["eng", "en-us", "en-gb", "ағылшын", "английский", "english"],
    Language.TR: ["tur", "түрік", "турецкий", "turkish"],
    Language.DE: ["ger", "deu", "неміс", "немецкий", "german"],
    Language.FR: ["fre", "fra", "француз", "французский", "french"],
    Language.ZH: ["chi", "zho", "қытай", "китайский", "chinese"],
    Language.UZ: ["uzb", "өзбек", "узбекский", "uzbek"],
    Language.KY: ["kir", "қырғыз", "киргизский", "кыргызский", "kyrgyz"],
}
ACCESS_ALIASES = {
    Access.OPEN: ["ашық", "открытый", "open access"],
    Access.SUBSCRIBERS: ["subscriber", "абоненттер", "подписчики"],
    Access.UNIVERSITY: ["university only", "тек университет", "только университет"],
}


def _key(value: str) -> str:
    return " ".join(fold(unicodedata.normalize("NFC", value)).split())


def _alias_table(aliases: Mapping[str, list[str]], choices) -> dict[str, str]:
    table = {}
    for code, label in choices:
        table[_key(code)] = code
    for code, words in aliases.items():
        for word in words:
            table[_key(word)] = code
    return table


_TYPES = _alias_table(TYPE_ALIASES, ResourceType.choices)
_LANGUAGES = _alias_table(LANGUAGE_ALIASES, Language.choices)
_ACCESS = _alias_table(ACCESS_ALIASES, Access.choices)


def _localized_key_table(choices) -> dict[str, str]:
    """The labels of ``choices`` in every interface language (e.g. «Оқулық», «Учебник»)."""
    from django.utils import translation

    table = {}
    for language in ("kk", "ru", "en"):
        with translation.override(language):
            for code, label in choices:
                table[_key(str(label))] = code
    return table


def resolve(kind: str, value: Any) -> str | None:
    """The code of a type, language or access level written as its code, a usual alias, or its label
    in kk/ru/en; None if it is none of them."""
    if value is None:
        return None
    key = _key(str(value))
    if not key:
        return None
    table, choices = {"type": (_TYPES, ResourceType.choices), "language": (_LANGUAGES, Language.choices),
                      "access": (_ACCESS, Access.choices)}[kind]
    return table.get(key) or _localized_key_table(choices).get(key)


# --- identifiers -------------------------------------------------------------------------------------

def isbn_normalize(value: str) -> str:
    return re.sub(r"[\s\-‐‑–]", "", value.strip()).upper().removeprefix("ISBN").lstrip(":")


def isbn_error(value: str) -> str | None:
    """Why ``value`` (already normalized) is not a valid ISBN-10 or ISBN-13, or None."""
    if len(value) == 10 and re.fullmatch(r"\d{9}[\dX]", value):
        total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(value))
        return None if total % 11 == 0 else _("The ISBN check digit is wrong.")
    if len(value) == 13 and value.isdigit():
        if not value.startswith(("978", "979")):
            return _("An ISBN-13 starts with 978 or 979.")
        total = sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(value))
        return None if total % 10 == 0 else _("The ISBN check digit is wrong.")
    return _("An ISBN has 10 digits (the last may be X) or 13 digits.")


def doi_normalize(value: str) -> str:
    value = value.strip()
    for prefix in DOI_PREFIXES:
        if value.lower().startswith(prefix):
            return value[len(prefix):].strip()
    return value


def parse_issued(value: str) -> tuple[str, int] | str:
    """``(normalized, year)`` of a DC date YYYY, YYYY-MM or YYYY-MM-DD, or the reason it is not one."""
    match = ISSUED.fullmatch(value.strip())
    if not match:
        return _("Enter the date as YYYY, YYYY-MM or YYYY-MM-DD.")
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return _("This date does not exist.")
    latest = timezone.localdate().year + 1
    if not 1000 <= int(year) <= latest:
        return _("The year must be from 1000 to %(latest)s.") % {"latest": latest}
    return value.strip(), int(year)


# --- the whole record ----------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 2024 arrives as 2024.0
    return unicodedata.normalize("NFC", str(value)).replace("\x00", "").strip()


def split_list(value: Any) -> list[str]:
    """A list of names or subjects from a list, or from text separated by semicolons or new lines."""
    if value is None:
        return []
    items: Iterable[Any] = value if isinstance(value, (list, tuple)) else re.split(r"[;\n]", str(value))
    seen, result = set(), []
    for item in items:
        text = " ".join(_text(item).split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            result.append(text)
    return result


def clean(data: Mapping[str, Any], *, partial: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the fields in ``data`` (all of them unless ``partial``: then only those given)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    given = [f for f in FIELDS if f in data] if partial else list(FIELDS)

    for name in given:
        raw = data.get(name)
        if name in LIST_FIELDS:
            items = split_list(raw)
            if len(items) > MAX_ITEMS:
                errors[name] = _("At most %(max)s entries.") % {"max": MAX_ITEMS}
            elif any(len(item) > MAX_ITEM_LENGTH for item in items):
                errors[name] = _("Each entry is at most %(max)s characters.") % {"max": MAX_ITEM_LENGTH}
            else:
                values[name] = items
            continue
        if name == "embargo_until":
            if raw in (None, ""):
                values[name] = None
            elif isinstance(raw, dt.datetime):
                values[name] = raw.date()
            elif isinstance(raw, dt.date):
                values[name] = raw
            else:
                try:
                    values[name] = dt.date.fromisoformat(_text(raw))
                except ValueError:
                    errors[name] = _("Enter a date as YYYY-MM-DD.")
            continue
        text = _text(raw)
        if name != "description":
            text = " ".join(text.split())
        if name in MAX_LENGTH and len(text) > MAX_LENGTH[name]:
            errors[name] = _("At most %(max)s characters.") % {"max": MAX_LENGTH[name]}
            continue
        if name == "title":
            if not text:
                errors[name] = _("Enter the title.")
                continue
        elif name == "issued":
            if text:
                parsed = parse_issued(text)
                if isinstance(parsed, str):
                    errors[name] = parsed
                    continue
                text = parsed[0]
        elif name in ("type", "language", "access"):
            if not text and name == "access":
                text = Access.OPEN
            code = resolve(name, text) if text else None
            if code is None:
                choices = {"type": ResourceType, "language": Language, "access": Access}[name]
                if not text:
                    errors[name] = {"type": _("Choose the type."), "language": _("Choose the language.")}[name]
                else:
                    allowed = ", ".join(choices.values)
                    errors[name] = {
                        "type": _("Unknown type «%(value)s». Allowed: %(allowed)s."),
                        "language": _("Unknown language «%(value)s». Allowed: %(allowed)s."),
                        "access": _("Unknown access level «%(value)s». Allowed: %(allowed)s."),
                    }[name] % {"value": text[:50], "allowed": allowed}
                continue
            text = code
        elif name == "isbn":
            if text:
                text = isbn_normalize(text)
                reason = isbn_error(text)
                if reason:
                    errors[name] = reason
                    continue
        elif name == "doi":
            if text:
                text = doi_normalize(text)
                if len(text) > 255 or not DOI.fullmatch(text):
                    errors[name] = _("A DOI looks like 10.1234/abc (the prefix 10., a registrant code of 4–9 digits, a slash, a suffix).")
                    continue
        elif name == "url":
            if text:
                try:
                    URLValidator(schemes=["http", "https"])(text)
                except ValidationError:
                    errors[name] = _("Enter a web address starting with http:// or https://.")
                    continue
        values[name] = text
    if "issued" in values:
        values["year"] = int(values["issued"][:4]) if values["issued"] else None
    return values, errors
