"""The search engine: index documents, remove them, search them — the same answers on SQLite and
PostgreSQL.

Public API (everything else is private)::

    engine.index(namespace, key, *, fields, lang, facets=None, snippet_source="")
    engine.index_many(documents)          # dicts with namespace, key and index()'s keyword arguments
    engine.remove(namespace, key) -> bool
    engine.search(namespace, q, *, filters=None, facets=(), page=1, per_page=20) -> Result

* **Documents** are ``(namespace, key)`` (e.g. ``("library", "42")``); indexing a key again replaces
  the document. ``fields`` maps field names of ``FIELDS`` to text (or a list of texts): ``title`` ×3,
  ``creators`` ×2, ``subjects`` ×2, ``description`` ×1, ``text`` (the full text) ×1. ``lang`` is the
  document's language code (kk, ru and en are analysed with their morphology, any other code without
  stemming). ``facets`` maps facet names to their values (multi-valued: ``{"subject": ["Тарих",
  "Педагогика"], "year": ["2021"]}``). ``snippet_source`` is the text snippets are cut from (the
  first ``SNIPPET_SOURCE_CHARS`` characters are kept).
* **Writes** are atomic (a whole ``index_many`` call is one transaction, nested in the caller's if
  there is one) and validate everything before writing anything: a bad document raises ``DomainError``
  naming the field. They are not audited here: the index is derived data, and the service that
  changes the indexed record (e.g. the library's) audits that change in the same transaction.
* **Search** returns ``Result(total, hits=[Hit(key, score, snippet_html, title_html)], facets={name:
  [(value, count)]}, query_terms, page, per_page)``. ``q`` is analysed by ``analyzer.query_terms``
  (every word must match one of its alternatives: its Kazakh, Russian or English analysis); hits are
  ranked by BM25, then by key (bytewise). On SQLite that is FTS5's ``bm25()`` with the column weights;
  on PostgreSQL the same formula — k1 = 1.2, b = 0.75, idf = ln((N − n + 0.5)/(n + 0.5)) but at
  least 1e-6, f = Σ column weight × occurrences, the same document lengths, one term per phrase of
  the query, and the statistics (N, n, the average length) of the whole index across namespaces, as
  FTS5 keeps them — computed from the postings this module maintains: the postings' covering primary
  key gives match and score in one index-only scan; a query whose rarest word is in few documents
  finds them through the GIN index on the terms' ``tsvector`` instead. Scores are rounded to 9
  decimals before ordering, so that the two engines' last-bit differences (summation order) cannot
  reorder equal scores: the same query gives the same hits in the same order on both databases.
  One statement answers a search: the match set is computed once, then the total, the facets and the
  page (the page is cut by score before the keys are looked up). ``filters`` keep documents having
  one of the listed values of each named facet; ``facets`` asks for value counts over the whole match
  set, each facet counted with every filter but its own (a chosen value's alternatives stay visible),
  ordered by count, then value. Snippets are cut around the window with the most query words —
  matched by analysis, so a Latin query highlights the Cyrillic word — HTML-escaped, with ``<mark>``.
* **Bad queries** raise ``DomainError`` naming ``q``: empty, only stop words, longer than
  ``MAX_QUERY_CHARS`` characters or ``MAX_QUERY_WORDS`` words. What users type never reaches MATCH or
  ``tsquery``: only analysed terms (letters and digits) do, each quoted."""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core.errors import DomainError

from . import analyzer
from .backends import COLUMNS

# Field → bm25 weight, in the order of the FTS5 columns; the aliases column (last) weighs 0.
FIELDS = {"title": 3, "creators": 2, "subjects": 2, "description": 1, "text": 1}
WEIGHTS = (*FIELDS.values(), 0)
K1, B = 1.2, 0.75
MAX_QUERY_CHARS = 256
MAX_QUERY_WORDS = 32
MAX_PER_PAGE = 100
MAX_RESULT_WINDOW = 10_000  # deepest hit a page may reach
MAX_FILTER_VALUES = 50
# A document's terms end up in one PostgreSQL tsvector (at most 1 MB): the full text is indexed up to
# MAX_TEXT_TERMS words (≈ 1,000 pages) and as long as its distinct terms fit; both databases index
# exactly the same terms.
MAX_TEXT_TERMS = 300_000
MAX_TSVECTOR_BYTES = 1_000_000
SNIPPET_SOURCE_CHARS = 100_000
SNIPPET_CHARS = 240
BATCH = 1000
_NAMESPACE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")
_SAFE_TERM = re.compile(r"^[^\W_]+$")


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    snippet_html: str
    title_html: str


@dataclass(frozen=True)
class Result:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    query_terms: list[frozenset[str]]
    page: int = 1
    per_page: int = 20


@dataclass
class _Prepared:
    namespace: str
    key: str
    lang: str
    title: str
    snippet_source: str
    columns: list[list[str]]  # terms per column of COLUMNS
    facets: list[tuple[str, str]]
    length: int = 0
    id: int | None = None

    def distinct_terms(self) -> set[str]:
        return set().union(*map(set, self.columns))

    def weights(self) -> Counter:
        weights: Counter = Counter()
        for column, weight in zip(self.columns, WEIGHTS):
            if weight:
                for term in column:
                    weights[term] += weight
        return weights


# --- writes --------------------------------------------------------------------------------------

def index(namespace: str, key: str, *, fields: Mapping[str, str | Iterable[str]], lang: str,
          facets: Mapping[str, Iterable[str]] | None = None, snippet_source: str = "") -> None:
    """Put one document in the index (replacing the one with the same namespace and key)."""
    index_many([{"namespace": namespace, "key": key, "fields": fields, "lang": lang, "facets": facets,
                 "snippet_source": snippet_source}])


def index_many(documents: Iterable[Mapping], *, batch_size: int = BATCH) -> int:
    """Index many documents (dicts with ``namespace``, ``key`` and ``index``'s keyword arguments) in
    one transaction, written in batches of ``batch_size`` (bulk statements; COPY on PostgreSQL).
    Returns the number of documents indexed."""
    count = 0
    with transaction.atomic():
        iterator = iter(documents)
        while batch := list(islice(iterator, batch_size)):
            prepared = {}
            for position, document in enumerate(batch, start=count + 1):
                item = _prepare(document, position)
                prepared[(item.namespace, item.key)] = item  # the same key twice: the last wins
            _backend().write(list(prepared.values()))
            count += len(batch)
    return count


def remove(namespace: str, key: str) -> bool:
    """Take a document out of the index; False if it was not there."""
    with transaction.atomic():
        return _backend().remove(namespace, str(key)) > 0


def _invalid(field_name: str, reason: str, position: int | None = None) -> DomainError:
    message = _("The document cannot be indexed: %(reason)s") % {"reason": reason}
    if position is not None and position > 1:
        message = _("Document %(number)s cannot be indexed: %(reason)s") % {"number": position, "reason": reason}
    return DomainError("search_invalid_document", message, fields={field_name: reason})


def _text(value, field_name: str, position: int) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    raise _invalid(field_name, _("A field must be a text or a list of texts."), position)


def _prepare(document: Mapping, position: int = 1) -> _Prepared:
    """Check one document and analyse it; nothing is written."""
    if not isinstance(document, Mapping):
        raise _invalid("document", _("A document must be a mapping of its parts."), position)
    namespace, key = document.get("namespace"), document.get("key")
    if not isinstance(namespace, str) or not _NAMESPACE.match(namespace):
        raise _invalid("namespace", _("The namespace must be 1 to 40 lower-case Latin letters, digits, dots, dashes or underscores."), position)
    key = str(key) if isinstance(key, int) else key
    if not isinstance(key, str) or not key.strip() or len(key) > 100:
        raise _invalid("key", _("The key must be a text of 1 to 100 characters."), position)
    lang = document.get("lang")
    if not isinstance(lang, str) or not _LANG.match(lang.lower()):
        raise _invalid("lang", _("The language must be a language code such as kk, ru or en."), position)
    lang = lang.lower()
    fields = document.get("fields") or {}
    if not isinstance(fields, Mapping):
        raise _invalid("fields", _("The fields must be a mapping of field names to texts."), position)
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise _invalid("fields", _("Unknown field: %(name)s (known: %(known)s).") % {"name": ", ".join(map(str, unknown)), "known": ", ".join(FIELDS)}, position)
    texts = {name: _text(fields.get(name), name, position) for name in FIELDS}
    facets = []
    raw_facets = document.get("facets") or {}
    if not isinstance(raw_facets, Mapping):
        raise _invalid("facets", _("The facets must be a mapping of facet names to lists of values."), position)
    for name, values in raw_facets.items():
        if not isinstance(name, str) or not 1 <= len(name) <= 40:
            raise _invalid("facets", _("A facet name must be a text of 1 to 40 characters."), position)
        if isinstance(values, (str, int)):
            values = [values]
        if not isinstance(values, Iterable):
            raise _invalid("facets", _("The values of facet %(name)s must be a list.") % {"name": name}, position)
        for value in values:
            value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
            if not isinstance(value, str) or not value.strip() or len(value) > 200:
                raise _invalid("facets", _("A value of facet %(name)s must be a text of 1 to 200 characters.") % {"name": name}, position)
            if (name, value) not in facets:
                facets.append((name, value))
    snippet_source = document.get("snippet_source") or ""
    if not isinstance(snippet_source, str):
        raise _invalid("snippet_source", _("The snippet source must be a text."), position)

    columns: list[list[str]] = []
    aliases: list[str] = []
    for name in FIELDS:
        if name == "text":
            terms, text_aliases = _text_terms(texts[name], lang, columns, aliases)
        else:
            terms, text_aliases = analyzer.analyse(texts[name], lang)
        columns.append(terms)
        aliases.extend(text_aliases)
    columns.append(aliases)
    prepared = _Prepared(namespace, key, lang, texts["title"].strip(), snippet_source[:SNIPPET_SOURCE_CHARS], columns, facets)
    prepared.length = sum(len(column) for column in columns)
    return prepared


def _tsvector_bytes(terms: Iterable[str]) -> int:
    return sum(4 + len(term.encode()) for term in terms)


def _text_terms(text: str, lang: str, columns: list[list[str]], aliases: list[str]) -> tuple[list[str], list[str]]:
    """The full text's terms and aliases, cut where the document would no longer fit one tsvector
    (or at ``MAX_TEXT_TERMS``)."""
    terms, text_aliases = analyzer.analyse(text, lang)
    seen = set().union(*map(set, columns), aliases)
    if len(terms) <= MAX_TEXT_TERMS and _tsvector_bytes(seen | set(terms) | set(text_aliases)) + 8 <= MAX_TSVECTOR_BYTES:
        return terms, text_aliases
    terms, text_aliases = [], []
    budget = MAX_TSVECTOR_BYTES - 8 - _tsvector_bytes(seen)
    for token in analyzer.tokens(text):
        term, alias = analyzer.index_token(token, lang)
        if not term and not alias:
            continue
        cost = _tsvector_bytes({term, alias} - seen - {None})
        if len(terms) >= MAX_TEXT_TERMS or cost > budget:
            break
        budget -= cost
        seen.update(t for t in (term, alias) if t)
        if term:
            terms.append(term)
        if alias:
            text_aliases.append(alias)
    return terms, text_aliases


def _existing(namespace: str, keys: list[str]) -> list[_Prepared]:
    """The stored documents of ``namespace`` with these keys (with their terms, for removal)."""
    found = []
    columns = ", ".join(f"c.{c}" for c in COLUMNS)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            cursor.execute(
                f"SELECT d.id, d.key, d.length, {columns} FROM search_document d JOIN search_content c ON c.document_id = d.id"
                f" WHERE d.namespace = %s AND d.key IN ({', '.join(['%s'] * len(chunk))})",
                [namespace, *chunk],
            )
            for row in cursor.fetchall():
                found.append(_Prepared(namespace, row[1], "", "", "", [(text or "").split() for text in row[3:]], [], row[2], row[0]))
    return found


# --- search --------------------------------------------------------------------------------------

def parse_query(q) -> list[frozenset[str]]:
    """The query's word groups (``analyzer.query_terms``), or ``DomainError`` naming ``q``."""
    q = q if isinstance(q, str) else ""
    if not q.strip():
        raise DomainError("search_query_empty", _("Type a word to search for."), fields={"q": _("The search query is empty.")})
    words = analyzer.query_words(q)
    if len(q) > MAX_QUERY_CHARS or len(words) > MAX_QUERY_WORDS:
        reason = _("The query is too long: at most %(chars)s characters and %(words)s words.") % {"chars": MAX_QUERY_CHARS, "words": MAX_QUERY_WORDS}
        raise DomainError("search_query_too_long", reason, fields={"q": reason})
    if not words:
        reason = _("The query has no words, only punctuation or symbols.")
        raise DomainError("search_query_empty", reason, fields={"q": reason})
    groups = analyzer.query_terms(q)
    groups = [frozenset(t for t in group if _SAFE_TERM.match(t)) for group in groups]
    groups = [group for group in groups if group]
    if not groups:
        reason = _("The query has only very common words (such as “and” or “the”): add a more specific word.")
        raise DomainError("search_query_stop_words", reason, fields={"q": reason})
    return groups


def _check_filters(filters) -> dict[str, list[str]]:
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        raise DomainError("validation_error", _("Filters must map facet names to lists of values."), fields={"filters": _("Not a mapping.")})
    checked = {}
    for name, values in filters.items():
        if isinstance(values, str):
            values = [values]
        values = [str(v) for v in (values or []) if str(v).strip()]
        if not isinstance(name, str) or not 1 <= len(name) <= 40 or len(values) > MAX_FILTER_VALUES or any(len(v) > 200 for v in values):
            reason = _("A filter names a facet and at most %(count)s values of up to 200 characters.") % {"count": MAX_FILTER_VALUES}
            raise DomainError("validation_error", reason, fields={"filters": reason})
        if values:
            checked[name] = sorted(set(values))
    return checked


def search(namespace: str, q: str, *, filters: Mapping[str, Iterable[str]] | None = None, facets: Iterable[str] = (),
           page: int = 1, per_page: int = 20, facet_limit: int = 50) -> Result:
    """Search ``namespace`` for ``q``: the page's hits, the total, and the requested facets' counts."""
    groups = parse_query(q)
    filters = _check_filters(filters)
    facet_names = list(dict.fromkeys([facets] if isinstance(facets, str) else (facets or ())))
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise DomainError("validation_error", _("The page must be a whole number from 1."), fields={"page": _("Must be 1 or more.")})
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
        reason = _("From 1 to %(max)s hits per page.") % {"max": MAX_PER_PAGE}
        raise DomainError("validation_error", reason, fields={"per_page": reason})
    offset = (page - 1) * per_page
    if offset + per_page > MAX_RESULT_WINDOW:
        reason = _("Only the first %(max)s hits can be paged through: refine the query.") % {"max": MAX_RESULT_WINDOW}
        raise DomainError("validation_error", reason, fields={"page": reason})
    backend = _backend()
    query = backend.query(groups, namespace)
    facet_counts: dict[str, list[tuple[str, int]]] = {name: [] for name in facet_names}
    if query is None:
        return Result(0, [], facet_counts, groups, page, per_page)
    sql, params = _statement(backend, query, namespace, filters, facet_names, per_page, offset)
    total, rows, counted = 0, [], {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, name, value, number, key, doc_id in cursor.fetchall():
            if kind == 0:
                total = int(number)
            elif kind == 1:
                if name in facet_names and name not in filters:
                    counted.setdefault(name, {})[value] = int(number)
            elif kind == 3:  # a filtered facet, counted with the other filters
                counted.setdefault(name, {})[value] = int(number)
            elif kind == 2:
                rows.append((doc_id, key, float(number)))
    rows.sort(key=lambda row: (-row[2], row[1].encode()))
    for name in facet_names:
        values = counted.get(name, {})
        facet_counts[name] = sorted(values.items(), key=lambda item: (-item[1], item[0].encode()))[:facet_limit]
    return Result(total, _hits(rows, groups), facet_counts, groups, page, per_page)


def _filter_sql(filters: dict[str, list[str]], column: str) -> tuple[str, list]:
    sql, params = [], []
    for name, values in filters.items():
        sql.append(f" AND EXISTS (SELECT 1 FROM search_facet f WHERE f.document_id = {column} AND f.name = %s"
                   f" AND f.value IN ({', '.join(['%s'] * len(values))}))")
        params += [name, *values]
    return "".join(sql), params


def _statement(backend, query: _Query, namespace: str, filters: dict, facet_names: list[str], limit: int, offset: int) -> tuple[str, list]:
    """One statement for the whole answer: the match set (``hits``: id, score) computed once, then
    rows (kind, name, value, number, key, id) — kind 0 the total, 1 a facet value's count, 2 a hit
    of the page, 3 a filtered facet's value counted with the other filters only. The page is cut by score first and only the rows at or above the page's last score
    are joined to their keys, so a million matches are never sorted by key."""
    hits_sql, params = backend.hits(query, namespace)
    kept_where, kept_params = _filter_sql(filters, "h.id")
    parts = [f"WITH {hits_sql}, kept AS MATERIALIZED (SELECT h.id, h.score FROM hits h WHERE true{kept_where})"]
    params += kept_params
    text, integer = "CAST(NULL AS TEXT)", "CAST(NULL AS INTEGER)"  # typed, for PostgreSQL's UNION
    selects = [f"SELECT 0, {text}, {text}, count(*), {text}, {integer} FROM kept"]
    if any(name not in filters for name in facet_names):
        # every facet value of each kept document in one index range (the names not asked for are
        # dropped afterwards): one probe per document instead of one per document and name
        selects.append(f"SELECT 1, g.name, g.value, count(*), {text}, {integer} FROM kept k {backend.join} search_facet g"
                       " ON g.document_id = k.id GROUP BY g.name, g.value")
    for name in facet_names:
        if name in filters:  # a filtered facet is counted with the other filters only
            where, where_params = _filter_sql({k: v for k, v in filters.items() if k != name}, "h.id")
            selects.append(f"SELECT 3, g.name, g.value, count(*), {text}, {integer} FROM hits h JOIN search_facet g ON g.document_id = h.id"
                           f" WHERE g.name = %s{where} GROUP BY g.name, g.value")
            params += [name, *where_params]
    selects.append(
        f"SELECT * FROM (SELECT 2, {text}, {text}, k.score, d.key, k.id FROM kept k JOIN search_document d ON d.id = k.id"
        " WHERE k.score >= coalesce((SELECT score FROM kept ORDER BY score DESC LIMIT 1 OFFSET %s), -1)"
        f" ORDER BY k.score DESC, d.key{backend.binary} LIMIT %s OFFSET %s) AS page"
    )
    params += [offset + limit - 1, limit, offset]
    return parts[0] + " " + " UNION ALL ".join(selects), params


# --- snippets ------------------------------------------------------------------------------------

_RAW_WORD = re.compile(r"[^\W_]+(?:['’ʼʻ`´][^\W_]+)*")
_SPACE = re.compile(r"\s+")


def _matches(text: str, lang: str, wanted: dict[str, int]) -> list[tuple[int, int, frozenset[int]]]:
    """(start, end, query groups) of the words of ``text`` whose analysis is a query term."""
    if not text:
        return []
    hit_words: dict[str, frozenset[int]] = {}
    for word in set(_RAW_WORD.findall(text)):
        groups = frozenset(wanted[t] for t in analyzer.written_word_terms(word, lang) if t in wanted)
        if groups:
            hit_words[word] = groups
    if not hit_words:
        return []
    return [(m.start(), m.end(), hit_words[m.group()]) for m in _RAW_WORD.finditer(text) if m.group() in hit_words]


def _render(text: str, marks: list[tuple[int, int, frozenset[int]]], start: int, end: int) -> str:
    out, position = [], start
    for mark_start, mark_end, _groups in marks:
        if mark_start < start or mark_end > end:
            continue
        out.append(html.escape(_SPACE.sub(" ", text[position:mark_start])))
        out.append(f"<mark>{html.escape(text[mark_start:mark_end])}</mark>")
        position = mark_end
    out.append(html.escape(_SPACE.sub(" ", text[position:end])))
    return "".join(out)


def _snippet(text: str, marks: list[tuple[int, int, frozenset[int]]]) -> str:
    """About ``SNIPPET_CHARS`` characters of ``text`` around the window with the most distinct
    query words, cut at spaces, with an ellipsis where the text goes on."""
    text = text.strip()
    if not text:
        return ""
    best, best_score = 0, (-1, -1)
    right = 0
    for left, (start, _end, _groups) in enumerate(marks):
        right = max(right, left)
        while right + 1 < len(marks) and marks[right + 1][1] - start <= SNIPPET_CHARS - 40:
            right += 1
        inside = marks[left : right + 1]
        score = (len(frozenset().union(*(g for _s, _e, g in inside))), len(inside))
        if score > best_score:
            best, best_score = left, score
    anchor = marks[best][0] if marks else 0
    begin = max(0, anchor - 60)
    if begin:
        space = text.find(" ", begin, anchor)
        begin = space + 1 if space != -1 else begin
    finish = min(len(text), begin + SNIPPET_CHARS)
    if finish < len(text):
        space = text.rfind(" ", max(anchor, begin), finish)
        finish = space if space > begin else finish
    body = _render(text, marks, begin, finish).strip()
    return ("… " if begin > 0 else "") + body + (" …" if finish < len(text) else "")


def _stored(ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """id → (lang, title, snippet source) of the page's documents."""
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT d.id, d.lang, c.title, c.snippet_source FROM search_document d JOIN search_content c ON c.document_id = d.id"
                       f" WHERE d.id IN ({', '.join(['%s'] * len(ids))})", ids)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _hits(rows: list[tuple[int, str, float]], groups: list[frozenset[str]]) -> list[Hit]:
    wanted = {term: index for index, group in enumerate(groups) for term in group}
    stored = _stored([row[0] for row in rows])
    hits = []
    for doc_id, key, score in rows:
        lang, title, source = stored[doc_id]
        title_marks = _matches(title, lang, wanted)
        source_marks = _matches(source[:SNIPPET_SOURCE_CHARS], lang, wanted)
        hits.append(Hit(
            key=key,
            score=round(float(score), 6),
            snippet_html=_snippet(source, source_marks),
            title_html=_render(title, title_marks, 0, len(title)) if title else "",
        ))
    return hits


# --- the two backends ----------------------------------------------------------------------------

@dataclass
class _Query:
    groups: list[frozenset[str]]
    match: str = ""  # FTS5 MATCH expression / tsquery: quoted analysed terms only
    # PostgreSQL: one row per phrase of the query (term id, bit of its word, idf), as FTS5 sums one
    # term per phrase (a term named by two words counts twice); whether to match through the GIN index
    phrases: list[tuple[int, int, float]] = field(default_factory=list)
    avgdl: float = 0.0
    selective: bool = False


def _idf(documents: int, containing: int) -> float:
    """FTS5's idf (fts5_aux.c): ln((N − n + 0.5) / (n + 0.5)), at least 1e-6."""
    idf = math.log((documents - containing + 0.5) / (containing + 0.5))
    return idf if idf > 0.0 else 1e-6


class _SQLite:
    binary = ""  # SQLite compares text bytewise (BINARY) by default
    join = "CROSS JOIN"  # SQLite keeps the left table outside: the match set drives the lookups
    ranking = f"round(-bm25(search_fts, {', '.join(f'{w:.1f}' for w in WEIGHTS)}), 9)"

    def query(self, groups: list[frozenset[str]], namespace: str) -> _Query:
        match = " AND ".join("(" + " OR ".join(f'"{term}"' for term in sorted(group)) + ")" for group in groups)
        return _Query(groups, match)

    def hits(self, query: _Query, namespace: str) -> tuple[str, list]:
        if self._only_namespace(namespace):
            return (f"hits AS MATERIALIZED (SELECT search_fts.rowid AS id, {self.ranking} AS score FROM search_fts"
                    " WHERE search_fts MATCH %s)", [query.match])
        return (f"hits AS MATERIALIZED (SELECT search_fts.rowid AS id, {self.ranking} AS score FROM search_fts"
                " CROSS JOIN search_document d ON d.id = search_fts.rowid WHERE search_fts MATCH %s AND d.namespace = %s)",
                [query.match, namespace])

    @staticmethod
    def _only_namespace(namespace: str) -> bool:
        """True when every indexed document is in ``namespace`` (two index lookups): then the match
        set needs no join to know its documents' namespace."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT (SELECT min(namespace) FROM search_document), (SELECT max(namespace) FROM search_document)")
            low, high = cursor.fetchone()
        return low == high == namespace

    def write(self, documents: list[_Prepared]) -> None:
        self.delete(_existing_of(documents))
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(coalesce((SELECT max(id) FROM search_document), 0),"
                           " coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'search_document'), 0))")
            next_id = cursor.fetchone()[0] + 1
            for offset, doc in enumerate(documents):
                doc.id = next_id + offset
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.executemany("INSERT INTO search_document (id, namespace, key, lang, length, indexed_at) VALUES (%s, %s, %s, %s, %s, %s)",
                               [(d.id, d.namespace, d.key, d.lang, d.length, now) for d in documents])
            cursor.executemany(  # the trigger indexes the terms in FTS5
                f"INSERT INTO search_content (document_id, title, snippet_source, {', '.join(COLUMNS)})"
                f" VALUES ({', '.join(['%s'] * (3 + len(COLUMNS)))})",
                [(d.id, d.title, d.snippet_source, *(" ".join(c) for c in d.columns)) for d in documents],
            )
            facet_rows = [(d.id, name, value) for d in documents for name, value in d.facets]
            if facet_rows:
                cursor.executemany("INSERT INTO search_facet (document_id, name, value) VALUES (%s, %s, %s)", facet_rows)

    def remove(self, namespace: str, key: str) -> int:
        return self.delete(_existing(namespace, [key]))  # inside the write transaction: writers are serialized

    def delete(self, documents: list[_Prepared]) -> int:
        ids = [doc.id for doc in documents]
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM search_facet WHERE document_id IN ({marks})", chunk)
                cursor.execute(f"DELETE FROM search_content WHERE document_id IN ({marks})", chunk)  # the trigger updates FTS5
                cursor.execute(f"DELETE FROM search_document WHERE id IN ({marks})", chunk)
        return len(ids)


class _PostgreSQL:
    binary = ' COLLATE "C"'  # bytewise, as SQLite
    join = "JOIN"
    # A query whose rarest word is in at most this many documents finds them through the GIN index
    # on tsv; a broader one reads the postings of its terms (an index-only scan) — the same set.
    SELECTIVE = 5_000

    def query(self, groups: list[frozenset[str]], namespace: str) -> _Query | None:
        terms = sorted({t for g in groups for t in g})
        with connection.cursor() as cursor:
            cursor.execute("SELECT documents, terms FROM search_statistics WHERE id = 1")
            row = cursor.fetchone()
            if not row or not row[0]:
                return None
            documents, total_terms = row
            # the statistics are the whole index's, as FTS5's; the postings read are the namespace's
            cursor.execute("SELECT term, sum(documents) FROM search_term WHERE term = ANY(%s) GROUP BY term", [terms])
            df = {term: int(n) for term, n in cursor.fetchall()}
            cursor.execute("SELECT term, id, documents FROM search_term WHERE namespace = %s AND term = ANY(%s) AND documents > 0",
                           [namespace, terms])
            here = {term: (term_id, n) for term, term_id, n in cursor.fetchall()}
        if any(not any(t in here for t in group) for group in groups):
            return None  # some word is in no document of the namespace
        query = _Query(groups, " & ".join("(" + " | ".join(f"'{t}'" for t in sorted(g)) + ")" for g in groups))
        for bit, group in enumerate(groups):
            for term in sorted(group):
                if term in here:
                    query.phrases.append((here[term][0], 1 << bit, _idf(documents, df[term])))
        query.avgdl = total_terms / documents
        query.selective = min(sum(here.get(t, (0, 0))[1] for t in g) for g in groups) <= self.SELECTIVE
        return query

    def hits(self, query: _Query, namespace: str) -> tuple[str, list]:
        """The match set with BM25 as FTS5 computes it: per phrase idf × f·(k1+1) / (f + k1·(1 − b +
        b·D/avgdl)), f the posting's weight, D its document's length, summed per document."""
        ids, bits, idfs = (list(column) for column in zip(*query.phrases))
        score = (f"round(sum(q.idf * ((p.weight * {K1 + 1.0!r}::float8) / (p.weight + {K1!r}::float8"
                 f" * ({1 - B!r}::float8 + {B!r}::float8 * p.length / %s::float8))))::numeric, 9)")
        full = (1 << len(query.groups)) - 1
        phrases = "q AS (SELECT * FROM unnest(%s::int[], %s::int8[], %s::float8[]) AS q(term_id, bit, idf))"
        if query.selective:
            # the GIN index finds the documents; each one's postings of the query's terms give its
            # score (and keep it only if it is the namespace's: the term ids are the namespace's)
            return (f"{phrases}, matched AS MATERIALIZED (SELECT c.document_id FROM search_content c WHERE c.tsv @@ %s::tsquery),"
                    f" hits AS MATERIALIZED (SELECT m.document_id AS id, s.score FROM matched m CROSS JOIN LATERAL"
                    f" (SELECT {score} AS score, count(*) AS n FROM q JOIN search_posting p"
                    "  ON p.term_id = q.term_id AND p.document_id = m.document_id) AS s WHERE s.n > 0)",
                    [ids, bits, idfs, query.match, query.avgdl])
        return (f"{phrases}, hits AS MATERIALIZED (SELECT p.document_id AS id, {score} AS score"
                " FROM q JOIN search_posting p ON p.term_id = q.term_id GROUP BY p.document_id HAVING bit_or(q.bit) = %s)",
                [ids, bits, idfs, query.avgdl, full])

    def _term_ids(self, cursor, deltas: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
        """Add ``deltas`` to the terms' document counts (creating new terms); their ids. Sorted, so
        concurrent writers lock the terms in the same order."""
        ids: dict[tuple[str, str], int] = {}
        items = sorted(deltas.items())
        for start in range(0, len(items), 20_000):
            chunk = items[start : start + 20_000]
            cursor.execute(
                "INSERT INTO search_term (namespace, term, documents)"
                " SELECT s, t, n FROM unnest(%s::text[], %s::text[], %s::int[]) AS u(s, t, n) ORDER BY s, t"
                " ON CONFLICT (term, namespace) DO UPDATE SET documents = search_term.documents + excluded.documents"
                " RETURNING id, namespace, term",
                [[s for (s, _t), _n in chunk], [t for (_s, t), _n in chunk], [n for _k, n in chunk]],
            )
            ids.update(((namespace, term), term_id) for term_id, namespace, term in cursor.fetchall())
        return ids

    def _statistics(self, cursor, documents: int, terms: int) -> None:
        cursor.execute(
            "INSERT INTO search_statistics (id, documents, terms) VALUES (1, %s, %s) ON CONFLICT (id) DO UPDATE"
            " SET documents = search_statistics.documents + excluded.documents, terms = search_statistics.terms + excluded.terms",
            [documents, terms],
        )

    def write(self, documents: list[_Prepared]) -> None:
        """Replace the documents with these keys by ``documents``. Locks are taken in one order by
        every writer — the terms (sorted, in one statement), then the statistics row — so concurrent
        writers wait for each other but never deadlock."""
        with connection.cursor() as cursor:
            self._lock_keys(cursor, documents)
            old = _existing_of(documents)
            cursor.execute("SELECT nextval(pg_get_serial_sequence('search_document', 'id')) FROM generate_series(1, %s)", [len(documents)])
            for doc, (new_id,) in zip(documents, cursor.fetchall()):
                doc.id = new_id
            distinct = {doc.id: doc.distinct_terms() for doc in documents}
            deltas: Counter = Counter((d.namespace, t) for d in documents for t in distinct[d.id])
            for doc in old:
                for term in doc.distinct_terms():
                    deltas[(doc.namespace, term)] -= 1
            ids = self._term_ids(cursor, deltas)
            self._remove_rows(cursor, old, ids)
            now = timezone.now()
            raw = cursor.cursor  # psycopg's cursor: COPY
            with raw.copy("COPY search_document (id, namespace, key, lang, length, indexed_at) FROM STDIN") as copy:
                for d in documents:
                    copy.write_row((d.id, d.namespace, d.key, d.lang, d.length, now))
            with raw.copy(f"COPY search_content (document_id, title, snippet_source, {', '.join(COLUMNS)}, tsv) FROM STDIN") as copy:
                for d in documents:
                    tsv = " ".join(f"'{t}'" for t in sorted(distinct[d.id]))
                    copy.write_row((d.id, d.title, d.snippet_source, *(" ".join(c) for c in d.columns), tsv))
            with raw.copy("COPY search_facet (document_id, name, value) FROM STDIN") as copy:
                for d in documents:
                    for name, value in d.facets:
                        copy.write_row((d.id, name, value))
            with raw.copy("COPY search_posting (term_id, document_id, weight, length) FROM STDIN") as copy:
                for d in documents:
                    weights = d.weights()
                    for term in distinct[d.id]:
                        copy.write_row((ids[(d.namespace, term)], d.id, weights.get(term, 0), d.length))
            self._statistics(cursor, len(documents) - len(old), sum(d.length for d in documents) - sum(d.length for d in old))

    @staticmethod
    def _lock_keys(cursor, documents: list[_Prepared]) -> None:
        """Serialize the writers of the same (namespace, key) until commit — two of them would both
        see no document and both insert one, or both count the old one's terms out — with
        transaction-level advisory locks, taken in sorted order (no deadlock between writers)."""
        keys = sorted({int.from_bytes(hashlib.blake2b(f"{d.namespace}\x1f{d.key}".encode(), digest_size=8).digest(), "big", signed=True)
                       for d in documents})
        cursor.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::int8[]) WITH ORDINALITY AS u(k, n)", [keys])

    def remove(self, namespace: str, key: str) -> int:
        with connection.cursor() as cursor:
            self._lock_keys(cursor, [_Prepared(namespace, key, "", "", "", [], [])])
        return self.delete(_existing(namespace, [key]))

    def delete(self, documents: list[_Prepared]) -> int:
        if not documents:
            return 0
        with connection.cursor() as cursor:
            deltas: Counter = Counter()
            for doc in documents:
                for term in doc.distinct_terms():
                    deltas[(doc.namespace, term)] -= 1
            ids = self._term_ids(cursor, deltas)
            self._remove_rows(cursor, documents, ids)
            self._statistics(cursor, -len(documents), -sum(d.length for d in documents))
        return len(documents)

    @staticmethod
    def _remove_rows(cursor, documents: list[_Prepared], ids: dict[tuple[str, str], int]) -> None:
        if not documents:
            return
        pairs = [(ids[(d.namespace, term)], d.id) for d in documents for term in d.distinct_terms()]
        for start in range(0, len(pairs), 50_000):
            chunk = pairs[start : start + 50_000]
            cursor.execute("DELETE FROM search_posting p USING unnest(%s::int[], %s::int[]) AS x(t, d)"
                           " WHERE p.term_id = x.t AND p.document_id = x.d", [[t for t, _d in chunk], [d for _t, d in chunk]])
        doc_ids = [d.id for d in documents]
        cursor.execute("DELETE FROM search_facet WHERE document_id = ANY(%s)", [doc_ids])
        cursor.execute("DELETE FROM search_content WHERE document_id = ANY(%s)", [doc_ids])
        cursor.execute("DELETE FROM search_document WHERE id = ANY(%s)", [doc_ids])


def _existing_of(documents: list[_Prepared]) -> list[_Prepared]:
    by_namespace: dict[str, list[str]] = {}
    for doc in documents:
        by_namespace.setdefault(doc.namespace, []).append(doc.key)
    return [doc for namespace, keys in by_namespace.items() for doc in _existing(namespace, keys)]


def _backend():
    return _PostgreSQL() if connection.vendor == "postgresql" else _SQLite()
