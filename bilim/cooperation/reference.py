"""Reference data of the international office, kept as data: the ISO 3166-1 countries with kk/ru/en
names and the CIS flag (``data/countries.json``), and the languages offered in the questionnaire's
item 12 with kk/ru/en names.

Names are sorted in each language's own alphabetical order (Kazakh Cyrillic puts Ә after А, Ғ after
Г…), not by code point, which would send every Kazakh letter after Я."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.translation import get_language

DATA = Path(__file__).parent / "data" / "countries.json"
KAZAKHSTAN = "KZ"
STATELESS = "XX"

ALPHABETS = {
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
}


@dataclass(frozen=True)
class Country:
    code: str
    alpha3: str
    numeric: str
    name_kk: str
    name_ru: str
    name_en: str
    cis: str  # "member", "associate" or ""

    def name(self, language: str | None = None) -> str:
        return _localized(self, language)

    @property
    def is_cis(self) -> bool:
        return bool(self.cis)


def _language(language: str | None) -> str:
    code = (language or get_language() or "kk")[:2]
    return code if code in ("kk", "ru", "en") else "kk"


def _localized(item, language: str | None) -> str:
    code = _language(language)
    return getattr(item, f"name_{code}") or item.name_ru or item.name_en


def sort_key(text: str, language: str | None = None):
    """A key that orders ``text`` by the alphabet of ``language`` (Latin and others after it)."""
    alphabet = ALPHABETS.get(_language(language), "")
    key = []
    for char in text.lower():
        position = alphabet.find(char)
        key.append((0, position) if position >= 0 else (1, ord(char)))
    return key


@lru_cache(maxsize=1)
def _countries() -> dict[str, Country]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {row["code"]: Country(**row) for row in data["countries"]}


def countries() -> list[Country]:
    return list(_countries().values())


def country(code: str | None) -> Country | None:
    return _countries().get((code or "").upper())


def country_name(code: str | None, language: str | None = None) -> str:
    found = country(code)
    return found.name(language) if found else (code or "")


def is_country(code: str | None) -> bool:
    return country(code) is not None


def is_cis(code: str | None) -> bool:
    found = country(code)
    return bool(found and found.is_cis)


@lru_cache(maxsize=8)
def _country_choices(language: str, foreign_only: bool) -> tuple[tuple[str, str], ...]:
    rows = [c for c in _countries().values() if not (foreign_only and c.code == KAZAKHSTAN)]
    rows.sort(key=lambda c: sort_key(c.name(language), language))
    return tuple((c.code, c.name(language)) for c in rows)


def country_choices(language: str | None = None, *, foreign_only: bool = False) -> list[tuple[str, str]]:
    """(code, name) sorted by name in the language; ``foreign_only`` leaves Kazakhstan out (a
    foreigner's citizenship)."""
    return list(_country_choices(_language(language), foreign_only))


# --- languages (questionnaire item 12) -----------------------------------------------------------------

@dataclass(frozen=True)
class Language:
    code: str
    name_kk: str
    name_ru: str
    name_en: str

    def name(self, language: str | None = None) -> str:
        return _localized(self, language)


OTHER_LANGUAGE = "other"

LANGUAGES: tuple[Language, ...] = tuple(Language(*row) for row in (
    ("kk", "қазақ тілі", "казахский", "Kazakh"),
    ("ru", "орыс тілі", "русский", "Russian"),
    ("en", "ағылшын тілі", "английский", "English"),
    ("zh", "қытай тілі", "китайский", "Chinese"),
    ("tr", "түрік тілі", "турецкий", "Turkish"),
    ("ar", "араб тілі", "арабский", "Arabic"),
    ("fa", "парсы тілі", "персидский", "Persian"),
    ("ky", "қырғыз тілі", "киргизский", "Kyrgyz"),
    ("uz", "өзбек тілі", "узбекский", "Uzbek"),
    ("tg", "тәжік тілі", "таджикский", "Tajik"),
    ("tk", "түрікмен тілі", "туркменский", "Turkmen"),
    ("mn", "моңғол тілі", "монгольский", "Mongolian"),
    ("az", "әзірбайжан тілі", "азербайджанский", "Azerbaijani"),
    ("ug", "ұйғыр тілі", "уйгурский", "Uyghur"),
    ("tt", "татар тілі", "татарский", "Tatar"),
    ("ba", "башқұрт тілі", "башкирский", "Bashkir"),
    ("de", "неміс тілі", "немецкий", "German"),
    ("fr", "француз тілі", "французский", "French"),
    ("es", "испан тілі", "испанский", "Spanish"),
    ("it", "итальян тілі", "итальянский", "Italian"),
    ("pt", "португал тілі", "португальский", "Portuguese"),
    ("ko", "корей тілі", "корейский", "Korean"),
    ("ja", "жапон тілі", "японский", "Japanese"),
    ("hi", "хинди тілі", "хинди", "Hindi"),
    ("ur", "урду тілі", "урду", "Urdu"),
    ("ps", "пушту тілі", "пушту", "Pashto"),
    ("bn", "бенгал тілі", "бенгальский", "Bengali"),
    ("uk", "украин тілі", "украинский", "Ukrainian"),
    ("be", "беларус тілі", "белорусский", "Belarusian"),
    ("pl", "поляк тілі", "польский", "Polish"),
    ("cs", "чех тілі", "чешский", "Czech"),
    ("hy", "армян тілі", "армянский", "Armenian"),
    ("ka", "грузин тілі", "грузинский", "Georgian"),
    ("ro", "румын тілі", "румынский", "Romanian"),
    ("bg", "болгар тілі", "болгарский", "Bulgarian"),
    ("sr", "серб тілі", "сербский", "Serbian"),
    ("hu", "венгр тілі", "венгерский", "Hungarian"),
    ("el", "грек тілі", "греческий", "Greek"),
    ("he", "иврит", "иврит", "Hebrew"),
    ("nl", "нидерланд тілі", "нидерландский", "Dutch"),
    ("sv", "швед тілі", "шведский", "Swedish"),
    ("fi", "фин тілі", "финский", "Finnish"),
    ("vi", "вьетнам тілі", "вьетнамский", "Vietnamese"),
    ("th", "тай тілі", "тайский", "Thai"),
    ("id", "индонезия тілі", "индонезийский", "Indonesian"),
    ("ms", "малай тілі", "малайский", "Malay"),
    ("sw", "суахили тілі", "суахили", "Swahili"),
))
_LANGUAGES = {item.code: item for item in LANGUAGES}


def language(code: str | None) -> Language | None:
    return _LANGUAGES.get(code or "")


def language_name(code: str | None, other_name: str = "", language_code: str | None = None) -> str:
    if code == OTHER_LANGUAGE:
        return other_name
    found = language(code)
    return found.name(language_code) if found else (code or "")


def language_choices(language_code: str | None = None) -> list[tuple[str, str]]:
    code = _language(language_code)
    rows = sorted(LANGUAGES, key=lambda item: sort_key(item.name(code), code))
    return [(item.code, item.name(code)) for item in rows]
