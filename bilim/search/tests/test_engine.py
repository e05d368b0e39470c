"""The engine on the database the suite runs on (SQLite, then PostgreSQL in scripts/test.sh): the
same fixed corpus must give the same hits in the same order with the same scores on both — checked
against rankings committed here and against BM25 computed in Python from the analysed terms."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from django.db import connection

from bilim.core.errors import DomainError
from bilim.search import engine
from bilim.search.models import Content, Document, Facet, Posting, Statistics, Term
from bilim.search.tests.corpus import DOCUMENTS, NAMESPACE, OTHER

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    engine.index_many([*DOCUMENTS, OTHER], batch_size=7)


def keys(result):
    return [hit.key for hit in result.hits]


# --- the same ranking on both databases ----------------------------------------------------------

# query → (total, top 10 as (key, score)): computed once, committed; the suite runs this file on
# SQLite and on PostgreSQL, so passing on both proves both engines give the same top 10.
EXPECTED = {
    "оқулық": (6, [("d06", 2.252619), ("d02", 2.142766), ("d09", 2.122068), ("d01", 1.935149), ("d03", 1.269829), ("d11", 1.269829)]),
    "oqulyqtarynyń": (6, [("d06", 2.252619), ("d02", 2.142766), ("d09", 2.122068), ("d01", 1.935149), ("d03", 1.269829), ("d11", 1.269829)]),
    "Қазақстан тарихы": (4, [("d06", 4.457746), ("d01", 4.325293), ("d02", 4.234547), ("d05", 2.798458)]),
    "история Казахстана": (1, [("r01", 9.342137)]),
    "history": (3, [("e01", 3.862793), ("e02", 3.806145), ("e05", 3.366123)]),
    "математика": (3, [("d04", 3.881101), ("d03", 3.744382), ("r03", 3.630551)]),
    # a Russian form: the Russian record by its stem, the Kazakh ones by their alias (weight 0), last
    "математики": (3, [("r03", 3.630551), ("d03", 0.0), ("d04", 0.0)]),
    "Алматыдағы": (2, [("d08", 4.815229), ("r04", 4.246428)]),
    "білім беру": (2, [("d10", 6.679874), ("d08", 4.793049)]),
    "textbook physics": (1, [("e03", 6.880943)]),
    "Абай": (4, [("r05", 4.093377), ("e04", 3.622501), ("d05", 3.548215), ("d07", 3.36806)]),
    "учебник": (4, [("r06", 3.103957), ("r01", 3.040305), ("r03", 2.732153), ("r02", 1.888506)]),
    "tarih": (5, [("d06", 2.348092), ("d08", 2.298397), ("d02", 2.251822), ("d01", 2.162646), ("d05", 1.399229)]),
}


@pytest.fixture(params=["gin", "postings"])
def strategy(request, monkeypatch):
    """PostgreSQL matches a selective query through the GIN index and a broad one through the
    postings: both must give the same answers (on SQLite the two runs are the same)."""
    monkeypatch.setattr(engine._PostgreSQL, "SELECTIVE", 10**9 if request.param == "gin" else -1)
    return request.param


@pytest.mark.parametrize("q", list(EXPECTED))
def test_the_committed_ranking(corpus, strategy, q):
    result = engine.search(NAMESPACE, q, per_page=10)
    total, top = EXPECTED[q]
    assert (result.total, [(h.key, h.score) for h in result.hits]) == (total, top)


def _reference_bm25(q: str) -> list[tuple[str, float]]:
    """BM25 as FTS5's bm25() computes it, in Python, from the analysed terms of every document in
    the index (both namespaces): the database-independent check of both engines."""
    prepared = [engine._prepare(d) for d in [*DOCUMENTS, OTHER]]
    groups = engine.parse_query(q)
    n = len(prepared)
    avgdl = sum(p.length for p in prepared) / n
    df = Counter(t for p in prepared for t in p.distinct_terms())
    phrases = [t for g in groups for t in g]
    scored = []
    for p in prepared:
        terms = p.distinct_terms()
        if p.namespace != NAMESPACE or not all(g & terms for g in groups):
            continue
        weights = p.weights()
        score = 0.0
        for t in phrases:
            idf = max(math.log((n - df[t] + 0.5) / (df[t] + 0.5)), 0) or 1e-6
            f = weights.get(t, 0)
            score += idf * (f * (engine.K1 + 1)) / (f + engine.K1 * (1 - engine.B + engine.B * p.length / avgdl))
        scored.append((p.key, round(score, 9)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return [(key, round(score, 6)) for key, score in scored]


@pytest.mark.parametrize("q", list(EXPECTED))
def test_scores_are_bm25_as_fts5_computes_it(corpus, q):
    result = engine.search(NAMESPACE, q, per_page=100)
    assert [(h.key, pytest.approx(h.score, abs=2e-6)) for h in result.hits] == _reference_bm25(q)


# --- ranking, facets, filters, paging ------------------------------------------------------------

def test_ranking_follows_field_weights_and_rarity():
    base = {"namespace": NAMESPACE, "lang": "en", "facets": {}, "snippet_source": ""}
    engine.index_many([
        {**base, "key": "title", "fields": {"title": "Geology", "description": "rocks and minerals"}},
        {**base, "key": "description", "fields": {"title": "Rocks", "description": "an introduction to geology"}},
        {**base, "key": "twice", "fields": {"title": "Minerals", "description": "geology; geology"}},
        {**base, "key": "other", "fields": {"title": "Chemistry", "description": "minerals"}},
    ])
    assert keys(engine.search(NAMESPACE, "geology")) == ["title", "twice", "description"]
    # both words: the document with the rarer one in its title first
    assert keys(engine.search(NAMESPACE, "geology minerals"))[0] == "twice"


def test_facets_count_the_whole_match_set_and_respect_the_other_filters(corpus, strategy):
    result = engine.search(NAMESPACE, "history tarih история", per_page=1)
    assert result.total == 0  # every word must match: no record holds all three
    result = engine.search(NAMESPACE, "Абай", facets=["type", "language", "year"], per_page=1)
    assert result.total == 4 and len(result.hits) == 1
    assert result.facets["type"] == [("monograph", 4)]
    assert result.facets["language"] == [("kk", 2), ("en", 1), ("ru", 1)]  # by count, then by value

    filtered = engine.search(NAMESPACE, "Абай", filters={"language": ["kk"]}, facets=["language", "year"])
    assert filtered.total == 2 and set(keys(filtered)) == {"d05", "d07"}
    # the language facet ignores its own filter (the other languages stay visible) ...
    assert dict(filtered.facets["language"]) == {"kk": 2, "ru": 1, "en": 1}
    # ... the year facet counts only what the language filter keeps
    assert dict(filtered.facets["year"]) == {"2015": 1, "2010": 1}


def test_filters_combine_and_a_facet_is_multi_valued(corpus, strategy):
    result = engine.search(NAMESPACE, "tarih", filters={"subject": ["Тарих", "Білім беру"], "type": ["monograph"]}, facets=["subject"])
    assert keys(result) == ["d08"]
    both = engine.search(NAMESPACE, "tarih", filters={"subject": ["Тарих"]})
    assert set(keys(both)) == {"d01", "d02", "d08"}
    assert engine.search(NAMESPACE, "tarih", filters={"type": ["nothing"]}).total == 0


def test_paging(corpus, strategy):
    first = engine.search(NAMESPACE, "оқулық", per_page=4)
    second = engine.search(NAMESPACE, "оқулық", per_page=4, page=2)
    assert first.total == second.total == 6
    assert len(first.hits) == 4 and len(second.hits) == 2
    assert keys(first) + keys(second) == keys(engine.search(NAMESPACE, "оқулық", per_page=10))
    assert engine.search(NAMESPACE, "оқулық", page=5).hits == []


@pytest.mark.parametrize("kwargs, field", [
    ({"page": 0}, "page"), ({"page": "2"}, "page"), ({"per_page": 0}, "per_page"), ({"per_page": 101}, "per_page"),
    ({"page": 600, "per_page": 20}, "page"), ({"filters": {"type": ["x"] * 51}}, "filters"), ({"filters": ["type"]}, "filters"),
])
def test_bad_paging_and_filters(corpus, kwargs, field):
    with pytest.raises(DomainError) as error:
        engine.search(NAMESPACE, "tarih", **kwargs)
    assert field in error.value.fields


def test_namespaces_are_apart(corpus, strategy):
    assert "p01" not in keys(engine.search(NAMESPACE, "сабақ жоспары"))
    assert keys(engine.search("portal", "сабақ жоспары")) == ["p01"]


# --- snippets -------------------------------------------------------------------------------------

def test_a_latin_query_highlights_the_cyrillic_word(corpus):
    result = engine.search(NAMESPACE, "matematikany oqytu")
    (hit,) = result.hits
    assert hit.key == "d04"
    assert "<mark>математиканы</mark> <mark>оқытудың</mark>" in hit.snippet_html


def test_a_cyrillic_query_highlights_the_latin_word_and_the_title(corpus):
    (hit,) = engine.search(NAMESPACE, "шығармашылығы").hits
    assert hit.key == "d05"
    assert hit.title_html == "Abai Qunanbaiuly: ómiri men <mark>shyǵarmashylyǵy</mark>"


def test_snippets_are_cut_around_the_matches_and_escaped():
    filler = " ".join(["жалпы мәтін"] * 60)
    source = f"{filler} <b>Қазақстан</b> & «Алматы» тарихы {filler}"
    engine.index(NAMESPACE, "long", fields={"title": "Ұзын <мәтін>", "text": source}, lang="kk", snippet_source=source)
    (hit,) = engine.search(NAMESPACE, "Алматы тарихы").hits
    snippet = hit.snippet_html
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "&lt;b&gt;Қазақстан&lt;/b&gt; &amp; «<mark>Алматы</mark>» <mark>тарихы</mark>" in snippet
    assert len(snippet) < engine.SNIPPET_CHARS + 100
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert hit.title_html == "Ұзын &lt;мәтін&gt;"


# --- writes ---------------------------------------------------------------------------------------

def _fts_rows(term: str) -> int:
    """Rows the vendor's own index finds for one analysed term."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH %s", [f'"{term}"'])
        else:
            cursor.execute("SELECT count(*) FROM search_content WHERE tsv @@ %s::tsquery", [f"'{term}'"])
        return cursor.fetchone()[0]


def _check_statistics():
    """The vendor's statistics agree with the documents: FTS5's integrity check on SQLite; the term,
    posting and total counts maintained for BM25 on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
            return
    documents = list(Document.objects.select_related("content"))
    stats = Statistics.objects.get(pk=1)
    assert (stats.documents, stats.terms) == (len(documents), sum(d.length for d in documents))
    df = Counter()
    postings = {}
    for d in documents:
        prepared = engine._Prepared(d.namespace, d.key, d.lang, "", "", [getattr(d.content, c).split() for c in engine.COLUMNS], [])
        assert sum(map(len, prepared.columns)) == d.length
        df.update((d.namespace, t) for t in prepared.distinct_terms())
        weights = prepared.weights()
        postings.update({((d.namespace, term), d.id): (weights.get(term, 0), d.length) for term in prepared.distinct_terms()})
    assert {(t.namespace, t.term): t.documents for t in Term.objects.all() if t.documents} == dict(df)
    ids = {t.id: (t.namespace, t.term) for t in Term.objects.all()}
    assert {(ids[p.term_id], p.document_id): (p.weight, p.length) for p in Posting.objects.all()} == postings


def test_reindex_replaces_and_remove_deletes(corpus):
    _check_statistics()
    engine.index(NAMESPACE, "d09", fields={"title": "Химия: 10-сынып оқулығы"}, lang="kk", facets={"type": ["manual"]})
    assert "d09" not in keys(engine.search(NAMESPACE, "физика"))
    assert keys(engine.search(NAMESPACE, "химия")) == ["d09"]
    assert engine.search(NAMESPACE, "химия", facets=["type", "year"]).facets == {"type": [("manual", 1)], "year": []}
    assert Document.objects.filter(namespace=NAMESPACE, key="d09").count() == 1
    _check_statistics()

    assert engine.remove(NAMESPACE, "d09") is True
    assert engine.remove(NAMESPACE, "d09") is False
    assert engine.search(NAMESPACE, "химия").total == 0
    assert _fts_rows("химия") == 0
    assert not Facet.objects.filter(document__key="d09").exists()
    _check_statistics()


def test_the_same_key_twice_in_one_batch_keeps_the_last():
    base = {"namespace": NAMESPACE, "key": "k", "lang": "en"}
    engine.index_many([{**base, "fields": {"title": "first"}}, {**base, "fields": {"title": "second"}}])
    assert Document.objects.get().content.title == "second"
    assert engine.search(NAMESPACE, "first").total == 0


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_deleting_documents_any_way_keeps_fts5_in_step(corpus):
    """Django's flush (transactional tests) deletes rows without the engine: the triggers follow."""
    assert _fts_rows("oqulyk") == 6
    Facet.objects.all().delete()
    Document.objects.filter(key__in=["d01", "d02"]).delete()  # cascades to their content
    assert _fts_rows("oqulyk") == 4
    Content.objects.filter(document__key="d06").update(title_terms="zzz", description_terms="")
    assert _fts_rows("oqulyk") == 3 and _fts_rows("zzz") == 1
    _check_statistics()


@pytest.mark.parametrize("document, field", [
    ({"fields": {"title": "x", "summary": "y"}}, "fields"),
    ({"fields": {"title": 5}}, "title"),
    ({"lang": "Kazakh"}, "lang"),
    ({"lang": None}, "lang"),
    ({"key": ""}, "key"),
    ({"key": "x" * 101}, "key"),
    ({"namespace": "Library!"}, "namespace"),
    ({"facets": {"year": ["x" * 201]}}, "facets"),
    ({"facets": {"": ["x"]}}, "facets"),
    ({"facets": ["type"]}, "facets"),
    ({"snippet_source": 5}, "snippet_source"),
])
def test_a_bad_document_is_refused_and_nothing_is_written(document, field):
    good = {"namespace": NAMESPACE, "key": "good", "lang": "kk", "fields": {"title": "Тарих"}}
    bad = {**good, "key": "bad", **document}
    with pytest.raises(DomainError) as error:
        engine.index_many([good, {**good, "key": "good2"}, bad], batch_size=1)
    assert field in error.value.fields
    assert error.value.code == "search_invalid_document"
    assert not Document.objects.exists()
    assert not Statistics.objects.filter(documents__gt=0).exists()


def test_a_full_text_is_cut_where_the_document_stops_fitting_one_tsvector(monkeypatch):
    monkeypatch.setattr(engine, "MAX_TSVECTOR_BYTES", 200)
    words = [f"word{n:03d}" for n in range(100)]
    engine.index(NAMESPACE, "big", fields={"title": "Big", "text": " ".join(words)}, lang="en")
    assert engine.search(NAMESPACE, "word005").total == 1
    assert engine.search(NAMESPACE, "word099").total == 0  # past the cut, on both databases alike
    monkeypatch.setattr(engine, "MAX_TEXT_TERMS", 3)
    engine.index(NAMESPACE, "big", fields={"title": "Big", "text": " ".join(words)}, lang="en")
    assert engine.search(NAMESPACE, "word002").total == 1 and engine.search(NAMESPACE, "word003").total == 0


# --- bad queries ----------------------------------------------------------------------------------

@pytest.mark.parametrize("q, code", [
    ("", "search_query_empty"),
    ("   ", "search_query_empty"),
    (None, "search_query_empty"),
    ('"" * - ( ) :', "search_query_empty"),
    ("және the и", "search_query_stop_words"),
    ("OR AND NOT", "search_query_stop_words"),
    ("тарих " * 60, "search_query_too_long"),
    (" ".join(f"w{n}" for n in range(33)), "search_query_too_long"),
])
def test_bad_queries_name_the_field(corpus, q, code):
    with pytest.raises(DomainError) as error:
        engine.search(NAMESPACE, q)
    assert error.value.code == code
    assert "q" in error.value.fields and error.value.fields["q"]


@pytest.mark.parametrize("q", [
    'тарих"', '"тарих', 'тарих*', 'NEAR(тарих оқулық)', 'тарих NEAR оқулық', '-тарих', 'тарих -оқулық',
    '(тарих', 'тарих)', "тарих' OR '1'='1", 'title:тарих', '{title}: тарих', 'тарих^', 'тарих AND', 'тарих & | ! <->',
    "тарих:*", "'тарих'",
])
def test_query_syntax_never_reaches_the_engine(corpus, q):
    """FTS5 and tsquery operators typed by users are just punctuation to the analyzer."""
    result = engine.search(NAMESPACE, q)
    assert result.total >= 0
    assert all(set(group) <= set().union(*result.query_terms) for group in result.query_terms)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_neither_deadlock_nor_lose_counts():
    """Writers replacing overlapping documents at the same time (each its own connection): every
    term's document count and the totals end up exactly those of the documents left. (SQLite has one
    writer at a time — IMMEDIATE transactions — and the test database in memory cannot show it.)"""
    import threading

    from django.db import connections

    errors = []

    def writer(number: int) -> None:
        try:
            for round_ in range(6):
                engine.index_many([
                    {"namespace": NAMESPACE, "key": f"k{(number + round_ + i) % 5}", "lang": "kk",
                     "fields": {"title": f"Қазақстан тарихы {number} {round_}", "description": "оқулық мектеп білім"},
                     "facets": {"type": ["textbook"]}}
                    for i in range(3)
                ])
        except Exception as error:  # noqa: BLE001 — reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert Document.objects.count() == 5
    assert engine.search(NAMESPACE, "тарихы", facets=["type"]).facets["type"] == [("textbook", 5)]
    _check_statistics()
