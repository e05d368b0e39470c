"""The one scoping mechanism (H2). Every selector of every app filters through ``in_scope``.

A user's scope is the union of the subtrees of the org units their role grants sit on. It is
expressed as a ``Q`` of path ranges, so the database applies it inside the same query (index
range scans), never as a Python loop over rows. Anything outside it is answered with 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from . import paths


@dataclass(frozen=True)
class Scope:
    """The subtree roots a user may see, for a set of roles. Minimal: no root inside another."""

    roots: tuple[str, ...]

    @classmethod
    def of(cls, user, roles: Iterable[str] | None = None) -> "Scope":
        if user is None or not user.is_authenticated or not user.is_active:
            return cls(())
        cache = user.__dict__.setdefault("_bilim_grants", None)
        if cache is None:
            cache = list(user.grants.select_related("org_unit").values_list("role", "org_unit__path", "org_unit__is_active"))
            user.__dict__["_bilim_grants"] = cache
        wanted = set(roles) if roles is not None else None
        found = sorted({path for role, path, _active in cache if wanted is None or role in wanted})
        minimal: list[str] = []
        for path in found:  # sorted: an ancestor comes before its descendants
            if not minimal or not path.startswith(minimal[-1]):
                minimal.append(path)
        return cls(tuple(minimal))

    @staticmethod
    def forget(user) -> None:
        """Drop the grants cached on ``user`` (after a grant is added or removed)."""
        user.__dict__.pop("_bilim_grants", None)

    def q(self, field: str = "") -> Q:
        """A filter for rows whose org unit (reached through ``field``, e.g. ``"org_unit"``) is inside.

        ``field`` is the lookup to the OrgUnit; empty when filtering OrgUnit itself."""
        prefix = f"{field}__path" if field else "path"
        if not self.roots:
            return Q(pk__in=[])
        condition = Q()
        for root in self.roots:
            condition |= Q(**{f"{prefix}__gte": root, f"{prefix}__lt": paths.upper(root)})
        return condition

    def within(self, path: str) -> "Scope":
        """The part of this scope inside the subtree of ``path``, as its own minimal roots.

        Intersecting here, not in SQL, gives the database one tight range per root: SQLite bounds
        an index scan by only one pair of bounds, so ``scope AND subtree`` would walk the whole scope."""
        if self.contains_path(path):
            return Scope((path,))
        return Scope(tuple(root for root in self.roots if root.startswith(path)))

    def ancestor_paths(self) -> list[str]:
        """Every root and every node above one: where things that apply downwards (a national or a
        regional form, a campaign distributed from above) may come from."""
        return sorted({root[: paths.SEGMENT_WIDTH * n] for root in self.roots for n in range(1, len(root) // paths.SEGMENT_WIDTH + 1)})

    def contains_path(self, path: str) -> bool:
        return any(path.startswith(root) for root in self.roots)

    def __bool__(self) -> bool:
        return bool(self.roots)


def in_scope(queryset: QuerySet, user, field: str = "", roles: Iterable[str] | None = None) -> QuerySet:
    """Restrict ``queryset`` to rows inside ``user``'s scope (for ``roles``, or any role)."""
    return queryset.filter(Scope.of(user, roles).q(field))


def get_in_scope_or_404(queryset: QuerySet, user, field: str = "", roles: Iterable[str] | None = None, **lookup):
    """One row inside the scope, or 404 — the same answer whether it is missing or someone else's."""
    obj = in_scope(queryset, user, field, roles).filter(**lookup).first()
    if obj is None:
        raise Http404(_("Not found."))
    return obj
