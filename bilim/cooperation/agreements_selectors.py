"""Every read of agreements, contacts, conferences, the work plan and the §9 text, taking the acting
user: an organization's records are read by its international office and its head only; anyone
else gets 404.

``active_agreements`` is the count C1 needs and takes no user: it is a number, not a list."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from bilim.core.models import OrgUnit, User

from . import mobility_common as common
from .models import Agreement, ConferenceParticipation, MissionContact, Partner, TeachingReport, WorkPlan, WorkPlanItem


def in_force_on(on: date) -> Q:
    """Agreements in force on ``on``: entered into force (by the status move), valid from their start
    (or signature) to their end (or without one), and not terminated by then."""
    return (Q(activated_on__isnull=False, activated_on__lte=on)
            & Q(start__lte=on)
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))
            & (Q(terminated_on__isnull=True) | Q(terminated_on__gt=on)))


def with_start(qs: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return qs.annotate(start=Coalesce("valid_from", "signed_on"))


def active_agreements(org_unit: OrgUnit, on: date) -> int:
    """How many of the organization's agreements with foreign partners are in force on ``on`` (§4.2)."""
    return with_start(Agreement.objects.filter(org_unit=org_unit)).filter(in_force_on(on)).count()


def partners(user: User, unit: OrgUnit) -> QuerySet[Partner]:
    return common.readable(Partner.objects.filter(org_unit=unit).annotate(agreement_count=Count("agreements")), user).order_by("name")


def partner_get(user: User, pk: int) -> Partner:
    obj = common.readable(Partner.objects.select_related("org_unit"), user).filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


def agreements(user: User, unit: OrgUnit, *, status: str | None = None, kind: str | None = None, country: str | None = None) -> QuerySet[Agreement]:
    qs = common.readable(Agreement.objects.filter(org_unit=unit).select_related("partner", "subdivision"), user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(partner__country=country.upper())
    return qs.order_by("-signed_on", "-created_at", "pk")


def agreement_get(user: User, pk: int) -> Agreement:
    obj = common.readable(Agreement.objects.select_related("org_unit", "partner", "subdivision", "created_by"), user).filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


def contacts(user: User, unit: OrgUnit, *, year: str | None = None) -> QuerySet[MissionContact]:
    qs = common.readable(MissionContact.objects.filter(org_unit=unit), user)
    if year and common.valid_year(year):
        first, last = common.year_bounds(year)
        qs = qs.filter(on__gte=first, on__lte=last)
    return qs.order_by("-on", "pk")


def contact_get(user: User, pk: int) -> MissionContact:
    obj = common.readable(MissionContact.objects.select_related("org_unit"), user).filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


def conferences(user: User, unit: OrgUnit, *, year: str | None = None) -> QuerySet[ConferenceParticipation]:
    qs = common.readable(ConferenceParticipation.objects.filter(org_unit=unit).select_related("person", "subdivision"), user)
    if year and common.valid_year(year):
        first, last = common.year_bounds(year)
        qs = qs.filter(starts_on__lte=last, ends_on__gte=first)
    return qs.order_by("-starts_on", "pk")


def conference_get(user: User, pk: int) -> ConferenceParticipation:
    obj = common.readable(ConferenceParticipation.objects.select_related("org_unit", "person", "subdivision"), user).filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


def work_plans(user: User, unit: OrgUnit) -> QuerySet[WorkPlan]:
    return common.readable(WorkPlan.objects.filter(org_unit=unit).annotate(
        item_count=Count("items"), done_count=Count("items", filter=Q(items__done=True))), user).order_by("-year")


def work_plan_get(user: User, pk: int) -> WorkPlan:
    obj = common.readable(WorkPlan.objects.select_related("org_unit"), user).filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


def work_plan_item_get(user: User, pk: int) -> WorkPlanItem:
    obj = common.readable(WorkPlanItem.objects.select_related("plan", "plan__org_unit"), user, "plan__org_unit").filter(pk=pk).first()
    if obj is None:
        raise common.not_found()
    return obj


def teaching_report(user: User, unit: OrgUnit, year: str) -> TeachingReport | None:
    return common.readable(TeachingReport.objects.filter(org_unit=unit, year=year), user).prefetch_related("materials").first()
