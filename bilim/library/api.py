"""Library API (``/api/v1/library/``): search and read records (public metadata, no login needed),
and, for librarians, their collections and the creation, change, withdrawal and files of records
in them. Scoped like the pages: a collection or record a librarian does not manage is a 404."""

import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Field, File, Path, Query, Router, Schema, UploadedFile
from ninja.responses import Status

from bilim.core.api import ERRORS, ErrorOut

from . import access, selectors, services
from .models import Access, Language, Resource, ResourceType

router = Router(tags=["library"])
ID = Path(..., ge=1, le=2**62)
WRITE_ERRORS = {**ERRORS, 403: ErrorOut, 409: ErrorOut}
NO_NUL = r"^[^\x00]*$"


# --- schemas -----------------------------------------------------------------------------------------

class FileOut(Schema):
    id: int
    name: str
    mime: str
    size: int
    pages: int | None
    extraction: Literal["pending", "done", "failed"]
    read_url: str = Field(description="The reader page (an HTML page for browsers)")
    download_url: str = Field(description="The file itself, when the caller may open it (see may_open)")


class RecordOut(Schema):
    id: int
    collection_id: int
    university_id: int
    university_name: str
    title: str
    creators: list[str]
    subjects: list[str]
    description: str
    publisher: str
    issued: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD; empty when unknown")
    year: int | None
    type: ResourceType
    format: str = Field(description="The MIME type of the main file")
    isbn: str
    doi: str
    url: str
    language: Language
    rights: str
    access: Access
    embargo_until: dt.date | None
    created_at: dt.datetime
    modified_at: dt.datetime
    may_open: bool = Field(description="Whether the caller may open the files now")
    files: list[FileOut]


def _record_out(request, item: Resource) -> RecordOut:
    decision = access.decide(request.user, item)
    files = [FileOut(id=f.pk, name=f.original_name, mime=f.mime, size=f.size, pages=f.pages, extraction=f.status,
                     read_url=reverse("library:reader", args=[f.pk]), download_url=reverse("library:download", args=[f.pk]))
             for f in selectors.resource_files(request.user, item)]
    return RecordOut(
        id=item.pk, collection_id=item.collection_id, university_id=item.university_id, university_name=item.university.name, title=item.title,
        creators=list(item.creators or []), subjects=list(item.subjects or []), description=item.description, publisher=item.publisher,
        issued=item.issued, year=item.year, type=item.type, format=item.format, isbn=item.isbn, doi=item.doi, url=item.url,
        language=item.language, rights=item.rights, access=item.access, embargo_until=item.embargo_until, created_at=item.created_at,
        modified_at=item.modified_at, may_open=decision.allowed, files=files,
    )


class RecordIn(Schema):
    collection_id: int = Field(..., ge=1, le=2**62, description="A collection of the caller's university")
    title: str = Field(..., max_length=1000, pattern=NO_NUL)
    creators: list[str] = Field(default_factory=list, max_length=50, description="«Surname, Given names», one per author")
    subjects: list[str] = Field(default_factory=list, max_length=50)
    description: str = Field("", max_length=20000, pattern=NO_NUL)
    publisher: str = Field("", max_length=500, pattern=NO_NUL)
    issued: str = Field("", max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")
    type: ResourceType
    language: Language
    isbn: str = Field("", max_length=40, description="ISBN-10 or ISBN-13 (hyphens allowed); its check digit is verified")
    doi: str = Field("", max_length=300, description="e.g. 10.1234/abc (https://doi.org/… accepted)")
    url: str = Field("", max_length=1000)
    rights: str = Field("", max_length=500, pattern=NO_NUL)
    access: Access = Access.OPEN
    embargo_until: dt.date | None = None


class CollectionOut(Schema):
    id: int
    university_id: int
    code: str
    name: str
    name_kk: str
    name_ru: str
    name_en: str
    description: str


class HitOut(Schema):
    id: int
    title: str
    creators: list[str]
    type: ResourceType
    language: Language
    year: int | None
    university_id: int
    university_name: str
    access: Access
    score: float
    snippet_html: str = Field(description="A piece of the text with the matched words in <mark>; HTML-escaped otherwise")


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    query: str
    total: int
    page: int
    pages: int
    hits: list[HitOut]
    facets: dict[str, list[FacetValueOut]] = Field(description="type, language, year, university, subject: counts over the whole match")


class SearchQuery(Schema):
    q: str = Field(..., min_length=1, max_length=256, description="Words in Kazakh (Cyrillic or Latin), Russian or English")
    type: list[ResourceType] = Field(default_factory=list)
    language: list[Language] = Field(default_factory=list)
    year: list[int] = Field(default_factory=list)
    university: list[int] = Field(default_factory=list)
    subject: list[str] = Field(default_factory=list)
    page: int = Field(1, ge=1, le=500)
    per_page: int = Field(20, ge=1, le=100)


# --- public reads ------------------------------------------------------------------------------------

class OptionalAuth:
    """Public operations: anyone may call them; a caller who sends a session or a bearer token is
    recognized (``may_open`` then answers for them). A bad token is a 401 rather than silently
    anonymous, so a client learns its token is wrong."""

    def __call__(self, request):
        from bilim.core.services import token_authenticate

        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            user = token_authenticate(header[7:].strip())
            if user is None:
                return None
            request.user = user
        return True


PUBLIC = [OptionalAuth()]

@router.get("/search", response={200: SearchOut, **ERRORS}, auth=PUBLIC,
            summary="Search the records (metadata and full text), with facets and highlighted snippets; no login needed")
def search(request, filters: Query[SearchQuery]):
    chosen = {"type": [t.value for t in filters.type], "language": [x.value for x in filters.language], "year": [str(y) for y in filters.year],
              "university": [str(u) for u in filters.university], "subject": filters.subject}
    result = selectors.search(request.user, filters.q, filters={k: v for k, v in chosen.items() if v}, page=filters.page,
                              per_page=filters.per_page)
    hits = [HitOut(id=h.resource.pk, title=h.resource.title, creators=list(h.resource.creators or []), type=h.resource.type,
                   language=h.resource.language, year=h.resource.year, university_id=h.resource.university_id,
                   university_name=h.resource.university.name, access=h.resource.access, score=float(h.score), snippet_html=h.snippet or "")
            for h in result.hits]
    facets = {name: [FacetValueOut(value=v, label=label, count=c) for v, label, c, _chosen in values] for name, values in result.facets.items()}
    return SearchOut(query=result.query, total=result.total, page=result.page, pages=result.pages, hits=hits, facets=facets)


@router.get("/records/{record_id}", response={200: RecordOut, **ERRORS}, auth=PUBLIC,
            summary="A record's metadata and files (no login needed; may_open says whether the caller may open the files)")
def record(request, record_id: int = ID):
    return _record_out(request, selectors.resource(request.user, record_id))


# --- librarians ----------------------------------------------------------------------------------------

@router.get("/collections", response={200: list[CollectionOut], **ERRORS}, summary="The collections the caller manages (librarians)")
def collections(request):
    return [CollectionOut(id=c.pk, university_id=c.university_id, code=c.code, name=c.name, name_kk=c.name_kk, name_ru=c.name_ru,
                          name_en=c.name_en, description=c.description) for c in selectors.managed_collections(request.user)[:1000]]


def _values(payload: RecordIn) -> dict:
    data = payload.model_dump(exclude={"collection_id"})
    for key in ("type", "language", "access"):
        data[key] = getattr(data[key], "value", data[key])
    return data


@router.post("/records", response={201: RecordOut, 400: ErrorOut, **WRITE_ERRORS}, summary="Create a record in a collection the caller manages")
def record_create(request, payload: RecordIn):
    collection = selectors.managed_collection(request.user, payload.collection_id)
    item = services.resource_create(collection=collection, by=request.user, request=request, **_values(payload))
    return Status(201, _record_out(request, selectors.resource(request.user, item.pk)))


@router.put("/records/{record_id}", response={200: RecordOut, 400: ErrorOut, **WRITE_ERRORS},
            summary="Replace a record's metadata (all fields; the collection may change within the university)")
def record_update(request, payload: RecordIn, record_id: int = ID):
    item = selectors.managed_resource(request.user, record_id)
    collection = selectors.managed_collection(request.user, payload.collection_id)
    services.resource_update(resource=item, collection=collection, by=request.user, request=request, **_values(payload))
    return _record_out(request, selectors.resource(request.user, item.pk))


@router.delete("/records/{record_id}", response={204: None, **WRITE_ERRORS},
               summary="Withdraw a record: it leaves search, its files are removed, OAI-PMH reports it deleted")
def record_delete(request, record_id: int = ID):
    item = selectors.managed_resource(request.user, record_id)
    services.resource_delete(resource=item, by=request.user, request=request)
    return Status(204, None)


@router.post("/records/{record_id}/files", response={201: FileOut, 400: ErrorOut, **WRITE_ERRORS},
             summary="Upload a PDF, EPUB or DOCX file to a record (checked at once; its text is extracted in the background)")
def file_upload(request, record_id: int = ID, file: File[UploadedFile] = None):
    item = selectors.managed_resource(request.user, record_id)
    added = services.file_add(resource=item, upload=file, by=request.user, request=request)
    return Status(201, FileOut(id=added.pk, name=added.original_name, mime=added.mime, size=added.size, pages=added.pages,
                               extraction=added.status, read_url=reverse("library:reader", args=[added.pk]),
                               download_url=reverse("library:download", args=[added.pk])))
