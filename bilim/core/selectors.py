"""Every read of the core context. Each takes the acting user and returns only what their scope
allows (``scope.in_scope``); anything else is 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language

from . import paths
from .kazakh import fold, plain_key
from .models import Level, OrgUnit, Role, RoleGrant, User
from .scope import Scope, get_in_scope_or_404, in_scope

OFFICER_ROLES = (Role.SYSADMIN, Role.MINISTRY_OFFICER, Role.REGION_OFFICER, Role.DISTRICT_OFFICER)
ROLE_PRIORITY = [
    Role.SYSADMIN, Role.MINISTRY_OFFICER, Role.REGION_OFFICER, Role.DISTRICT_OFFICER, Role.ORG_HEAD,
    Role.INTERNATIONAL_OFFICER, Role.LIBRARIAN, Role.TEACHER, Role.STUDENT, Role.PARENT, Role.SUBSCRIBER,
]


def orgunits_visible(user: User) -> QuerySet[OrgUnit]:
    return in_scope(OrgUnit.objects.all(), user)


def orgunit_get(user: User, pk: int) -> OrgUnit:
    return get_in_scope_or_404(OrgUnit.objects.select_related("parent"), user, pk=pk)


def orgunit_search(
    user: User, *, query: str = "", level: int | None = None, kind: str | None = None, within: OrgUnit | None = None,
    active: bool | None = None,
) -> QuerySet[OrgUnit]:
    """Units in the user's scope (optionally inside ``within``) matching a name or KATO code.

    A query of digits matches KATO codes by prefix; text matches any of the three names folded to
    lower case by our own Kazakh table, in Cyrillic or Latin script, with or without diacritics —
    the same on SQLite and PostgreSQL because both sides of the comparison are pre-folded."""
    scope = Scope.of(user)
    qs = OrgUnit.objects.filter((scope.within(within.path) if within is not None else scope).q())
    if level is not None:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    query = (query or "").strip()
    if query:
        if paths.is_ascii_digits(query):
            # a range, not LIKE: SQLite's LIKE is case-insensitive and cannot use the index
            upper = paths.next_prefix(query)
            qs = qs.filter(kato__gte=query, **({"kato__lt": upper} if upper else {}))
        else:
            qs = qs.filter(Q(search_text__contains=fold(query)) | Q(search_text__contains=plain_key(query)))
    return qs.order_by("path")


def _name_order() -> str:
    language = (get_language() or "kk")[:2]
    return f"name_{language}" if language in ("kk", "ru", "en") else "name_ru"


def orgunit_children(user: User, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return orgunits_visible(user).filter(parent=unit).annotate(child_count=Count("children")).order_by(_name_order(), "pk")


def orgunit_subtree(user: User, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(Scope.of(user).within(unit.path).q()).order_by("path")


def orgunit_breadcrumbs(user: User, unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors that the user may see, root first."""
    ancestor_paths = unit.ancestor_paths
    if not ancestor_paths:
        return []
    scope = Scope.of(user)
    visible = [p for p in ancestor_paths if scope.contains_path(p)]
    return list(OrgUnit.objects.filter(path__in=visible).order_by("path"))


def scope_roots(user: User) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(path__in=Scope.of(user).roots).order_by("path"))


@dataclass
class ScopeSummary:
    regions: int
    districts: int
    organizations: int
    by_kind: dict[str, int]


def scope_summary(user: User, within: OrgUnit | None = None) -> ScopeSummary:
    scope = Scope.of(user)
    qs = OrgUnit.objects.filter((scope.within(within.path) if within is not None else scope).q(), is_active=True)
    levels = dict(qs.values_list("level").annotate(n=Count("id")).order_by())
    kinds = dict(qs.filter(level=Level.ORGANIZATION).values_list("kind").annotate(n=Count("id")).order_by())
    return ScopeSummary(
        regions=levels.get(Level.REGION, 0), districts=levels.get(Level.DISTRICT, 0),
        organizations=levels.get(Level.ORGANIZATION, 0), by_kind=kinds,
    )


def user_grants(user: User) -> list[RoleGrant]:
    return list(user.grants.select_related("org_unit").order_by("granted_at"))


def primary_role(user: User) -> str | None:
    roles = {grant.role for grant in user.grants.all()}
    for role in ROLE_PRIORITY:
        if role in roles:
            return role
    return None


def user_tokens(user: User):
    return user.api_tokens.order_by("-created_at")
