"""Vendor-specific structures of the index, installed by migration 0002 (``install`` / ``remove``).

SQLite: ``search_fts``, an FTS5 table whose *external content* is ``search_content``'s analysed-term
columns (FTS5 stores only its inverted index, not a second copy of the terms), tokenized by the
``ascii`` tokenizer — our terms contain only letters and digits, so it splits them exactly on the
spaces between them, as the analyzer produced them — and three triggers that keep it in step with
``search_content`` (the documented FTS5 external-content pattern).

PostgreSQL: ``search_content.tsv``, the document's terms as a ``tsvector`` of lexemes, with a GIN
index; and the postings' primary key widened to cover ``weight`` and ``length``, so that ranking is
an index-only scan. The engine builds it with ``array_to_tsvector`` rather than ``to_tsvector('simple', …)``: the
text-search parser would re-split our terms by its own idea of a word, and FTS5 and PostgreSQL must
hold the same tokens."""

from __future__ import annotations

# FTS5 columns, in order, with the bm25() weights the engine passes (see engine.FIELDS).
COLUMNS = ("title_terms", "creators_terms", "subjects_terms", "description_terms", "text_terms", "alias_terms")

_cols = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)

SQLITE = {
    "install": [
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5({_cols},
            content='search_content', content_rowid='document_id', tokenize='ascii')""",
        f"""CREATE TRIGGER IF NOT EXISTS search_content_fts_insert AFTER INSERT ON search_content BEGIN
            INSERT INTO search_fts(rowid, {_cols}) VALUES (new.document_id, {_new}); END""",
        f"""CREATE TRIGGER IF NOT EXISTS search_content_fts_delete AFTER DELETE ON search_content BEGIN
            INSERT INTO search_fts(search_fts, rowid, {_cols}) VALUES ('delete', old.document_id, {_old}); END""",
        f"""CREATE TRIGGER IF NOT EXISTS search_content_fts_update AFTER UPDATE OF {_cols} ON search_content BEGIN
            INSERT INTO search_fts(search_fts, rowid, {_cols}) VALUES ('delete', old.document_id, {_old});
            INSERT INTO search_fts(rowid, {_cols}) VALUES (new.document_id, {_new}); END""",
        # documents already there (none when the table is new) enter the index
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ],
    "remove": [
        "DROP TRIGGER IF EXISTS search_content_fts_insert",
        "DROP TRIGGER IF EXISTS search_content_fts_delete",
        "DROP TRIGGER IF EXISTS search_content_fts_update",
        "DROP TABLE IF EXISTS search_fts",
    ],
}

POSTGRESQL = {
    "install": [
        "ALTER TABLE search_content ADD COLUMN IF NOT EXISTS tsv tsvector NOT NULL DEFAULT ''::tsvector",
        "CREATE INDEX IF NOT EXISTS search_content_tsv ON search_content USING gin (tsv)",
        "ALTER TABLE search_posting DROP CONSTRAINT search_posting_pkey,"
        " ADD CONSTRAINT search_posting_pkey PRIMARY KEY (term_id, document_id) INCLUDE (weight, length)",
    ],
    "remove": [
        "ALTER TABLE search_posting DROP CONSTRAINT search_posting_pkey,"
        " ADD CONSTRAINT search_posting_pkey PRIMARY KEY (term_id, document_id)",
        "DROP INDEX IF EXISTS search_content_tsv",
        "ALTER TABLE search_content DROP COLUMN IF EXISTS tsv",
    ],
}

STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def _run(connection, which: str) -> None:
    with connection.cursor() as cursor:
        for statement in STATEMENTS.get(connection.vendor, {}).get(which, []):
            cursor.execute(statement)


def install(connection) -> None:
    _run(connection, "install")


def remove(connection) -> None:
    _run(connection, "remove")
