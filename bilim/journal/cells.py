"""What a teacher types into a cell of the journal grid, and what the cell shows.

A cell holds a mark and/or an attendance letter: ``8``, ``Ж``, ``8К`` (late, with a mark), ``12,5``
(the points of a summative work), ``-`` (the pupil did not write the summative work). The letters
are those of ``models.ATTENDANCE_LETTERS``: the Kazakh and the Russian ones are accepted on every
page (and the English ones on the English page), in either case; the cell then shows the letters of
the page's language. In a summative column a pupil absent, sick or excused without points has
missed the work (temporarily not assessed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import ATTENDANCE_LETTERS, AttendanceStatus, MarkKind

SUMMATIVE = (MarkKind.SECTION_SUMMATIVE, MarkKind.TERM_SUMMATIVE)
MISSED = "-"
MISSED_SIGNS = ("-", "—", "–")
ABSENT = (AttendanceStatus.ABSENT, AttendanceStatus.SICK, AttendanceStatus.EXCUSED)
# The largest number a mark or a maximum may have (the columns hold 6 digits, 2 after the point).
MAX_POINTS = Decimal(1000)
NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


def language() -> str:
    lang = (get_language() or "kk")[:2]
    return lang if lang in ATTENDANCE_LETTERS else "kk"


def letters(lang: str | None = None) -> dict[str, str]:
    """status → the letter shown in ``lang`` (the page's language)."""
    return dict(ATTENDANCE_LETTERS[lang or language()])


def accepted_letters(lang: str | None = None) -> dict[str, str]:
    """An upper-case letter typed → status: the page language's, the Kazakh and the Russian ones
    (Latin ones only on the English page: they look like Cyrillic А and Е)."""
    lang = lang or language()
    accepted: dict[str, str] = {}
    for code in dict.fromkeys([lang, "kk", "ru"]):
        for status, letter in ATTENDANCE_LETTERS[code].items():
            accepted.setdefault(letter.upper(), status)
    return accepted


def number_text(value) -> str:
    """A stored number for reading and typing again: ``8``, ``12,5`` (decimal comma in kk and ru)."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if language() in ("kk", "ru") else text


def cell_text(kind: str, mark, status: str | None, lang: str | None = None) -> str:
    """What the cell of a column of ``kind`` shows for the pupil's mark of that kind and attendance."""
    letter = letters(lang).get(status, "") if status else ""
    number = ""
    if mark is not None:
        if mark.value is not None:
            number = number_text(mark.value)
        elif mark.missed and status not in ABSENT:
            number = MISSED
    return f"{number}{letter}"


@dataclass
class Cell:
    value: str | None = None     # the number as typed (``services.lesson_save`` parses it)
    missed: bool = False
    status: str | None = None    # None: present
    error: str = ""


def _letters_hint(lang: str | None = None) -> str:
    return ", ".join(letters(lang).values())


def decimal_error(text: str) -> str:
    """A message when ``text`` is a number the journal cannot hold (too large, more than two
    decimals); "" otherwise (what is not a number at all is left to the service)."""
    if not NUMBER.match(text):
        return ""
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return ""
    if number > MAX_POINTS:
        return _("The value is too large.")
    if number.as_tuple().exponent < -2:
        return _("Use at most two decimal places.")
    return ""


def parse(text: str, kind: str, lang: str | None = None) -> Cell:
    """The typed text of a cell of a column of ``kind``."""
    text = (text or "").strip()
    if not text:
        return Cell()
    found = [ch for ch in text if ch.isalpha()]
    rest = "".join(ch for ch in text if not ch.isalpha() and not ch.isspace())
    status = None
    if len(found) > 1:
        return Cell(error=_("Type one attendance letter: %(letters)s.") % {"letters": _letters_hint(lang)})
    if found:
        status = accepted_letters(lang).get(found[0].upper())
        if status is None:
            return Cell(error=_("Type one attendance letter: %(letters)s.") % {"letters": _letters_hint(lang)})
    if rest in MISSED_SIGNS:
        if kind not in SUMMATIVE:
            return Cell(error=_("Type a mark or an attendance letter."))
        return Cell(missed=True, status=status)
    if rest:
        problem = decimal_error(rest)
        if problem:
            return Cell(error=problem)
        return Cell(value=rest, status=status)
    return Cell(status=status, missed=kind in SUMMATIVE and status in ABSENT)
