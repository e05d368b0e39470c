"""Kazakh text helpers: case folding with our own table, the Latin alphabets, and one search key.

Python's own case mapping is wrong for Kazakh Latin: ``'İ'.lower()`` gives ``i`` plus a combining
dot, and ``'I'`` is the capital of dotless ``ı`` (the letter І), not of ``i``. We fold with an
explicit table first, then let Unicode handle every other letter.

**The one letter table of the project.** ``ALPHABET`` lists every letter of the Kazakh Cyrillic
alphabet (42, with the letters of Russian loanwords) with its spelling in the Latin alphabet
presented on 28 January 2021 (the current one), in the Latin alphabet of 2018 (acute accents and
the digraphs sh/ch, still found in texts and signs of 2018–2020) and its **search key**. Everything
else here is derived from it: ``to_latin``, ``to_cyrillic`` and ``search_key``; the tests check it
letter by letter."""

from __future__ import annotations

import unicodedata

# Cyrillic (lower case) → (Latin 2021, Latin 2018, search key).
# Letters of Russian loanwords (ё ц ч щ ъ ь э ю я) have no official mapping; these follow common
# practice (KAZAKHSTAN.md). The search key folds both scripts and both Latin alphabets, and the
# letters readers type without diacritics (a for ä, u for ū/ü, g for ğ, n for ñ, sh for ş), into
# plain Latin: «оқулық», «oqulyq» and «OQULYQ» all have the key ``oqulyq``.
ALPHABET: dict[str, tuple[str, str, str]] = {
    "а": ("a", "a", "a"),
    "ә": ("ä", "á", "a"),
    "б": ("b", "b", "b"),
    "в": ("v", "v", "v"),
    "г": ("g", "g", "g"),
    "ғ": ("ğ", "ǵ", "g"),
    "д": ("d", "d", "d"),
    "е": ("e", "e", "e"),
    "ё": ("io", "ıo", "io"),
    "ж": ("j", "j", "j"),
    "з": ("z", "z", "z"),
    "и": ("i", "ı", "i"),
    "й": ("i", "ı", "i"),
    "к": ("k", "k", "k"),
    "қ": ("q", "q", "q"),
    "л": ("l", "l", "l"),
    "м": ("m", "m", "m"),
    "н": ("n", "n", "n"),
    "ң": ("ñ", "ń", "n"),
    "о": ("o", "o", "o"),
    "ө": ("ö", "ó", "o"),
    "п": ("p", "p", "p"),
    "р": ("r", "r", "r"),
    "с": ("s", "s", "s"),
    "т": ("t", "t", "t"),
    "у": ("u", "ý", "u"),
    "ұ": ("ū", "u", "u"),
    "ү": ("ü", "ú", "u"),
    "ф": ("f", "f", "f"),
    "х": ("h", "h", "h"),
    "һ": ("h", "h", "h"),
    "ц": ("ts", "ts", "ts"),
    "ч": ("ch", "ch", "ch"),
    "ш": ("ş", "sh", "sh"),
    "щ": ("şş", "shsh", "shsh"),
    "ъ": ("", "", ""),
    "ы": ("y", "y", "y"),
    "і": ("ı", "i", "i"),
    "ь": ("", "", ""),
    "э": ("e", "e", "e"),
    "ю": ("iu", "ıý", "iu"),
    "я": ("ia", "ıa", "ia"),
}

# Kazakh Latin (version presented 28 January 2021): lower-case Cyrillic → lower-case Latin.
CYRILLIC_TO_LATIN = {cyr: latin for cyr, (latin, _2018, _key) in ALPHABET.items()}
# The Latin alphabet of 2018 (decree of 19 February 2018): á ǵ ı ń ó ý ú, sh, ch.
CYRILLIC_TO_LATIN_2018 = {cyr: latin for cyr, (_2021, latin, _key) in ALPHABET.items()}

# Letters only Kazakh uses, in each script: a word with one of them is Kazakh whatever the
# language of the text around it (ı and ş are also Turkish; that costs nothing here).
KAZAKH_CYRILLIC_LETTERS = frozenset("әғқңөұүһі")
KAZAKH_LATIN_LETTERS = frozenset("äğñöūüşıáǵńóúýŋ")

# Latin (both alphabets and common renderings) → Cyrillic, for ``to_cyrillic``. Where the two
# alphabets disagree (ı is і in 2021 but и/й in 2018; i the other way round; u is у in 2021 but ұ
# in 2018) the 2021 reading wins; the search key of the result is the same either way.
LATIN_TO_CYRILLIC = {
    "a": "а", "ä": "ә", "á": "ә", "b": "б", "c": "ц", "d": "д", "e": "е", "f": "ф", "g": "г", "ğ": "ғ",
    "ǵ": "ғ", "h": "х", "i": "и", "ı": "і", "j": "ж", "k": "к", "l": "л", "m": "м", "n": "н", "ñ": "ң",
    "ń": "ң", "ŋ": "ң", "o": "о", "ö": "ө", "ó": "ө", "p": "п", "q": "қ", "r": "р", "s": "с", "ş": "ш",
    "t": "т", "u": "у", "ū": "ұ", "ü": "ү", "ú": "ү", "ý": "у", "v": "в", "w": "у", "x": "х", "y": "ы",
    "z": "з", "ç": "ч",
}
# Letter pairs read as one Cyrillic letter (2018's sh and ch, the loanword spellings); longest first.
LATIN_DIGRAPHS_TO_CYRILLIC = {"şş": "щ", "shsh": "щ", "sh": "ш", "ch": "ч", "ts": "ц", "iu": "ю", "ia": "я", "io": "ё"}

# Search key of Latin letters whose key Unicode decomposition would not give: ı has no
# decomposition, ý is the 2018 spelling of у (not a y), ş and ç stand for ш and ч, ŋ for ң; ə and ɵ
# are the IPA letters old fonts used for ә and ө.
LATIN_SEARCH_KEY = {"ı": "i", "ý": "u", "ş": "sh", "ç": "ch", "ŋ": "n", "ß": "ss", "ə": "a", "ɵ": "o", "ø": "o", "æ": "ae",
                    "œ": "oe", "đ": "d", "ł": "l", "ħ": "h"}
# Cyrillic letters of the neighbours' alphabets (Ukrainian, Belarusian, Uzbek, Kyrgyz) and the old
# stand-ins for Kazakh letters, by the key of the Kazakh letter they sound as.
OTHER_CYRILLIC_SEARCH_KEY = {"ґ": "g", "є": "e", "ї": "i", "ў": "u", "ҳ": "h", "ј": "j", "ҡ": "q", "ҫ": "s", "ӏ": "i",
                             "ӑ": "a", "ӗ": "e", "ӧ": "o", "ӱ": "u", "ӓ": "a", "ӛ": "a", "ӫ": "o", "ҥ": "n"}

SEARCH_KEY = {**{cyr: key for cyr, (_l, _l18, key) in ALPHABET.items()}, **OTHER_CYRILLIC_SEARCH_KEY, **LATIN_SEARCH_KEY}

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


def _latin_case(latin: str) -> str:
    """The capital form of a Latin spelling: i → İ, ı → I, sh → Sh."""
    if latin == "i":
        return "İ"
    if latin == "ı":
        return "I"
    return latin[:1].upper() + latin[1:]


def to_latin(text: str, *, alphabet: str = "2021") -> str:
    """Cyrillic Kazakh → a Latin alphabet (``"2021"``, the current one, or ``"2018"``), keeping the
    case of each letter. Characters that are not Kazakh Cyrillic letters are kept as they are."""
    table = CYRILLIC_TO_LATIN if alphabet == "2021" else CYRILLIC_TO_LATIN_2018
    if alphabet not in ("2021", "2018"):
        raise ValueError(f"unknown Kazakh Latin alphabet {alphabet!r}")
    out = []
    for char in unicodedata.normalize("NFC", text or ""):
        lower = char.lower()
        latin = table.get(lower)
        if latin is None:
            out.append(char)
        elif char != lower and latin:
            out.append(_latin_case(latin))
        else:
            out.append(latin)
    return "".join(out)


def to_cyrillic(text: str) -> str:
    """Latin Kazakh (2021 or 2018, with or without diacritics) → Cyrillic, keeping case. Where a
    Latin spelling stands for two letters (i: и or й, h: х or һ, u without diacritic) the first is
    chosen; ``search_key`` of the result equals ``search_key`` of the input."""
    text = unicodedata.normalize("NFC", text or "")
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in "İI":
            out.append("И" if char == "İ" else "І")
            i += 1
            continue
        for length in (4, 2):
            chunk = text[i:i + length]
            cyr = LATIN_DIGRAPHS_TO_CYRILLIC.get(chunk.lower()) if len(chunk) == length else None
            if cyr:
                out.append(cyr.upper() if chunk[0].isupper() else cyr)
                i += length
                break
        else:
            lower = char.lower()
            cyr = LATIN_TO_CYRILLIC.get(lower)
            out.append(char if cyr is None else (cyr.upper() if char != lower else cyr))
            i += 1
    return "".join(out)


def search_key(text: str) -> str:
    """The forgiving key search compares: NFKC, folded, both scripts and both Latin alphabets to
    plain Latin (``ALPHABET``'s last column), every other diacritic dropped. Unlike ``plain_key``
    (kept for the org-unit search text already stored) ш and ş become ``sh``, not ``s``: readers
    without a ş key type sh, and «шаш» must not be «сас»."""
    text = unicodedata.normalize("NFKC", text or "").replace("İ", "i").replace("I", "i").lower()
    out = []
    for char in text:
        key = SEARCH_KEY.get(char)
        if key is not None:
            out.append(key)
        elif char.isascii():
            out.append(char)
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
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
