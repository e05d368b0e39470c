"""Reporting demo: the indicator catalogue, forms D-1 and D-2 approved for 2026-2027, and a D-1
campaign in progress in which some schools submitted on time, some late, some not at all, and one
had its report returned. Submission times are set back to plausible dates after the services ran."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction

from bilim.core.calendar import KZ_TZ
from bilim.core.models import Level, OrgKind, OrgUnit, Role, RoleGrant, User

from . import services
from .demo_forms import BREAKDOWNS, FORM_CONTINGENT, FORM_STAFF, INDICATORS, school_values
from .models import Assignment, Breakdown, BreakdownItem, Campaign, Form, Indicator, Submission

YEAR = "2026-2027"


def ensure_catalogue(republic: OrgUnit) -> None:
    for b in BREAKDOWNS:
        breakdown, _ = Breakdown.objects.get_or_create(code=b["code"], defaults={k: b[k] for k in ("name_kk", "name_ru", "name_en")})
        for order, (code, kk, ru, en) in enumerate(b["items"]):
            BreakdownItem.objects.get_or_create(breakdown=breakdown, code=code, defaults={"order": order, "name_kk": kk, "name_ru": ru, "name_en": en})
    for code, kk, ru, en, value_type, unit, aggregation, weight in INDICATORS:
        Indicator.objects.get_or_create(code=code, defaults={
            "name_kk": kk, "name_ru": ru, "name_en": en, "value_type": value_type, "unit_kk": unit[0], "unit_ru": unit[1], "unit_en": unit[2],
            "aggregation": aggregation, "weight": Indicator.objects.get(code=weight) if weight else None, "owner": republic,
            "max_value": 40 if code == "LOAD" else None,
        })


def _as_of(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 15), tzinfo=KZ_TZ)


@transaction.atomic
def seed(scale: str = "small") -> dict:
    if Form.objects.filter(code="D-1", year=YEAR).exists():
        return {"created": False}
    republic = OrgUnit.objects.get(level=Level.REPUBLIC)
    ministry = User.objects.get(username="ministry")
    ensure_catalogue(republic)
    forms = []
    for definition in (FORM_CONTINGENT, FORM_STAFF):
        form = services.form_create(definition=definition | {"year": YEAR}, owner=republic, by=ministry)
        services.form_approve(form=form, order_number="№ 312" if definition["code"] == "D-1" else "№ 313", order_date=date(2026, 8, 14), by=ministry)
        forms.append(form)
    d1 = forms[0]
    campaign = services.campaign_create(
        form=d1, owner=republic, period="2026-2027", by=ministry, participants={"kinds": [OrgKind.SCHOOL]},
        names={"name_kk": "Д-1: мектептер желісі мен контингенті, 2026–2027 оқу жылы", "name_ru": "Д-1: сеть и контингент школ, 2026–2027 учебный год",
               "name_en": "D-1: school network and contingent, 2026–2027"},
        deadline_organization=date(2026, 11, 14), deadline_district=date(2026, 11, 25), deadline_region=date(2026, 12, 5),
    )
    services.campaign_distribute(campaign=campaign, by=ministry)
    if scale != "small":
        return {"created": True, "forms": len(forms)}

    rng = random.Random(2026)
    heads = {g.org_unit_id: g.user for g in RoleGrant.objects.filter(role=Role.ORG_HEAD).select_related("user")}
    officers = {g.org_unit_id: g.user for g in RoleGrant.objects.filter(role=Role.DISTRICT_OFFICER).select_related("user")}
    schools = list(Assignment.objects.filter(campaign=campaign, level=Level.ORGANIZATION).select_related("org_unit").order_by("org_unit__path"))
    # Outcomes, in tree order: the demo head's own school stays a draft to fill in the browser.
    outcomes = ["on_time_accepted", "late_accepted", "on_time_submitted", "returned", "missing", "on_time_accepted", "late_submitted", "missing"]
    for index, assignment in enumerate(schools):
        unit = assignment.org_unit
        if unit.pk in heads:
            continue
        outcome = outcomes[index % len(outcomes)]
        if outcome == "missing":
            continue
        submitter = _temporary_head(unit)
        services.values_save(assignment=assignment, values=school_values(rng), by=submitter)
        services.submission_submit(assignment=assignment, by=submitter, head_name=submitter.full_name, head_confirmed=True,
                                   idempotency_key=f"demo-{assignment.pk}")
        day = date(2026, 11, 12) if outcome.startswith("on_time") or outcome == "returned" else date(2026, 11, 17)
        submitted_at = _as_of(day, 10 + index % 6)
        Submission.objects.filter(assignment=assignment).update(submitted_at=submitted_at, is_late=not outcome.startswith("on_time") and outcome != "returned")
        Assignment.objects.filter(pk=assignment.pk).update(submitted_at=submitted_at, first_submitted_at=submitted_at,
                                                           is_late=not outcome.startswith("on_time") and outcome != "returned")
        reviewer = officers.get(unit.parent_id) or _temporary_officer(unit.parent)
        if outcome.endswith("accepted"):
            services.submission_accept(assignment=assignment, by=reviewer)
        elif outcome == "returned":
            services.submission_return(assignment=assignment, by=reviewer, comment="1-бөлім: 5-сыныптағы қыздар саны тексерілсін. / Раздел 1: проверьте число девочек в 5 классе.")
    # the stand-in accounts that filled the other schools' reports cannot log in
    User.objects.filter(username__startswith="demo-", last_login__isnull=True).update(is_active=False)
    return {"created": True, "forms": len(forms), "campaign": campaign.pk}


def _temporary_head(unit: OrgUnit) -> User:
    """A head account for a demo school that has no demo login (kept inactive afterwards)."""
    user, created = User.objects.get_or_create(username=f"demo-head-{unit.pk}", defaults={"first_name": "Директор", "last_name": unit.name_kk[:40]})
    if created:
        user.set_unusable_password()
        user.save()
    RoleGrant.objects.get_or_create(user=user, role=Role.ORG_HEAD, org_unit=unit)
    return user


def _temporary_officer(unit: OrgUnit) -> User:
    user, created = User.objects.get_or_create(username=f"demo-officer-{unit.pk}", defaults={"first_name": "Маман", "last_name": unit.name_kk[:40]})
    if created:
        user.set_unusable_password()
        user.save()
    RoleGrant.objects.get_or_create(user=user, role=Role.DISTRICT_OFFICER, org_unit=unit)
    return user
