"""Kazakh text helpers: case folding with our own table and the 2021 Latin alphabet.

Python's own case mapping is wrong for Kazakh Latin: ``'İ'.lower()`` gives ``i`` plus a combining
dot, and ``'I'`` is the capital of dotless ``ı`` (the letter І), not of ``i``. We fold with an
explicit table first, then let Unicode handle every other letter."""

from __future__ import annotations

import unicodedata

# Kazakh Latin (version presented 28 January 2021): lower-case Cyrillic → lower-case Latin.
# Letters of Russian loanwords have no official mapping; these follow common practice.
CYRILLIC_TO_LATIN = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ж": "j",
    "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ñ",
    "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū", "ү": "ü",
    "ф": "f", "х": "h", "һ": "h", "ш": "ş", "ы": "y", "і": "ı",
    "ч": "ch", "ц": "ts", "щ": "şş", "ю": "iu", "я": "ia", "ё": "io", "э": "e", "ъ": "", "ь": "",
}

# Upper-case letters whose lower case Python gets wrong for Kazakh.
_FOLD = str.maketrans({"İ": "i", "I": "ı", "Ŋ": "ñ", "ŋ": "ñ"})

# Readers type Latin Kazakh without diacritics: ä→a, ğ→g, ñ→n, ö→o, ū→u, ü→u, ş→s, ı→i.
_PLAIN = str.maketrans({"ä": "a", "ğ": "g", "ñ": "n", "ö": "o", "ū": "u", "ü": "u", "ş": "s", "ı": "i"})


def fold(text: str, *, kazakh_latin: bool = False) -> str:
    """Lower-case ``text`` (NFC). With ``kazakh_latin``, capital I is dotless ı and İ is i."""
    text = unicodedata.normalize("NFC", text or "")
    if kazakh_latin:
        text = text.translate(_FOLD)
    else:
        text = text.replace("İ", "i")
    return text.lower()


def to_latin(text: str) -> str:
    """Cyrillic Kazakh → the 2021 Latin alphabet, keeping the case of each letter."""
    out = []
    for char in unicodedata.normalize("NFC", text or ""):
        lower = char.lower()
        latin = CYRILLIC_TO_LATIN.get(lower)
        if latin is None:
            out.append(char)
        elif char != lower and latin:
            out.append("İ" if latin == "i" else ("I" if latin == "ı" else latin[0].upper() + latin[1:]))
        else:
            out.append(latin)
    return "".join(out)


def plain_key(text: str) -> str:
    """A forgiving search key: folded, transliterated to Latin, diacritics dropped."""
    latin = to_latin(fold(text))
    latin = latin.translate(_PLAIN)
    decomposed = unicodedata.normalize("NFKD", latin)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# ---- the individual identification number (ЖСН / ИИН): 12 digits, the last a check digit ----

def iin_check_digit(first11: str) -> int | None:
    """The check digit of an IIN from its first 11 digits: Σ digit × weight (1…11) mod 11; if that is
    10, again with weights 3…11, 1, 2; if still 10 the number is not issued (None)."""
    digits = [int(c) for c in first11]
    for weights in (range(1, 12), [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]):
        check = sum(d * w for d, w in zip(digits, weights)) % 11
        if check != 10:
            return check
    return None


def is_valid_iin(value: str) -> bool:
    return len(value) == 12 and value.isdigit() and iin_check_digit(value[:11]) == int(value[11])
