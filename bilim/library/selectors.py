"""Reads of the library. Every function takes the acting user.

* Public (anyone, no login): record metadata, a university's collection page, search.
* Librarians: their university's collections, records, files and imports; anything else is a 404
  (the same answer as for what does not exist).
* Files: ``file_for_reader`` returns the file with the access decision (``access.decide``).
* Usage reports: a university's librarians and head see their university's resources; the
  association (ministry officers, system administrators) sees every university's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core.models import Level, OrgKind, OrgUnit, Role
from bilim.core.scope import Scope, get_in_scope_or_404, in_scope

from . import access, services
from .models import Collection, ImportJob, Language, Resource, ResourceFile, ResourceType, Subscription, UsageCount

LIBRARIAN = [Role.LIBRARIAN]
REPORT_ROLES = [Role.LIBRARIAN, Role.ORG_HEAD]


def _not_found() -> Http404:
    return Http404(_("Not found."))


# --- public ----------------------------------------------------------------------------------------

def resource(user, pk: int, *, deleted: bool = False) -> Resource:
    """A record's metadata (public). A deleted record only with ``deleted=True`` (its tombstone page)."""
    queryset = Resource.objects.select_related("collection", "university", "harvest_source")
    if not deleted:
        queryset = queryset.filter(deleted_at__isnull=True)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise _not_found()
    return found


def resource_files(user, item: Resource) -> list[ResourceFile]:
    return list(ResourceFile.objects.filter(resource=item).defer("extracted_text").order_by("position", "id"))


def file_for_reader(user, pk: int) -> tuple[ResourceFile, access.Decision]:
    """A file with the decision whether ``user`` may open it (the view refuses when not)."""
    item = ResourceFile.objects.select_related("resource__university").defer("extracted_text").filter(
        pk=pk, resource__deleted_at__isnull=True).first()
    if item is None:
        raise _not_found()
    return item, access.decide(user, item.resource)


def universities(user) -> list[OrgUnit]:
    """Universities with at least one collection, for the search facets and the list of collections."""
    return list(OrgUnit.objects.filter(level=Level.ORGANIZATION, kind=OrgKind.UNIVERSITY, library_collections__isnull=False)
                .distinct().order_by("name_ru"))


def university(user, pk: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=pk, level=Level.ORGANIZATION, kind=OrgKind.UNIVERSITY).first()
    if unit is None:
        raise _not_found()
    return unit


def university_collections(user, unit: OrgUnit) -> list[Collection]:
    return list(Collection.objects.filter(university=unit)
                .annotate(records=Count("resources", filter=Q(resources__deleted_at__isnull=True))).order_by("code"))


def university_resources(user, unit: OrgUnit, *, collection: Collection | None = None, type: str = "", language: str = ""):
    queryset = Resource.objects.filter(university=unit, deleted_at__isnull=True).select_related("collection")
    if collection is not None:
        queryset = queryset.filter(collection=collection)
    if type:
        queryset = queryset.filter(type=type)
    if language:
        queryset = queryset.filter(language=language)
    return queryset.order_by("-year", "title", "pk")


# --- search ----------------------------------------------------------------------------------------

FACETS = ["type", "language", "year", "university", "subject"]


@dataclass
class SearchHit:
    resource: Resource
    score: float
    snippet: str
    title_html: str = ""


@dataclass
class SearchPage:
    query: str
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, str, int, bool]]] = field(default_factory=dict)  # name → (value, label, count, chosen)
    page: int = 1
    pages: int = 1


def facet_label(name: str, value: str, names: dict[int, str]) -> str:
    if name == "type":
        return str(dict(ResourceType.choices).get(value, value))
    if name == "language":
        return str(dict(Language.choices).get(value, value))
    if name == "university":
        return names.get(int(value), value) if value.isdigit() else value
    return value


def search(user, q: str, *, filters: dict[str, list[str]] | None = None, page: int = 1, per_page: int = 20) -> SearchPage:
    """One box over metadata and full text (``bilim.search``); a bad query raises ``DomainError``
    naming ``q``. Metadata are public, so every live record may be found."""
    from bilim.search import engine

    from .indexing import NAMESPACE

    filters = {k: [v for v in vs if v] for k, vs in (filters or {}).items() if k in FACETS and vs}
    result = engine.search(NAMESPACE, q, filters=filters, facets=FACETS, page=page, per_page=per_page)
    ids = [int(hit.key) for hit in result.hits]
    found = {r.pk: r for r in Resource.objects.filter(pk__in=ids, deleted_at__isnull=True).select_related("university", "collection")}
    hits = [SearchHit(found[int(h.key)], h.score, h.snippet_html, getattr(h, "title_html", "")) for h in result.hits if int(h.key) in found]
    names = {}
    university_values = [int(v) for v, _c in result.facets.get("university", []) if str(v).isdigit()]
    if university_values:
        names = {u.pk: u.name for u in OrgUnit.objects.filter(pk__in=university_values)}
    facets = {}
    for name in FACETS:
        chosen = set(filters.get(name, []))
        values = result.facets.get(name, [])
        if name == "year":
            values = sorted(values, key=lambda item: str(item[0]), reverse=True)
        facets[name] = [(str(v), facet_label(name, str(v), names), c, str(v) in chosen) for v, c in values]
    pages = max(1, -(-result.total // per_page))
    return SearchPage(query=q, total=result.total, hits=hits, facets=facets, page=page, pages=pages)


# --- librarians ------------------------------------------------------------------------------------

def managed_universities(user) -> list[OrgUnit]:
    scope = Scope.of(user, LIBRARIAN)
    return list(in_scope(OrgUnit.objects.filter(level=Level.ORGANIZATION, kind=OrgKind.UNIVERSITY), user, "", LIBRARIAN).order_by("name_ru")) \
        if scope else []


def managed_collections(user):
    return in_scope(Collection.objects.select_related("university"), user, "university", LIBRARIAN).order_by("university__name_ru", "code")


def managed_collection(user, pk: int) -> Collection:
    return get_in_scope_or_404(Collection.objects.select_related("university"), user, "university", LIBRARIAN, pk=pk)


def managed_resource(user, pk: int) -> Resource:
    return get_in_scope_or_404(Resource.objects.select_related("university", "collection").filter(deleted_at__isnull=True),
                               user, "university", LIBRARIAN, pk=pk)


def managed_resources(user, *, collection: Collection | None = None, q: str = "", status: str = ""):
    queryset = in_scope(Resource.objects.filter(deleted_at__isnull=True).select_related("collection", "university"), user, "university", LIBRARIAN)
    if collection is not None:
        queryset = queryset.filter(collection=collection)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(isbn=q.replace("-", "")) | Q(doi__iexact=q))
    if status == "failed":
        queryset = queryset.filter(files__status=ResourceFile.Status.FAILED).distinct()
    elif status == "pending":
        queryset = queryset.filter(files__status=ResourceFile.Status.PENDING).distinct()
    elif status == "nofile":
        queryset = queryset.filter(files__isnull=True)
    return queryset.order_by("-modified_at", "-pk")


def managed_file(user, pk: int) -> ResourceFile:
    return get_in_scope_or_404(ResourceFile.objects.select_related("resource__university").defer("extracted_text")
                               .filter(resource__deleted_at__isnull=True), user, "resource__university", LIBRARIAN, pk=pk)


def managed_import(user, pk: int) -> ImportJob:
    return get_in_scope_or_404(ImportJob.objects.select_related("collection__university"), user, "collection__university", LIBRARIAN, pk=pk)


def managed_imports(user, limit: int = 10) -> list[ImportJob]:
    return list(in_scope(ImportJob.objects.select_related("collection"), user, "collection__university", LIBRARIAN)
                .order_by("-created_at", "-pk")[:limit])


def import_bad_rows(user, job: ImportJob, limit: int = 500):
    return list(job.rows.filter(checked=True).exclude(errors=[]).order_by("number").values("number", "errors", "data")[:limit])


@dataclass
class Dashboard:
    universities: list[OrgUnit]
    collections: list[Collection]
    records: int
    files: dict[str, int]
    failures: list[ResourceFile]
    imports: list[ImportJob]
    usage: dict[str, int]


def dashboard(user) -> Dashboard:
    """The librarian's overview: collections with their record counts, extraction status and
    failures, recent imports, this month's usage of the university's resources."""
    units = managed_universities(user)
    if not units:
        raise _not_found()
    collections = list(managed_collections(user).annotate(records=Count("resources", filter=Q(resources__deleted_at__isnull=True))))
    live = Q(resource__deleted_at__isnull=True, resource__university__in=units)
    statuses = dict(ResourceFile.objects.filter(live).values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    failures = list(ResourceFile.objects.filter(live, status=ResourceFile.Status.FAILED).select_related("resource")
                    .defer("extracted_text").order_by("-extracted_at")[:20])
    month = timezone.localdate().replace(day=1)
    usage = UsageCount.objects.filter(university_key__in=[u.pk for u in units], month=month).aggregate(
        investigations=Sum("investigations"), requests=Sum("requests"), downloads=Sum("downloads"))
    return Dashboard(units, collections, sum(c.records for c in collections),
                     {s: statuses.get(s, 0) for s in ResourceFile.Status.values}, failures, managed_imports(user),
                     {k: v or 0 for k, v in usage.items()})


# --- subscriptions ---------------------------------------------------------------------------------

def subscriptions(user):
    if not services.is_association(user):
        raise _not_found()
    return Subscription.objects.select_related("institution").order_by("-ends", "institution__name_ru")


def subscription(user, pk: int) -> Subscription:
    found = subscriptions(user).filter(pk=pk).first()
    if found is None:
        raise _not_found()
    return found


def subscription_institutions(user, q: str = "", limit: int = 50) -> list[OrgUnit]:
    """Organizations (universities first) an association officer may subscribe."""
    if not services.is_association(user):
        raise _not_found()
    queryset = OrgUnit.objects.filter(level=Level.ORGANIZATION, kind__in=[OrgKind.UNIVERSITY, OrgKind.COLLEGE])
    if q:
        from bilim.core.kazakh import plain_key

        queryset = queryset.filter(search_text__contains=plain_key(q))
    return list(queryset.order_by("kind", "name_ru")[:limit])


# --- usage reports ---------------------------------------------------------------------------------

def report_universities(user) -> list[OrgUnit] | None:
    """The universities whose usage ``user`` may read: None = every one (the association)."""
    if services.is_association(user):
        return None
    units = list(in_scope(OrgUnit.objects.filter(level=Level.ORGANIZATION, kind=OrgKind.UNIVERSITY), user, "", REPORT_ROLES).order_by("name_ru"))
    if not units:
        raise _not_found()
    return units


def usage_rows(user, *, first: dt.date, last: dt.date, university: OrgUnit | None = None):
    """Monthly counts (``UsageCount`` values) between the months of ``first`` and ``last`` for the
    universities ``user`` may read (narrowed to ``university`` if given; one outside is a 404)."""
    allowed = report_universities(user)
    queryset = UsageCount.objects.filter(month__gte=first.replace(day=1), month__lte=last.replace(day=1))
    if university is not None:
        if allowed is not None and university.pk not in {u.pk for u in allowed}:
            raise _not_found()
        queryset = queryset.filter(university_key=university.pk)
    elif allowed is not None:
        queryset = queryset.filter(university_key__in=[u.pk for u in allowed])
    return queryset
