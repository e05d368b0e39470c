"""The search index: documents, their stored texts and analysed terms, facet values, and the
statistics PostgreSQL needs to rank exactly as SQLite's FTS5 does.

* ``Document`` — one searchable thing, ``(namespace, key)`` unique (``("library", "42")``), kept
  narrow (a search touches this row for every match): its language and ``length``, the number of
  terms in all columns (FTS5's document length).
* ``Content`` — the same document's wide part: the stored texts snippets are cut from, and its
  analysed terms per weighted field (``*_terms``, space-separated, in text order) with
  ``alias_terms`` (weight 0, see ``analyzer``). On SQLite these columns are the *external content*
  of the FTS5 table ``search_fts`` (migration 0002): triggers on this table keep the FTS5 index in
  step with every insert, update and delete — Django's own ``flush`` in transactional tests
  included. On PostgreSQL migration 0002 adds ``tsv``, all the terms as a ``tsvector``, with a GIN
  index.
* ``Facet`` — one (name, value) of a document; multi-valued.
* ``Term``, ``Posting``, ``Statistics`` — PostgreSQL only (empty on SQLite, where FTS5 keeps the
  same numbers in its shadow tables): terms per namespace with the number of documents holding them,
  per (term, document) the weighted frequency Σ column weight × occurrences (0 for a term found only
  among the aliases) and the document's length — a posting alone is enough to compute its BM25 part,
  and the primary key covers those columns, so ranking reads the index only — and the number of
  documents and of terms in the whole index (FTS5's row count and total size).

A migration that makes Django rebuild ``search_content`` on SQLite (changing a column's type) drops
its triggers: such a migration must run ``backends.install`` again."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    id = models.AutoField(primary_key=True)  # 32 bits: FTS5 rowid and PostgreSQL postings stay small
    namespace = models.CharField(_("namespace"), max_length=40)
    key = models.CharField(_("key"), max_length=100)
    lang = models.CharField(_("language"), max_length=8)
    length = models.IntegerField(_("number of terms"), default=0)
    indexed_at = models.DateTimeField(_("indexed at"), default=timezone.now)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [models.UniqueConstraint(fields=["namespace", "key"], name="search_document_namespace_key")]

    def __str__(self) -> str:
        return f"{self.namespace}:{self.key}"


class Content(models.Model):
    document = models.OneToOneField(Document, on_delete=models.CASCADE, primary_key=True, related_name="content")
    title = models.TextField(_("title"), blank=True)
    snippet_source = models.TextField(_("text for snippets"), blank=True)
    title_terms = models.TextField(blank=True, default="")
    creators_terms = models.TextField(blank=True, default="")
    subjects_terms = models.TextField(blank=True, default="")
    description_terms = models.TextField(blank=True, default="")
    text_terms = models.TextField(blank=True, default="")
    alias_terms = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("search document content")
        verbose_name_plural = _("search document contents")


class Facet(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="facets")
    name = models.CharField(_("facet"), max_length=40)
    value = models.CharField(_("value"), max_length=200)

    class Meta:
        verbose_name = _("facet value")
        verbose_name_plural = _("facet values")
        constraints = [models.UniqueConstraint(fields=["document", "name", "value"], name="search_facet_document_name_value")]
        # the documents having a value: a filter's set, read in one range
        indexes = [models.Index(fields=["name", "value", "document"], name="search_facet_name_value")]


class Term(models.Model):
    """PostgreSQL only: a term of a namespace and the number of its documents holding it."""

    id = models.AutoField(primary_key=True)
    namespace = models.CharField(max_length=40)
    term = models.CharField(max_length=200)
    documents = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "namespace"], name="search_term_term_namespace")]


class Posting(models.Model):
    """PostgreSQL only: a term in a document — Σ column weight × occurrences, and the document's
    length. Migration 0002 widens the primary key to cover ``weight`` and ``length``."""

    pk = models.CompositePrimaryKey("term_id", "document_id")
    term_id = models.IntegerField()
    document_id = models.IntegerField()
    weight = models.IntegerField()
    length = models.IntegerField()


class Statistics(models.Model):
    """PostgreSQL only: one row (id 1) — documents and terms in the whole index (FTS5's row count and
    total size, which its ``bm25()`` uses for the average document length)."""

    id = models.IntegerField(primary_key=True)
    documents = models.BigIntegerField(default=0)
    terms = models.BigIntegerField(default=0)
