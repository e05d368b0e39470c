"""Reads of the annual report, taking the acting user.

An organization's report (its data, documents, snapshots and reporting assignment) is read by its
international office and its head; anyone else gets 404.

**The country's figures by country** (``country_figures``) are for the ministry, regions and
administrators over their subtree (404 for a node outside it): foreigners present in the year by
citizenship × category × purpose, and trips abroad under way in the year by country × purpose,
counted with one ``GROUP BY`` per table over the subtree's path range (index range scans; some
tens of thousands of rows for the whole country). Why not through reporting's consolidation: a
country dimension is ~250 values; a fixed form would need thousands of cells per organization,
almost all empty, and new countries would change the form. The totals by category and purpose
*are* in the form (COOP-2) and consolidate through reporting as reports are accepted; the by-country
table is computed live from the registries, as of now, and says so on the page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from bilim.core.models import OrgUnit, User

from . import annual_report, annual_report_services
from . import mobility_common as common
from .models import Agreement, AnnualReportSnapshot, Trip


def report_data(user: User, unit: OrgUnit, year: str) -> dict:
    if not common.can_read(user, unit) or not common.valid_year(year):
        raise common.not_found()
    return annual_report.gather(unit, year)


def snapshots(user: User, unit: OrgUnit, year: str):
    if not common.can_read(user, unit):
        raise common.not_found()
    return AnnualReportSnapshot.objects.filter(org_unit=unit, year=year).order_by("-version")


def snapshot_get(user: User, unit: OrgUnit, pk: int) -> AnnualReportSnapshot:
    snapshot = AnnualReportSnapshot.objects.filter(org_unit=unit, pk=pk).first() if common.can_read(user, unit) else None
    if snapshot is None:
        raise common.not_found()
    return snapshot


def assignment(user: User, unit: OrgUnit, year: str):
    if not common.can_read(user, unit):
        raise common.not_found()
    return annual_report_services.assignment_for(unit, year)


def signed_copies(user: User, unit: OrgUnit, data: dict) -> list[tuple[str, bytes]]:
    """The signed copies of the agreements listed in §6, as (title, PDF bytes), for the PDF's annex.
    A copy whose stored file changed since (its SHA-256 differs) is left out."""
    if not common.can_read(user, unit):
        raise common.not_found()
    wanted = {a["id"]: a for a in data.get("s6", []) if a.get("has_copy")}
    result = []
    for agreement in Agreement.objects.filter(org_unit=unit, pk__in=list(wanted)).order_by("signed_on", "pk"):
        if not agreement.signed_copy:
            continue
        try:
            with agreement.signed_copy.open("rb") as handle:
                content = handle.read()
        except OSError:
            continue
        import hashlib

        if wanted[agreement.pk].get("copy_sha256") and hashlib.sha256(content).hexdigest() != wanted[agreement.pk]["copy_sha256"]:
            continue
        result.append((f"{agreement.title} — {agreement.partner.name}", content))
    return result


# --- the country's figures --------------------------------------------------------------------------

@dataclass
class CountryFigures:
    node: OrgUnit
    year: str
    foreigners: list[dict] = field(default_factory=list)  # {"country", "category", "purpose", "count"}
    trips: list[dict] = field(default_factory=list)  # {"country", "purpose", "count"}
    organizations: int = 0


def figures_node(user: User, node_id: int | None) -> OrgUnit:
    scope = common.figures_scope(user)
    if not scope:
        raise common.not_found()
    qs = OrgUnit.objects.filter(scope.q())
    node = qs.filter(pk=node_id).first() if node_id is not None else OrgUnit.objects.filter(path__in=scope.roots).order_by("path").first()
    if node is None or node.level > 2:
        raise common.not_found()
    return node


def country_figures(user: User, node: OrgUnit, year: str) -> CountryFigures:
    from .models import Category, Foreigner

    scope = common.figures_scope(user).within(node.path)
    if not scope or not common.valid_year(year):
        raise common.not_found()
    first, last = common.year_bounds(year)
    foreigners = (Foreigner.objects.filter(scope.q("org_unit"), arrival_date__lte=last)
                  .filter(Q(departure_date__isnull=True) | Q(departure_date__gte=first))
                  .values("citizenship", "category").annotate(count=Count("pk")).order_by())
    trips = (Trip.objects.filter(scope.q("org_unit"), starts_on__lte=last).exclude(status=Trip.Status.CANCELLED)
             .filter(Q(returned_on__isnull=False, returned_on__gte=first) | Q(returned_on__isnull=True, ends_on__gte=first))
             .values("country", "purpose").annotate(count=Count("pk")).order_by())
    result = CountryFigures(node=node, year=year)
    result.foreigners = [{"country": r["citizenship"], "category": r["category"], "purpose": Category.purpose_of(r["category"]), "count": r["count"]}
                         for r in foreigners]
    result.trips = [{"country": r["country"], "purpose": r["purpose"], "count": r["count"]} for r in trips]
    return result
