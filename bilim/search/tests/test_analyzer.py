"""The analyzer: a table of Kazakh (both scripts, both Latin alphabets), Russian and English cases,
the query side, and properties checked with hypothesis. Pure Python: no database."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilim.core.kazakh import ALPHABET, search_key, to_cyrillic, to_latin
from bilim.search import analyzer
from bilim.search.analyzer import alias_terms, index_terms, normalize, query_terms

# (text as written, the document's language, the terms it is indexed by)
CASES = [
    # --- Kazakh: the example, in Cyrillic, in both Latin alphabets, in capitals
    ("оқулықтарының", "kk", ["oqulyk"]),                  # оқулық-тар-ы-ның: plural, possessive, genitive
    ("oqulyqtarynyń", "kk", ["oqulyk"]),                  # Latin 2021 letters with 2018's ń
    ("oqulyqtarynyñ", "kk", ["oqulyk"]),                  # Latin 2021
    ("Oqýlyqtarynyń", "kk", ["oqulyk"]),                  # Latin 2018 (у is ý)
    ("OQULYQ", "kk", ["oqulyk"]),
    ("ОҚУЛЫҚ", "kk", ["oqulyk"]),
    ("оқулық", "kk", ["oqulyk"]),
    ("оқулығы", "kk", ["oqulyk"]),                        # қ voiced to ғ before a vowel, turned back
    ("оқулығына", "kk", ["oqulyk"]),                      # possessive + dative -на
    ("оқулықтар", "kk", ["oqulyk"]),
    ("oqulyqtar", "kk", ["oqulyk"]),                      # without diacritics
    # --- Kazakh: case endings after each kind of sound
    ("кітап", "kk", ["kitap"]),
    ("кітабы", "kk", ["kitap"]),                          # п voiced to б, turned back
    ("кітаптың", "kk", ["kitap"]),                        # genitive after a voiceless consonant
    ("кітапқа", "kk", ["kitap"]),                         # dative -қа
    ("кітаптан", "kk", ["kitap"]),                        # ablative -тан
    ("кітаппен", "kk", ["kitap"]),                        # instrumental -пен
    ("kitaptarymyz", "kk", ["kitap"]),                    # our books: plural + 1st person plural
    ("мектепке", "kk", ["mektep"]),
    ("мектепте", "kk", ["mektep"]),                       # locative -те
    ("мектептегі", "kk", ["mektep"]),                     # locative + -гі
    ("мектептеріміздің", "kk", ["mektep"]),
    ("mektepterimizdiń", "kk", ["mektep"]),
    ("балаға", "kk", ["bala"]),                           # dative -ға after a vowel
    ("баланы", "kk", ["bala"]),                           # accusative -ны after a vowel
    ("баласына", "kk", ["bala"]),                         # -сы + -на
    ("балалар", "kk", ["bala"]),                          # plural -лар after a vowel
    ("баламен", "kk", ["bala"]),
    ("Қазақстанның", "kk", ["qazaqstan"]),                # genitive -ның after н
    ("Қазақстандағы", "kk", ["qazaqstan"]),
    ("Qazaqstannan", "kk", ["qazaqstan"]),                # ablative -нан after н
    ("Қазақстан", "kk", ["qazaqstan"]),                   # -тан after -с is part of the name
    ("Түркістан", "kk", ["turkistan"]),
    ("Алматыда", "kk", ["almat"]),                        # the name and its forms agree
    ("Алматы", "kk", ["almat"]),
    ("Абайдың", "kk", ["abai"]),                          # genitive -дың after й
    ("Abaıdyń", "kk", ["abai"]),                          # the same in the 2018 alphabet
    ("адамнан", "kk", ["adam"]),
    ("адамдар", "kk", ["adam"]),                          # plural -дар after м
    ("елдің", "kk", ["el"]),                              # two-letter stems: ел, үй
    ("еліміздің", "kk", ["el"]),
    ("үйлер", "kk", ["ui"]),
    ("үйі", "kk", ["ui"]),
    ("тауы", "kk", ["tau"]),
    ("университеттің", "kk", ["universitet"]),            # a loanword with Kazakh endings
    ("мұғалімдер", "kk", ["mugalim"]),
    ("тілінің", "kk", ["til"]),
    ("сабақтары", "kk", ["sabak"]),
    ("ұлттық", "kk", ["ulttyk"]),
    ("Ūlttyq", "kk", ["ulttyk"]),
    ("үлгісі", "kk", ["ulk"]),                            # үлгі-сі and үлгі end alike
    ("үлгі", "kk", ["ulk"]),
    # --- Kazakh: what must not be stripped
    ("білім", "kk", ["bilim"]),                           # -ім of білім is not "my"
    ("білімнің", "kk", ["bilim"]),
    ("ғылым", "kk", ["gylym"]),
    ("ğylymnyñ", "kk", ["gylym"]),
    ("ақын", "kk", ["aqyn"]),                             # not ақ + -ын
    ("ақындар", "kk", ["aqyn"]),
    ("ағылшын", "kk", ["agylshyn"]),
    ("оқушы", "kk", ["oqushy"]),                          # -шы is the agent suffix, not a possessive
    ("оқушыларының", "kk", ["oqushy"]),
    ("ана", "kk", ["ana"]),                               # short words stay whole
    ("ата", "kk", ["ata"]),
    ("аға", "kk", ["aga"]),
    ("әке", "kk", ["ake"]),
    ("газета", "kk", ["gazeta"]),                         # -та after a vowel is not a locative
    # --- Kazakh stop words, in any spelling
    ("және", "kk", []),
    ("jáne", "kk", []),
    ("туралы", "kk", []),
    # --- Russian
    ("университетов", "ru", ["университет"]),
    ("школы", "ru", ["школ"]),
    ("Учебники", "ru", ["учебник"]),
    ("ёлка", "ru", ["елк"]),
    ("елка", "ru", ["елк"]),
    ("истории", "ru", ["истор"]),
    ("и", "ru", []),
    ("Қазақстан", "ru", ["qazaqstan"]),                   # a word with Kazakh letters is Kazakh anywhere
    # --- English
    ("Universities", "en", ["universiti"]),
    ("university", "en", ["universiti"]),
    ("libraries", "en", ["librari"]),
    ("student's", "en", ["student"]),                     # the apostrophe does not split the word
    ("the", "en", []),
    # --- other languages, numbers, scripts
    ("Müller", "de", ["muller"]),                         # no stemming, diacritics folded
    ("Straße", "de", ["strasse"]),
    ("2021", "kk", ["2021"]),
    ("мeктeп", "kk", ["mektep"]),                         # Latin e typed inside a Cyrillic word
    ("İnformatika", "kk", ["informatika"]),               # dotted capital İ
    ("北京", "zh", ["北", "京"]),                         # each Han character is a word
]


@pytest.mark.parametrize("text, lang, expected", CASES, ids=[f"{lang}:{text}" for text, lang, _ in CASES])
def test_index_terms(text, lang, expected):
    assert index_terms(text, lang) == expected


def test_the_table_is_large_enough():
    assert len(CASES) >= 60


@pytest.mark.parametrize("forms", [
    ["оқулықтарының", "oqulyqtarynyń", "Oqýlyqtarynyń", "OQULYQ", "оқулық", "оқулығы"],
    ["кітап", "кітабы", "кітаптар", "кітаптарымыз", "kitaptyń", "KITAP"],
    ["Қазақстан", "Қазақстанның", "Қазақстанда", "Qazaqstanğa", "QAZAQSTANNAN"],
    ["білім", "білімі", "білімнің", "bilimge", "BİLİM"],
])
def test_forms_of_one_word_have_one_term(forms):
    terms = {tuple(index_terms(form, "kk")) for form in forms}
    assert len(terms) == 1, terms


# --- the query side ----------------------------------------------------------------------------

def test_a_query_word_brings_its_kazakh_russian_and_english_analyses():
    (group,) = query_terms("oqulyqtarynyń")
    assert "oqulyk" in group  # finds «оқулық» in a Kazakh document
    (group,) = query_terms("школы")
    assert {"школ", "shkol"} <= group  # its Russian stem and its Kazakh analysis
    (group,) = query_terms("libraries")
    assert "librari" in group


def test_a_russian_looking_query_finds_a_kazakh_document():
    """«мектеп» has no Kazakh letters: a Russian-looking word. Its Kazakh analysis is still asked."""
    assert index_terms("мектеп", "kk")[0] in query_terms("мектеп")[0]
    # a Russian loanword in a Kazakh document: the Russian stem is its alias (weight 0)
    assert alias_terms("Математика пәні", "kk") == ["математик"]
    assert "математик" in query_terms("математики")[0]


def test_a_kazakh_looking_query_finds_a_russian_document():
    """A Russian document's «Алматы» is indexed by its Russian stem; the Kazakh-inflected query
    «Алматыдағы» (Kazakh letter ғ) carries the Russian stem of its Kazakh stem."""
    (term,) = index_terms("Алматы", "ru")
    assert term in query_terms("Алматыдағы")[0]
    assert term in query_terms("Almatydağy")[0]
    (term,) = index_terms("Абай", "ru")
    assert term in query_terms("Абайдың")[0]


def test_stop_words_leave_the_query():
    assert query_terms("және the и") == []
    assert len(query_terms("Қазақстан тарихы және мәдениеті")) == 3


def test_query_words_of_any_script_match_the_same_kazakh_document():
    doc = set(index_terms("Қазақстан тарихының оқулықтары", "kk"))
    for q in ("қазақстан тарихы оқулық", "QAZAQSTAN TARIHY OQULYQ", "Qazaqstan tarıhy oqýlyqtary"):
        assert all(group & doc for group in query_terms(q)), q


# --- properties ----------------------------------------------------------------------------------

KAZAKH_LETTERS = "".join(ALPHABET)
kazakh_words = st.text(alphabet=KAZAKH_LETTERS, min_size=1, max_size=14)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalization_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(kazakh_words)
def test_the_canonical_form_survives_a_latin_cyrillic_round_trip(word):
    key = search_key(word)
    assert search_key(to_latin(word)) == key
    assert search_key(to_latin(word, alphabet="2018")) == key
    assert search_key(to_cyrillic(to_latin(word))) == key
    assert search_key(to_latin(word).upper()) == key
    # and so do the Kazakh terms
    terms = index_terms(word, "kk")
    assert index_terms(to_latin(word), "kk") == terms
    assert index_terms(to_latin(word, alphabet="2018"), "kk") == terms


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1), st.sampled_from(["kk", "ru", "en", "de"]))
def test_never_an_empty_term_from_a_non_stop_word(text, lang):
    for token in analyzer.tokens(text):
        info = analyzer.analyse_token(token)
        term, alias = analyzer.index_token(token, lang)
        assert term is None or term.strip() == term != ""
        assert alias is None or alias != ""
        if not info.stop:
            assert term, (token, lang)
            assert analyzer.word_alternatives(token), token
        for t in filter(None, (term, alias)):
            # our terms contain letters and digits only: FTS5's ascii tokenizer splits them on spaces only
            assert all(c.isalnum() for c in t), t


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_every_index_term_of_a_word_is_one_of_its_query_alternatives(text):
    """What a document is indexed by is what a query for the same words asks for, in every language."""
    for token in analyzer.tokens(text):
        alternatives = analyzer.word_alternatives(token)
        if alternatives is None:
            continue
        for lang in ("kk", "ru", "en", "tr"):
            term, _alias = analyzer.index_token(token, lang)
            assert term is None or term in alternatives, (token, lang, term, alternatives)
