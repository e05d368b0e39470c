"""Every read of outgoing mobility, taking the acting user: an organization's records are read by its
international office and its head only (``mobility_common``); anyone else gets 404.

``people_abroad`` is the count C1 needs (part of the office's warning) and takes no user: it is a
number, not a list of people."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from bilim.core.models import OrgUnit, User

from . import mobility_common as common
from .models.mobility import LONG_STAY_PURPOSES
from .models import (
    MobilityPerson,
    ReserveCandidate,
    Subdivision,
    Trip,
    TripDocument,
    TripPlan,
    TripPlanItem,
)


def people_abroad(org_unit: OrgUnit, on: date) -> int:
    """The organization's citizens abroad on its referral for study, work or research on ``on``
    (§4.3): distinct people whose trip has started and not ended (the actual return once recorded,
    else the planned end). Conference trips do not count, nor cancelled ones."""
    return (Trip.objects.filter(org_unit=org_unit, purpose__in=LONG_STAY_PURPOSES, starts_on__lte=on)
            .exclude(status=Trip.Status.CANCELLED)
            .filter(Q(returned_on__isnull=False, returned_on__gte=on) | Q(returned_on__isnull=True, ends_on__gte=on))
            .values("person_id").distinct().count())


# --- subdivisions and people ------------------------------------------------------------------------

def subdivisions(user: User, unit: OrgUnit, *, active_only: bool = False) -> QuerySet[Subdivision]:
    qs = common.readable(Subdivision.objects.filter(org_unit=unit), user)
    return qs.filter(is_active=True) if active_only else qs


def subdivision_get(user: User, pk: int) -> Subdivision:
    obj = common.readable(Subdivision.objects.select_related("org_unit"), user).filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


def people(user: User, unit: OrgUnit) -> QuerySet[MobilityPerson]:
    return common.readable(MobilityPerson.objects.filter(org_unit=unit).select_related("subdivision"), user)


def person_get(user: User, pk: int) -> MobilityPerson:
    obj = common.readable(MobilityPerson.objects.select_related("org_unit", "subdivision"), user).filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


def reserve(user: User, unit: OrgUnit, *, status: str | None = None) -> QuerySet[ReserveCandidate]:
    qs = common.readable(ReserveCandidate.objects.filter(org_unit=unit).select_related("person", "subdivision"), user)
    return qs.filter(status=status) if status else qs


def candidate_get(user: User, pk: int) -> ReserveCandidate:
    obj = common.readable(ReserveCandidate.objects.select_related("org_unit", "person", "subdivision"), user).filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


# --- plans ------------------------------------------------------------------------------------------

def plans(user: User, unit: OrgUnit) -> QuerySet[TripPlan]:
    return common.readable(TripPlan.objects.filter(org_unit=unit).annotate(item_count=Count("items")), user).order_by("-year", "-version")


def plan_get(user: User, pk: int) -> TripPlan:
    obj = common.readable(TripPlan.objects.select_related("org_unit", "approved_by", "created_by", "previous"), user).filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


def plan_items(plan: TripPlan) -> list[TripPlanItem]:
    """The plan's items with the number of trips made under each (the plan was read through
    ``plan_get``, which checked the scope)."""
    return list(plan.items.select_related("subdivision").annotate(trip_count=Count("trips", filter=~Q(trips__status=Trip.Status.CANCELLED))))


def plan_item_get(user: User, pk: int) -> TripPlanItem:
    obj = common.readable(TripPlanItem.objects.select_related("plan", "plan__org_unit", "subdivision"), user, "plan__org_unit").filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


def approved_plan_items(user: User, unit: OrgUnit) -> QuerySet[TripPlanItem]:
    """Items of the organization's approved plans: what a new trip may be made under."""
    return common.readable(TripPlanItem.objects.filter(plan__org_unit=unit, plan__status=TripPlan.Status.APPROVED)
                           .select_related("plan", "subdivision"), user, "plan__org_unit").order_by("-plan__year", "starts_on")


# --- trips ------------------------------------------------------------------------------------------

def trips(user: User, unit: OrgUnit, *, status: str | None = None, year: str | None = None) -> QuerySet[Trip]:
    qs = common.readable(Trip.objects.filter(org_unit=unit).select_related("person", "subdivision", "plan_item__plan"), user)
    if status:
        qs = qs.filter(status=status)
    if year and common.valid_year(year):
        first, last = common.year_bounds(year)
        qs = qs.filter(starts_on__lte=last, ends_on__gte=first)
    return qs.order_by("-starts_on", "pk")


def trip_get(user: User, pk: int) -> Trip:
    obj = (common.readable(Trip.objects.select_related("org_unit", "person", "subdivision", "plan_item__plan"), user)
           .prefetch_related(Prefetch("documents", queryset=TripDocument.objects.order_by("order", "pk"))).filter(pk=pk).first())
    if obj is None:
        raise common.not_found()
    return obj


def overdue_reports(user: User, unit: OrgUnit, *, today: date | None = None) -> QuerySet[Trip]:
    today = today or timezone.localdate()
    return trips(user, unit, status=Trip.Status.RETURNED).filter(report_due__lt=today).order_by("report_due", "pk")


def reports_due(user: User, unit: OrgUnit) -> QuerySet[Trip]:
    """Returned trips whose report is still to come (overdue or not), earliest due first."""
    return trips(user, unit, status=Trip.Status.RETURNED).order_by("report_due", "pk")


def counts(user: User, unit: OrgUnit, *, today: date | None = None) -> dict[str, int]:
    """The figures of the mobility overview."""
    today = today or timezone.localdate()
    qs = common.readable(Trip.objects.filter(org_unit=unit), user)
    return {
        "abroad": people_abroad(unit, today) if common.can_read(user, unit) else 0,
        "planned": qs.filter(status=Trip.Status.PLANNED).count(),
        "under_way": qs.filter(status=Trip.Status.ABROAD).count(),
        "reports_due": qs.filter(status=Trip.Status.RETURNED).count(),
        "overdue": qs.filter(status=Trip.Status.RETURNED, report_due__lt=today).count(),
        "reserve": common.readable(ReserveCandidate.objects.filter(org_unit=unit), user).exclude(
            status__in=(ReserveCandidate.Status.SENT, ReserveCandidate.Status.WITHDRAWN)).count(),
    }
