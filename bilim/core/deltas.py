"""Totals kept current by deltas: ``INSERT … ON CONFLICT (key) DO UPDATE SET m = m + excluded.m``.

One statement per chunk of rows, the same SQL on SQLite (≥ 3.24) and PostgreSQL. Used wherever a
total of a unit and of every unit above it moves as facts change (reporting's consolidation, the
journal's roll-ups), so that readers never sum the facts themselves."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

CHUNK = 500


def add(table: str, keys: Sequence[str], measures: Sequence[str], rows: Sequence[Sequence], *, extra: dict[str, str] | None = None) -> None:
    """Add ``rows`` (key values followed by measure deltas, in the order of ``keys`` + ``measures``)
    to ``table``; a missing row is created with the deltas as its values. ``extra`` sets further
    columns to a SQL expression on insert and update (e.g. ``{"updated_at": "CURRENT_TIMESTAMP"}``)."""
    if not rows:
        return
    extra = extra or {}
    columns = [*keys, *measures]
    updates = [f"{m} = {table}.{m} + excluded.{m}" for m in measures] + [f"{c} = {expr}" for c, expr in extra.items()]
    row_sql = "(" + ", ".join(["%s"] * len(columns) + list(extra.values())) + ")"
    sql = (f"INSERT INTO {table} ({', '.join(columns + list(extra))}) VALUES {{values}} "
           f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(updates)}")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(sql.format(values=", ".join([row_sql] * len(chunk))), [v for row in chunk for v in row])
