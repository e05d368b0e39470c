"""Numbers as people read them on the dashboards and the rating: a decimal comma in Kazakh and
Russian, a point in English; thousands grouped with a no-break space (a comma in English); "—" for
no value."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import get_language

from .metrics import quantize

DASH = "—"
NBSP = "\u00a0"


def language(value: str | None = None) -> str:
    value = (value or get_language() or "kk")[:2]
    return value if value in ("kk", "ru", "en") else "kk"


def number(value, places: int = 0, lang: str | None = None) -> str:
    if value is None or value == "":
        return DASH
    lang = language(lang)
    value = quantize(Decimal(value), places)
    text = f"{value:,.{places}f}"
    if lang == "en":
        return text
    return text.replace(",", NBSP).replace(".", ",")


def percent(value, lang: str | None = None) -> str:
    return number(value, 1, lang)


def average(value, lang: str | None = None) -> str:
    return number(value, 2, lang)


def measure(metrics, name: str, lang: str | None = None) -> str:
    value = metrics.value(name)
    return average(value, lang) if name == "average" else percent(value, lang)
