"""The IIN check digit (core.kazakh)."""

import pytest


@pytest.mark.parametrize("iin, valid", [
    ("150101500329", True),     # weights 1…11
    ("140512600131", True),
    ("150101500328", False),    # check digit off by one
    ("15010150032", False),     # 11 digits
    ("15010150032x", False),
])
def test_iin_check_digit(iin, valid):
    from bilim.core.kazakh import is_valid_iin

    assert is_valid_iin(iin) is valid


def test_an_iin_whose_both_sums_give_10_is_never_issued():
    from bilim.core.kazakh import iin_check_digit

    found = next(f"{n:011d}" for n in range(10**6) if iin_check_digit(f"{n:011d}") is None)
    assert iin_check_digit(found) is None and len(found) == 11


# --- the letter table: every Cyrillic letter in the 2021 and the 2018 Latin alphabets, and its search key ---
# (KAZAKHSTAN.md; the loanword letters ё ц ч щ ъ ь э ю я follow common practice)
LETTERS = [
    # cyr, Latin 2021, Latin 2018, search key
    ("а", "a", "a", "a"), ("ә", "ä", "á", "a"), ("б", "b", "b", "b"), ("в", "v", "v", "v"),
    ("г", "g", "g", "g"), ("ғ", "ğ", "ǵ", "g"), ("д", "d", "d", "d"), ("е", "e", "e", "e"),
    ("ё", "io", "ıo", "io"), ("ж", "j", "j", "j"), ("з", "z", "z", "z"), ("и", "i", "ı", "i"),
    ("й", "i", "ı", "i"), ("к", "k", "k", "k"), ("қ", "q", "q", "q"), ("л", "l", "l", "l"),
    ("м", "m", "m", "m"), ("н", "n", "n", "n"), ("ң", "ñ", "ń", "n"), ("о", "o", "o", "o"),
    ("ө", "ö", "ó", "o"), ("п", "p", "p", "p"), ("р", "r", "r", "r"), ("с", "s", "s", "s"),
    ("т", "t", "t", "t"), ("у", "u", "ý", "u"), ("ұ", "ū", "u", "u"), ("ү", "ü", "ú", "u"),
    ("ф", "f", "f", "f"), ("х", "h", "h", "h"), ("һ", "h", "h", "h"), ("ц", "ts", "ts", "ts"),
    ("ч", "ch", "ch", "ch"), ("ш", "ş", "sh", "sh"), ("щ", "şş", "shsh", "shsh"), ("ъ", "", "", ""),
    ("ы", "y", "y", "y"), ("і", "ı", "i", "i"), ("ь", "", "", ""), ("э", "e", "e", "e"),
    ("ю", "iu", "ıý", "iu"), ("я", "ia", "ıa", "ia"),
]


def test_the_table_has_every_letter_of_the_kazakh_cyrillic_alphabet():
    from bilim.core.kazakh import ALPHABET

    assert len(LETTERS) == 42 == len(ALPHABET)
    assert {row[0] for row in LETTERS} == set(ALPHABET)


@pytest.mark.parametrize("cyr, lat2021, lat2018, key", LETTERS, ids=[row[0] for row in LETTERS])
def test_letter(cyr, lat2021, lat2018, key):
    from bilim.core.kazakh import search_key, to_cyrillic, to_latin

    assert to_latin(cyr) == lat2021
    assert to_latin(cyr, alphabet="2018") == lat2018
    # capitals: İ for i, I for ı, the first letter of a digraph
    capital = {"i": "İ", "ı": "I"}.get(lat2021, lat2021[:1].upper() + lat2021[1:])
    assert to_latin(cyr.upper()) == capital
    # one search key for the letter in every spelling and case, and back from Latin
    for spelling in (cyr, cyr.upper(), lat2021, lat2021.upper(), lat2018, lat2018.upper()):
        assert search_key(spelling) == key, spelling
    assert search_key(to_cyrillic(lat2021)) == key
    assert search_key(to_cyrillic(lat2018)) == key


@pytest.mark.parametrize("latin, cyrillic", [
    ("Oqulyqtarynyń", "Оқулықтарының"),       # 2021 letters with 2018's ń
    ("Qazaqstan Respublikasy", "Қазақстан Республикасы"),
    ("Şymkent", "Шымкент"), ("Shymkent", "Шымкент"),  # 2021 ş, 2018 sh
    ("Äl-Farabi", "Әл-Фараби"), ("Ábilqaıyr", "Әбілқайыр"),
    ("Ūlttyq", "Ұлттық"), ("Ülgi", "Үлгі"), ("Öner", "Өнер"), ("Ğylym", "Ғылым"),
])
def test_to_cyrillic_keeps_the_search_key(latin, cyrillic):
    from bilim.core.kazakh import search_key, to_cyrillic

    assert search_key(to_cyrillic(latin)) == search_key(cyrillic) == search_key(latin)


def test_search_key_forgives_missing_diacritics_and_case():
    from bilim.core.kazakh import search_key

    assert search_key("оқулық") == search_key("oqulyq") == search_key("OQULYQ") == search_key("ОҚУЛЫҚ") == "oqulyq"
    assert search_key("Ūlttyq") == search_key("Ulttyq") == search_key("ұлттық")
    assert search_key("İnformatika") == search_key("informatika") == search_key("ИНФОРМАТИКА")
    assert search_key("шаш") != search_key("сас")  # ш is sh, not s


def test_plain_key_is_unchanged_for_stored_search_texts():
    from bilim.core.kazakh import plain_key

    assert plain_key("Шаш") == "sas"
    assert plain_key("Есіл") == "esil"


def test_unknown_alphabet_is_refused():
    from bilim.core.kazakh import to_latin

    with pytest.raises(ValueError):
        to_latin("а", alphabet="1929")
