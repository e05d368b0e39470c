"""Citations: GOST 7.1-2003 on Kazakh and Russian pages (up to three authors in the heading, more
as «[et al.]» after the first), APA 7 on English pages."""

from django.utils import translation

from bilim.library import citation
from bilim.library.models import Resource


def cite(language, pages=None, **fields):
    with translation.override(language):
        return citation.citation(Resource(**fields), pages, language)


BOOK = {"title": "Ұлы дала тарихы", "creators": ["Әбенов, Серік Қайратұлы", "Исаева, Айгүл Маратқызы"], "year": 2021,
        "publisher": "Фолиант", "type": "textbook", "isbn": "9780306406157"}


def test_gost_book_with_two_authors():
    style, text = cite("en", 240, **BOOK)
    assert style == "APA 7"
    style, text = cite("ru", 240, **BOOK)
    assert style == "ГОСТ 7.1-2003"
    assert str(text).startswith("Әбенов, С. Қ. Ұлы дала тарихы : ")
    assert "/ С. Қ. Әбенов, А. М. Исаева. – Фолиант, 2021. – " in str(text) and str(text).endswith("ISBN 9780306406157.")


def test_gost_four_authors_and_article():
    _style, text = cite("kk", creators=["Smith, John", "Brown, Emily", "Seitkali, Arman", "Novak, Eva"], title="Deep steppe", year=2020,
                        publisher="Springer", type="monograph", doi="10.1000/1")
    assert str(text).startswith("Deep steppe : ") and "/ J. Smith " in str(text) and str(text).endswith("DOI 10.1000/1.")
    _style, text = cite("ru", creators=["Smith, John"], title="An article", year=2020, publisher="Journal of X", type="article")
    assert str(text) == "Smith, J. An article / J. Smith // Journal of X. – 2020."


def test_names_without_a_comma_are_surname_first_and_hyphens_kept():
    assert citation.split_name("Оспанов Бауыржан Нұрланұлы") == ("Оспанов", ["Бауыржан", "Нұрланұлы"])
    assert citation.initials(["Жан-Поль"]) == "Ж.-П."


def test_apa():
    _style, text = cite("en", **BOOK)
    assert str(text) == "Әбенов, С. Қ., &amp; Исаева, А. М. (2021). <i>Ұлы дала тарихы</i>. Фолиант."
    _style, text = cite("en", creators=["Smith, John", "Brown, Emily", "Seitkali, Arman"], title="Deep steppe", year=2020,
                        publisher="Springer", type="monograph", doi="10.1000/1")
    assert str(text) == "Smith, J., Brown, E., &amp; Seitkali, A. (2020). <i>Deep steppe</i>. Springer. https://doi.org/10.1000/1"
    _style, text = cite("en", creators=[], title="Anon", type="textbook")
    assert str(text) == "<i>Anon</i>. (n.d.)."


def test_html_in_titles_is_escaped():
    _style, text = cite("en", creators=["A, B"], title="<script>x</script>", type="textbook", year=2020)
    assert "<script>" not in str(text) and "&lt;script&gt;" in str(text)
    _style, text = cite("ru", creators=["A, B"], title="<b>x</b>", type="textbook", year=2020)
    assert "<b>" not in str(text)
