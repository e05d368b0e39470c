"""The library's side of the search engine (``bilim.search``): what a record looks like as a search
document. Called inside the services' transactions, so the index changes with the record or not at
all.

Fields and weights (the engine's): title ×3, creators ×2, subjects ×2, description ×1 (with the
publisher and identifiers), full text ×1 (the text extracted from every file). Facets: type,
language, year, university, subject, access. Snippets are cut from the full text of open and
subscribers-only records (a few lines around the matched words, like a catalogue's "snippet view");
for records of the contributing university only and under embargo, from the description alone, so
that search never shows the text of files kept to one university."""

from __future__ import annotations

from django.utils import timezone

from .models import Access, Resource, ResourceFile

NAMESPACE = "library"


def _engine():
    from bilim.search import engine

    return engine


def full_text(resource: Resource) -> str:
    texts = ResourceFile.objects.filter(resource=resource, status=ResourceFile.Status.DONE).order_by("position", "id") \
        .values_list("extracted_text", flat=True)
    return "\n\n".join(t for t in texts if t)


def document(resource: Resource, text: str | None = None) -> dict:
    """The keyword arguments of ``engine.index`` for ``resource``."""
    text = full_text(resource) if text is None else text
    public_text = resource.access in (Access.OPEN, Access.SUBSCRIBERS) and not resource.embargoed(timezone.localdate())
    description = "\n".join(part for part in (resource.description, resource.publisher, resource.isbn, resource.doi) if part)
    facets = {
        "type": [resource.type],
        "language": [resource.language],
        "university": [str(resource.university_id)],
        "access": [resource.access],
        "subject": list(resource.subjects or []),
    }
    if resource.year:
        facets["year"] = [str(resource.year)]
    return {
        "fields": {
            "title": resource.title,
            "creators": "\n".join(resource.creators or []),
            "subjects": "\n".join(resource.subjects or []),
            "description": description,
            "text": text,
        },
        "lang": resource.language,
        "facets": facets,
        "snippet_source": (text if public_text and text else "") or resource.description,
    }


def reindex(resource: Resource, text: str | None = None) -> None:
    """Put ``resource`` in the index (or take it out if it is deleted)."""
    if resource.deleted_at is not None:
        remove(resource)
        return
    _engine().index(NAMESPACE, str(resource.pk), **document(resource, text))


def remove(resource: Resource) -> None:
    _engine().remove(NAMESPACE, str(resource.pk))


def reindex_all(batch: int = 500) -> int:
    """Index every live record again (after a restore or a change of the analyzer)."""
    engine = _engine()
    done = 0
    queryset = Resource.objects.filter(deleted_at__isnull=True).order_by("pk")
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last)[:batch])
        if not rows:
            return done
        if hasattr(engine, "index_many"):
            engine.index_many([{"namespace": NAMESPACE, "key": str(r.pk), **document(r)} for r in rows])
        else:
            for r in rows:
                engine.index(NAMESPACE, str(r.pk), **document(r))
        done += len(rows)
        last = rows[-1].pk
