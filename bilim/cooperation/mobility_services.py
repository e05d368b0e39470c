"""Every write of outgoing mobility (C2, C4): subdivisions, people, the reserve of candidates, the
yearly plan of foreign trips (draft → approved by the head; an approved plan changes only by a new
version), trips with their documents checklist, the trip report due after return, and the daily
reminders of overdue reports.

**C1.** A trip changes how many of the organization's citizens are abroad on its referral: every
write that can change that count (a trip registered, changed, started, ended, cancelled) calls the
office's ``services.office_requirement_check`` inside its transaction, so the head is warned as soon
as the tenth person is abroad and no international service is recorded.

Keyword-only, atomic, audited; bad input raises ``DomainError`` naming each field and the reason,
and nothing is saved in part. Acting outside the organization's office is a 404."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core import notifications
from bilim.core.audit import audit_record
from bilim.core.errors import DomainError
from bilim.core.models import OrgUnit, Role, User

from . import mobility_common as common
from .services import office_requirement_check
from .models import (
    Funding,
    MobilityPerson,
    PersonCategory,
    Purpose,
    ReserveCandidate,
    Subdivision,
    Trip,
    TripDocument,
    TripPlan,
    TripPlanItem,
    TripReminder,
    TripReport,
)

# The documents checklist a new trip starts with, by purpose (§8.4); lines that do not apply are removed.
CHECKLISTS = {
    Purpose.STUDY: ["order", "invitation", "learning_agreement", "passport", "visa", "insurance", "tickets", "accommodation", "advance"],
    Purpose.WORK: ["order", "invitation", "programme", "passport", "visa", "insurance", "tickets", "accommodation", "advance"],
    Purpose.RESEARCH: ["order", "invitation", "programme", "passport", "visa", "insurance", "tickets", "accommodation", "advance"],
    Purpose.CONFERENCE: ["order", "invitation", "abstract", "passport", "visa", "insurance", "tickets", "accommodation", "advance"],
}
MAX_TEXT = 5000


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _required(errors: dict, data: Mapping[str, Any], *keys: str) -> None:
    for key in keys:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[key] = _("This field is required.")


def _lengths(errors: dict, data: Mapping[str, Any], limits: Mapping[str, int]) -> None:
    for key, limit in limits.items():
        if key not in errors and len(_text(data, key)) > limit:
            errors[key] = _("At most %(n)s characters.") % {"n": limit}


def _period(errors: dict, start: date | None, end: date | None, start_field: str = "starts_on", end_field: str = "ends_on") -> None:
    if start is not None and end is not None and end < start:
        errors[end_field] = _("The end date cannot be before the start date.")


def _choice(errors: dict, data: Mapping[str, Any], key: str, choices) -> None:
    if key not in errors and data.get(key) not in {value for value, _label in choices.choices}:
        errors[key] = _("Choose one of the allowed values.")


def _country(errors: dict, data: Mapping[str, Any], key: str = "country") -> None:
    if key not in errors and not common.is_country(_text(data, key).upper()):
        errors[key] = _("Choose a country from the list.")


def _fail(code: str, message: str, errors: dict) -> None:
    if errors:
        raise DomainError(code, message, fields=errors)


def _require_office(by: User, unit: OrgUnit) -> None:
    if not common.can_write(by, unit):
        raise common.not_found_error()


def _subdivision_of(errors: dict, unit: OrgUnit, value, key: str = "subdivision", *, required: bool = True) -> Subdivision | None:
    if value in (None, ""):
        if required:
            errors[key] = _("This field is required.")
        return None
    pk = value.pk if isinstance(value, Subdivision) else value
    subdivision = Subdivision.objects.filter(org_unit=unit, pk=pk).first() if str(pk).isdigit() else None
    if subdivision is None:
        errors[key] = _("Choose a subdivision of this organization.")
    return subdivision


def _snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


# --- subdivisions -----------------------------------------------------------------------------------

SUBDIVISION_FIELDS = ("name_kk", "name_ru", "name_en", "address", "building", "room", "phone", "external_relations", "is_active")


@transaction.atomic
def subdivision_save(*, org_unit: OrgUnit, data: Mapping[str, Any], by: User, subdivision: Subdivision | None = None, request=None) -> Subdivision:
    _require_office(by, org_unit)
    if subdivision is not None and subdivision.org_unit_id != org_unit.pk:
        raise common.not_found_error()
    errors: dict[str, str] = {}
    _required(errors, data, "name_kk", "name_ru")
    _lengths(errors, data, {"name_kk": 300, "name_ru": 300, "name_en": 300, "address": 300, "building": 60, "room": 30, "phone": 40})
    if "name_kk" not in errors and Subdivision.objects.filter(org_unit=org_unit, name_kk=_text(data, "name_kk")).exclude(
            pk=getattr(subdivision, "pk", None)).exists():
        errors["name_kk"] = _("A subdivision with this name already exists.")
    _fail("invalid_subdivision", _("The subdivision has errors; nothing was saved."), errors)
    before = _snapshot(subdivision, SUBDIVISION_FIELDS) if subdivision else None
    subdivision = subdivision or Subdivision(org_unit=org_unit)
    for key in SUBDIVISION_FIELDS:
        if key in ("external_relations", "is_active"):
            setattr(subdivision, key, bool(data.get(key, getattr(subdivision, key))))
        else:
            setattr(subdivision, key, _text(data, key))
    subdivision.save()
    audit_record(actor=by, action="cooperation.subdivision.save", obj=subdivision, org_unit=org_unit, before=before,
                 after=_snapshot(subdivision, SUBDIVISION_FIELDS), request=request)
    return subdivision


# --- people and the reserve -------------------------------------------------------------------------

PERSON_FIELDS = ("last_name", "first_name", "patronymic", "birth_year", "category", "home_address", "phone", "email")


@transaction.atomic
def person_save(*, org_unit: OrgUnit, data: Mapping[str, Any], by: User, person: MobilityPerson | None = None, request=None) -> MobilityPerson:
    _require_office(by, org_unit)
    if person is not None and person.org_unit_id != org_unit.pk:
        raise common.not_found_error()
    errors: dict[str, str] = {}
    _required(errors, data, "last_name", "first_name", "birth_year", "category", "home_address")
    _lengths(errors, data, {"last_name": 100, "first_name": 100, "patronymic": 100, "home_address": 300, "phone": 40, "email": 254})
    _choice(errors, data, "category", PersonCategory)
    year = data.get("birth_year")
    if "birth_year" not in errors:
        try:
            year = int(year)
        except (TypeError, ValueError):
            errors["birth_year"] = _("Enter a whole number.")
        else:
            this_year = timezone.localdate().year
            if year > this_year:
                errors["birth_year"] = _("The year of birth cannot be in the future.")
            elif year < this_year - 100:
                errors["birth_year"] = _("The year of birth is too far in the past.")
    subdivision = _subdivision_of(errors, org_unit, data.get("subdivision"), required=False)
    if "email" not in errors and _text(data, "email"):
        from django.core.validators import validate_email
        from django.core.exceptions import ValidationError

        try:
            validate_email(_text(data, "email"))
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
    _fail("invalid_person", _("The person's data have errors; nothing was saved."), errors)
    before = _snapshot(person, PERSON_FIELDS) if person else None
    person = person or MobilityPerson(org_unit=org_unit)
    for key in PERSON_FIELDS:
        setattr(person, key, year if key == "birth_year" else _text(data, key))
    person.subdivision = subdivision
    person.save()
    audit_record(actor=by, action="cooperation.person.save", obj=person, org_unit=org_unit, before=before,
                 after=_snapshot(person, PERSON_FIELDS), request=request)
    return person


def _languages(errors: dict, value) -> list[dict[str, str]]:
    result, seen = [], set()
    for index, item in enumerate(value or []):
        code = str((item or {}).get("language", "")).strip().lower()
        level = str((item or {}).get("level", "")).strip().upper()
        certificate = str((item or {}).get("certificate", "") or "").strip()
        if not code and not level:
            continue
        if not common.is_language(code):
            errors[f"languages.{index}.language"] = _("Choose a language from the list.")
        elif code in seen:
            errors[f"languages.{index}.language"] = _("This language is already listed.")
        if level not in common.CEFR_LEVELS:
            errors[f"languages.{index}.level"] = _("Choose a level from A1 to C2.")
        if len(certificate) > 200:
            errors[f"languages.{index}.certificate"] = _("At most %(n)s characters.") % {"n": 200}
        seen.add(code)
        result.append({"language": code, "level": level, "certificate": certificate})
    return result


@transaction.atomic
def reserve_save(
    *, org_unit: OrgUnit, person: MobilityPerson, subdivision, languages, countries, preparation: str = "",
    status: str = ReserveCandidate.Status.PROPOSED, by: User, candidate: ReserveCandidate | None = None, request=None,
) -> ReserveCandidate:
    """Put a person in the reserve of candidates (or update their place): languages and level,
    the countries they are prepared for, the preparation organized, the status."""
    _require_office(by, org_unit)
    if candidate is not None and candidate.org_unit_id != org_unit.pk:
        raise common.not_found_error()
    errors: dict[str, str] = {}
    if person is None or person.org_unit_id != org_unit.pk:
        errors["person"] = _("Choose a person of this organization.")
    subdivision = _subdivision_of(errors, org_unit, subdivision)
    parsed_languages = _languages(errors, languages)
    if not parsed_languages and not any(k.startswith("languages.") for k in errors):
        errors["languages"] = _("Give at least one foreign language and its level.")
    codes = []
    for index, code in enumerate(countries or []):
        code = str(code).strip().upper()
        if not common.is_country(code):
            errors[f"countries.{index}"] = _("Choose a country from the list.")
        elif code not in codes:
            codes.append(code)
    if status not in ReserveCandidate.Status.values:
        errors["status"] = _("Choose one of the allowed values.")
    if len(preparation or "") > MAX_TEXT:
        errors["preparation"] = _("At most %(n)s characters.") % {"n": MAX_TEXT}
    if "person" not in errors and ReserveCandidate.objects.filter(org_unit=org_unit, person=person).exclude(
            pk=getattr(candidate, "pk", None)).exists():
        errors["person"] = _("This person is already in the reserve.")
    _fail("invalid_candidate", _("The reserve entry has errors; nothing was saved."), errors)
    fields = ("person_id", "subdivision_id", "languages", "countries", "preparation", "status")
    before = _snapshot(candidate, fields) if candidate else None
    candidate = candidate or ReserveCandidate(org_unit=org_unit)
    candidate.person, candidate.subdivision, candidate.languages, candidate.countries = person, subdivision, parsed_languages, codes
    candidate.preparation, candidate.status, candidate.updated_at = (preparation or "").strip(), status, timezone.now()
    candidate.save()
    audit_record(actor=by, action="cooperation.reserve.save", obj=candidate, org_unit=org_unit, before=before,
                 after=_snapshot(candidate, fields), request=request)
    return candidate


# --- the plan of foreign trips ----------------------------------------------------------------------

@transaction.atomic
def trip_plan_create(*, org_unit: OrgUnit, year: str, by: User, request=None) -> TripPlan:
    _require_office(by, org_unit)
    year = (year or "").strip()
    if not common.valid_year(year):
        raise DomainError("invalid_plan", _("The plan has errors; nothing was saved."), fields={"year": _("Write the academic year as 2025-2026.")})
    if TripPlan.objects.filter(org_unit=org_unit, year=year).exists():
        raise DomainError("invalid_plan", _("The plan has errors; nothing was saved."),
                          fields={"year": _("A plan for this year already exists; an approved plan is changed by a new version.")})
    plan = TripPlan.objects.create(org_unit=org_unit, year=year, created_by=by)
    audit_record(actor=by, action="cooperation.trip_plan.create", obj=plan, org_unit=org_unit, after={"year": year, "version": 1}, request=request)
    return plan


ITEM_FIELDS = ("subdivision_id", "purpose", "country", "host_organization", "starts_on", "ends_on", "participants", "funding", "note")


def _plan_item_errors(plan: TripPlan, data: Mapping[str, Any]) -> tuple[dict[str, str], Subdivision | None]:
    errors: dict[str, str] = {}
    _required(errors, data, "subdivision", "purpose", "country", "host_organization", "starts_on", "ends_on", "funding")
    _lengths(errors, data, {"host_organization": 300, "note": 500})
    _choice(errors, data, "purpose", Purpose)
    _choice(errors, data, "funding", Funding)
    _country(errors, data)
    subdivision = _subdivision_of(errors, plan.org_unit, data.get("subdivision"))
    start, end = data.get("starts_on"), data.get("ends_on")
    _period(errors, start, end)
    first, last = common.year_bounds(plan.year)
    if start is not None and "starts_on" not in errors and not first <= start <= last:
        errors["starts_on"] = _("The trip must start within the plan's academic year %(year)s.") % {"year": plan.year}
    participants = data.get("participants", 1)
    try:
        participants = int(participants)
        if not 1 <= participants <= 999:
            errors["participants"] = _("Enter a number from 1 to 999.")
    except (TypeError, ValueError):
        errors["participants"] = _("Enter a whole number.")
    return errors, subdivision


@transaction.atomic
def trip_plan_item_save(*, plan: TripPlan, data: Mapping[str, Any], by: User, item: TripPlanItem | None = None, request=None) -> TripPlanItem:
    _require_office(by, plan.org_unit)
    plan = TripPlan.objects.select_for_update().select_related("org_unit").get(pk=plan.pk)
    if item is not None and item.plan_id != plan.pk:
        raise common.not_found_error()
    if not plan.is_editable:
        raise DomainError("plan_read_only", _("An approved plan cannot be changed; make a new version of it."), status=409)
    errors, subdivision = _plan_item_errors(plan, data)
    _fail("invalid_plan_item", _("The plan item has errors; nothing was saved."), errors)
    before = _snapshot(item, ITEM_FIELDS) if item else None
    item = item or TripPlanItem(plan=plan)
    item.subdivision = subdivision
    item.purpose, item.country, item.host_organization = data["purpose"], _text(data, "country").upper(), _text(data, "host_organization")
    item.starts_on, item.ends_on, item.participants = data["starts_on"], data["ends_on"], int(data.get("participants", 1))
    item.funding, item.note = data["funding"], _text(data, "note")
    item.save()
    audit_record(actor=by, action="cooperation.trip_plan.item_save", obj=item, org_unit=plan.org_unit, before=before,
                 after=_snapshot(item, ITEM_FIELDS), request=request)
    return item


@transaction.atomic
def trip_plan_item_delete(*, item: TripPlanItem, by: User, request=None) -> None:
    plan = TripPlan.objects.select_for_update().select_related("org_unit").get(pk=item.plan_id)
    _require_office(by, plan.org_unit)
    if not plan.is_editable:
        raise DomainError("plan_read_only", _("An approved plan cannot be changed; make a new version of it."), status=409)
    before = _snapshot(item, ITEM_FIELDS)
    item_id = item.pk
    item.delete()
    audit_record(actor=by, action="cooperation.trip_plan.item_delete", object_type="cooperation.tripplanitem", object_id=item_id,
                 org_unit=plan.org_unit, before=before, request=request)


@transaction.atomic
def trip_plan_request_approval(*, plan: TripPlan, by: User, request=None) -> TripPlan:
    """Ask the head to approve a draft plan (a notification to the organization's heads)."""
    _require_office(by, plan.org_unit)
    if plan.status != TripPlan.Status.DRAFT:
        raise DomainError("invalid_status", _("Only a draft plan can be approved."), fields={"status": _("Only a draft plan can be approved.")}, status=409)
    if not plan.items.exists():
        raise DomainError("invalid_plan", _("The plan has no trips yet."), fields={"items": _("Add at least one trip to the plan.")})
    heads = notifications.users_with_roles([plan.org_unit_id], [Role.ORG_HEAD])
    count = notifications.notify([u for users in heads.values() for u in users], "cooperation.trip_plan_submitted",
                                 {"year": plan.year.replace("-", "–")}, link=f"/cooperation/mobility/plans/{plan.pk}/")
    audit_record(actor=by, action="cooperation.trip_plan.request_approval", obj=plan, org_unit=plan.org_unit, after={"notified": count}, request=request)
    return plan


@transaction.atomic
def trip_plan_approve(*, plan: TripPlan, by: User, request=None) -> TripPlan:
    """The head approves a draft plan. A new version replaces the previous approved one, and the
    trips made under the old version's items follow them to the new version."""
    plan = TripPlan.objects.select_for_update().select_related("org_unit").get(pk=plan.pk)
    if not common.can_approve(by, plan.org_unit):
        raise common.not_found_error()
    if plan.status != TripPlan.Status.DRAFT:
        raise DomainError("invalid_status", _("Only a draft plan can be approved."), fields={"status": _("Only a draft plan can be approved.")}, status=409)
    if not plan.items.exists():
        raise DomainError("invalid_plan", _("The plan has no trips yet."), fields={"items": _("Add at least one trip to the plan.")})
    replaced = TripPlan.objects.select_for_update().filter(org_unit=plan.org_unit, year=plan.year, status=TripPlan.Status.APPROVED).first()
    if replaced is not None:
        kept = {item.origin_id: item for item in plan.items.exclude(origin=None)}
        orphaned = []
        for trip in Trip.objects.filter(plan_item__plan=replaced).select_related("plan_item"):
            new_item = kept.get(trip.plan_item_id)
            if new_item is None:
                orphaned.append(trip.pk)
                continue
            Trip.objects.filter(pk=trip.pk).update(plan_item=new_item)
        if orphaned:
            raise DomainError("invalid_plan", _("Trips were made under items this version removes: keep those items."),
                              fields={"items": _("Trips were made under items this version removes: keep those items.")}, status=409)
        replaced.status = TripPlan.Status.SUPERSEDED
        replaced.save(update_fields=["status"])
    plan.status, plan.approved_by, plan.approved_at = TripPlan.Status.APPROVED, by, timezone.now()
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=by, action="cooperation.trip_plan.approve", obj=plan, org_unit=plan.org_unit, before={"status": "draft"},
                 after={"status": "approved", "version": plan.version, "replaces": replaced.version if replaced else None,
                        "items": plan.items.count()}, request=request)
    return plan


@transaction.atomic
def trip_plan_new_version(*, plan: TripPlan, reason: str, by: User, request=None) -> TripPlan:
    """A draft copy of an approved plan, to be changed and approved again; the approved one stays in
    force until then."""
    _require_office(by, plan.org_unit)
    plan = TripPlan.objects.select_for_update().select_related("org_unit").get(pk=plan.pk)
    if plan.status != TripPlan.Status.APPROVED:
        raise DomainError("invalid_status", _("Only the approved plan can be carried into a new version."),
                          fields={"status": _("Only the approved plan can be carried into a new version.")}, status=409)
    if not (reason or "").strip():
        raise DomainError("invalid_plan", _("The plan has errors; nothing was saved."), fields={"change_reason": _("Say why the plan changes.")})
    if TripPlan.objects.filter(org_unit=plan.org_unit, year=plan.year, status=TripPlan.Status.DRAFT).exists():
        raise DomainError("invalid_plan", _("A new version of this plan is already being drafted."),
                          fields={"status": _("A new version of this plan is already being drafted.")}, status=409)
    version = (TripPlan.objects.filter(org_unit=plan.org_unit, year=plan.year).order_by("-version").values_list("version", flat=True).first() or 0) + 1
    draft = TripPlan.objects.create(org_unit=plan.org_unit, year=plan.year, version=version, previous=plan, change_reason=reason.strip(), created_by=by)
    TripPlanItem.objects.bulk_create([
        TripPlanItem(plan=draft, subdivision_id=i.subdivision_id, purpose=i.purpose, country=i.country, host_organization=i.host_organization,
                     starts_on=i.starts_on, ends_on=i.ends_on, participants=i.participants, funding=i.funding, note=i.note, origin=i)
        for i in plan.items.all()
    ])
    audit_record(actor=by, action="cooperation.trip_plan.new_version", obj=draft, org_unit=plan.org_unit,
                 before={"version": plan.version}, after={"version": version, "reason": reason.strip()}, request=request)
    return draft


# --- trips ------------------------------------------------------------------------------------------

TRIP_FIELDS = ("person_id", "subdivision_id", "purpose", "country", "host_organization", "city", "address_abroad", "starts_on", "ends_on",
               "funding", "funding_note", "plan_item_id", "order_number", "order_date")


def _trip_errors(unit: OrgUnit, data: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    errors: dict[str, str] = {}
    _required(errors, data, "person", "subdivision", "purpose", "country", "host_organization", "city", "starts_on", "ends_on", "funding")
    _lengths(errors, data, {"host_organization": 300, "city": 120, "address_abroad": 300, "funding_note": 300, "order_number": 40})
    _choice(errors, data, "purpose", Purpose)
    _choice(errors, data, "funding", Funding)
    _country(errors, data)
    person = data.get("person")
    if "person" not in errors:
        pk = person.pk if isinstance(person, MobilityPerson) else person
        person = MobilityPerson.objects.filter(org_unit=unit, pk=pk).first() if str(pk).isdigit() else None
        if person is None:
            errors["person"] = _("Choose a person of this organization.")
    subdivision = _subdivision_of(errors, unit, data.get("subdivision"))
    start, end = data.get("starts_on"), data.get("ends_on")
    _period(errors, start, end)
    item = data.get("plan_item")
    if item not in (None, ""):
        pk = item.pk if isinstance(item, TripPlanItem) else item
        item = TripPlanItem.objects.filter(plan__org_unit=unit, pk=pk).select_related("plan").first() if str(pk).isdigit() else None
        if item is None:
            errors["plan_item"] = _("Choose an item of this organization's plan.")
        elif item.plan.status != TripPlan.Status.APPROVED:
            errors["plan_item"] = _("Trips are made under the approved plan only.")
        elif start is not None and end is not None and "ends_on" not in errors:
            first, last = common.year_bounds(item.plan.year)
            if not (first <= start <= last and first <= end <= last):
                errors["starts_on"] = _("The trip is outside the approved plan's academic year %(year)s (%(first)s – %(last)s).") % {
                    "year": item.plan.year, "first": first.isoformat(), "last": last.isoformat()}
    else:
        item = None
    if data.get("order_date") is not None and start is not None and data["order_date"] > start:
        errors["order_date"] = _("The order must be dated before the trip starts.")
    return errors, {"person": person, "subdivision": subdivision, "plan_item": item}


@transaction.atomic
def trip_create(*, org_unit: OrgUnit, data: Mapping[str, Any], by: User, request=None) -> Trip:
    _require_office(by, org_unit)
    errors, refs = _trip_errors(org_unit, data)
    _fail("invalid_trip", _("The trip has errors; nothing was saved."), errors)
    trip = Trip(org_unit=org_unit, created_by=by, **refs)
    _assign_trip(trip, data)
    trip.save()
    TripDocument.objects.bulk_create([TripDocument(trip=trip, code=code, order=n) for n, code in enumerate(CHECKLISTS[trip.purpose])])
    ReserveCandidate.objects.filter(org_unit=org_unit, person=trip.person).exclude(
        status__in=(ReserveCandidate.Status.SENT, ReserveCandidate.Status.WITHDRAWN)).update(status=ReserveCandidate.Status.SENT, updated_at=timezone.now())
    audit_record(actor=by, action="cooperation.trip.create", obj=trip, org_unit=org_unit, after=_snapshot(trip, TRIP_FIELDS), request=request)
    office_requirement_check(org_unit=org_unit)
    return trip


def _assign_trip(trip: Trip, data: Mapping[str, Any]) -> None:
    trip.purpose, trip.country = data["purpose"], _text(data, "country").upper()
    trip.host_organization, trip.city, trip.address_abroad = _text(data, "host_organization"), _text(data, "city"), _text(data, "address_abroad")
    trip.starts_on, trip.ends_on, trip.funding, trip.funding_note = data["starts_on"], data["ends_on"], data["funding"], _text(data, "funding_note")
    trip.order_number, trip.order_date = _text(data, "order_number"), data.get("order_date")


@transaction.atomic
def trip_update(*, trip: Trip, data: Mapping[str, Any], by: User, request=None) -> Trip:
    """Change a trip being prepared or under way (a returned trip's facts stay as they were)."""
    trip = Trip.objects.select_for_update().select_related("org_unit").get(pk=trip.pk)
    _require_office(by, trip.org_unit)
    if trip.status not in (Trip.Status.PLANNED, Trip.Status.ABROAD):
        raise DomainError("trip_closed", _("A trip that has ended cannot be changed."), status=409)
    errors, refs = _trip_errors(trip.org_unit, data)
    if "purpose" not in errors and data.get("purpose") != trip.purpose and trip.status != Trip.Status.PLANNED:
        errors["purpose"] = _("The purpose cannot change once the person has left.")
    _fail("invalid_trip", _("The trip has errors; nothing was saved."), errors)
    before = _snapshot(trip, TRIP_FIELDS)
    for key, value in refs.items():
        setattr(trip, key, value)
    _assign_trip(trip, data)
    trip.save()
    audit_record(actor=by, action="cooperation.trip.update", obj=trip, org_unit=trip.org_unit, before=before, after=_snapshot(trip, TRIP_FIELDS), request=request)
    office_requirement_check(org_unit=trip.org_unit)
    return trip


@transaction.atomic
def trip_document_set(*, trip: Trip, document: TripDocument | None = None, done: bool, done_on: date | None = None, note: str = "",
                      label: str = "", remove: bool = False, by: User, request=None) -> TripDocument | None:
    """Mark a line of the checklist done (or not), add another document, or remove a line that does
    not apply (a visa for a visa-free country)."""
    trip = Trip.objects.select_for_update().select_related("org_unit").get(pk=trip.pk)
    _require_office(by, trip.org_unit)
    if document is not None and document.trip_id != trip.pk:
        raise common.not_found_error()
    if trip.status in (Trip.Status.CANCELLED, Trip.Status.REPORTED):
        raise DomainError("trip_closed", _("The checklist of a closed trip cannot be changed."), status=409)
    errors: dict[str, str] = {}
    if document is None and not (label or "").strip():
        errors["label"] = _("Name the document.")
    if len(label or "") > 200:
        errors["label"] = _("At most %(n)s characters.") % {"n": 200}
    if len(note or "") > 300:
        errors["note"] = _("At most %(n)s characters.") % {"n": 300}
    if done and done_on is not None and done_on > timezone.localdate():
        errors["done_on"] = _("The date cannot be in the future.")
    _fail("invalid_document", _("The checklist line has errors; nothing was saved."), errors)
    if remove and document is not None:
        before = {"code": document.code, "label": document.label, "done": document.done}
        doc_id = document.pk
        document.delete()
        audit_record(actor=by, action="cooperation.trip.document_remove", object_type="cooperation.tripdocument", object_id=doc_id,
                     org_unit=trip.org_unit, before=before, request=request)
        return None
    before = {"done": document.done, "done_on": document.done_on, "note": document.note} if document else None
    if document is None:
        order = (trip.documents.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        document = TripDocument(trip=trip, code=TripDocument.Code.OTHER, label=label.strip(), order=order)
    document.done = bool(done)
    document.done_on = (done_on or timezone.localdate()) if done else None
    document.note = (note or "").strip()
    document.save()
    audit_record(actor=by, action="cooperation.trip.document_set", obj=document, org_unit=trip.org_unit, before=before,
                 after={"code": document.code, "label": document.label, "done": document.done, "done_on": document.done_on, "note": document.note},
                 request=request)
    return document


@transaction.atomic
def trip_depart(*, trip: Trip, by: User, request=None) -> Trip:
    """The person has left: every document of the checklist must be done."""
    trip = Trip.objects.select_for_update().select_related("org_unit").get(pk=trip.pk)
    _require_office(by, trip.org_unit)
    if trip.status != Trip.Status.PLANNED:
        raise DomainError("invalid_status", _("Only a trip being prepared can start."), fields={"status": _("Only a trip being prepared can start.")}, status=409)
    missing = [d.title for d in trip.documents.filter(done=False)]
    if missing:
        raise DomainError("documents_missing", _("Documents are not ready: %(list)s.") % {"list": ", ".join(str(m) for m in missing)},
                          fields={"documents": _("Documents are not ready: %(list)s.") % {"list": ", ".join(str(m) for m in missing)}})
    trip.status = Trip.Status.ABROAD
    trip.save(update_fields=["status"])
    audit_record(actor=by, action="cooperation.trip.depart", obj=trip, org_unit=trip.org_unit, before={"status": "planned"}, after={"status": "abroad"}, request=request)
    office_requirement_check(org_unit=trip.org_unit)
    return trip


@transaction.atomic
def trip_return(*, trip: Trip, returned_on: date | None, by: User, request=None) -> Trip:
    """The person is back: the report falls due ``report_working_days()`` working days later."""
    trip = Trip.objects.select_for_update().select_related("org_unit").get(pk=trip.pk)
    _require_office(by, trip.org_unit)
    if trip.status != Trip.Status.ABROAD:
        raise DomainError("invalid_status", _("Only a trip under way can end."), fields={"status": _("Only a trip under way can end.")}, status=409)
    errors = {}
    if returned_on is None:
        errors["returned_on"] = _("This field is required.")
    elif returned_on < trip.starts_on:
        errors["returned_on"] = _("The return cannot be before the trip started.")
    elif returned_on > timezone.localdate():
        errors["returned_on"] = _("The return cannot be in the future.")
    _fail("invalid_return", _("The return has errors; nothing was saved."), errors)
    trip.returned_on, trip.status = returned_on, Trip.Status.RETURNED
    trip.report_due = common.report_due_after(returned_on)
    trip.save(update_fields=["returned_on", "status", "report_due"])
    audit_record(actor=by, action="cooperation.trip.return", obj=trip, org_unit=trip.org_unit, before={"status": "abroad"},
                 after={"status": "returned", "returned_on": returned_on, "report_due": trip.report_due}, request=request)
    office_requirement_check(org_unit=trip.org_unit)
    return trip


@transaction.atomic
def trip_cancel(*, trip: Trip, reason: str, by: User, request=None) -> Trip:
    trip = Trip.objects.select_for_update().select_related("org_unit").get(pk=trip.pk)
    _require_office(by, trip.org_unit)
    if trip.status != Trip.Status.PLANNED:
        raise DomainError("invalid_status", _("Only a trip being prepared can be cancelled."),
                          fields={"status": _("Only a trip being prepared can be cancelled.")}, status=409)
    if not (reason or "").strip():
        raise DomainError("invalid_cancel", _("Say why the trip is cancelled."), fields={"reason": _("Say why the trip is cancelled.")})
    trip.status = Trip.Status.CANCELLED
    trip.save(update_fields=["status"])
    audit_record(actor=by, action="cooperation.trip.cancel", obj=trip, org_unit=trip.org_unit, before={"status": "planned"},
                 after={"status": "cancelled", "reason": reason.strip()}, request=request)
    office_requirement_check(org_unit=trip.org_unit)
    return trip


@transaction.atomic
def trip_report_submit(*, trip: Trip, summary: str, results: str, implementation: str = "", by: User, request=None) -> TripReport:
    """The full report on the trip's results (§8.6); only once the person is back."""
    trip = Trip.objects.select_for_update().select_related("org_unit").get(pk=trip.pk)
    _require_office(by, trip.org_unit)
    if trip.status in (Trip.Status.PLANNED, Trip.Status.ABROAD, Trip.Status.CANCELLED):
        raise DomainError("trip_not_returned", _("The report can be submitted only after the return."),
                          fields={"returned_on": _("The trip has no return recorded yet.")}, status=409)
    if trip.status == Trip.Status.REPORTED:
        raise DomainError("already_reported", _("The report on this trip was already submitted."), status=409)
    errors: dict[str, str] = {}
    data = {"summary": summary, "results": results, "implementation": implementation}
    _required(errors, data, "summary", "results")
    _lengths(errors, data, {"summary": MAX_TEXT, "results": MAX_TEXT, "implementation": MAX_TEXT})
    _fail("invalid_report", _("The report has errors; nothing was saved."), errors)
    now = timezone.now()
    late = bool(trip.report_due and timezone.localdate() > trip.report_due)
    report = TripReport.objects.create(trip=trip, summary=summary.strip(), results=results.strip(), implementation=(implementation or "").strip(),
                                       submitted_by=by, submitted_at=now, is_late=late)
    trip.status = Trip.Status.REPORTED
    trip.save(update_fields=["status"])
    audit_record(actor=by, action="cooperation.trip.report", obj=report, org_unit=trip.org_unit, before={"status": "returned"},
                 after={"status": "reported", "late": late, "due": trip.report_due}, request=request)
    return report


# --- reminders --------------------------------------------------------------------------------------

def trip_reminders_send(*, today: date | None = None) -> int:
    """Remind of every overdue trip report: the organization's international officers and the
    person (when they have an account), on the first day the report is overdue and then every
    ``REMINDER_EVERY_DAYS`` days. Run daily (``manage.py mobility_daily``); running it twice on a
    day sends nothing more. Returns the number of notifications created."""
    today = today or timezone.localdate()
    sent = 0
    overdue = Trip.objects.filter(status=Trip.Status.RETURNED, report_due__lt=today).select_related("person", "org_unit")
    recent = today - timedelta(days=common.REMINDER_EVERY_DAYS - 1)
    reminded = set(TripReminder.objects.filter(trip__in=overdue, sent_on__gte=recent).values_list("trip_id", flat=True))
    trips = [trip for trip in overdue if trip.pk not in reminded]
    officers = notifications.users_with_roles({t.org_unit_id for t in trips}, [Role.INTERNATIONAL_OFFICER])
    for trip in trips:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    TripReminder.objects.create(trip=trip, sent_on=today)
            except IntegrityError:
                continue  # another run reminded of it today
            users = list(officers.get(trip.org_unit_id, []))
            if trip.person.user_id:
                users.append(trip.person.user_id)
            params = {"person": trip.person.full_name, "country": {lang: common.country_name(trip.country, lang) for lang in ("kk", "ru", "en")},
                      "due": trip.report_due.isoformat(),
                      "days": (today - trip.report_due).days}
            count = notifications.notify(users, "cooperation.trip_report_overdue", params, link=f"/cooperation/mobility/trips/{trip.pk}/")
            TripReminder.objects.filter(trip=trip, sent_on=today).update(recipients=count)
            audit_record(actor=None, action="cooperation.trip.reminder", obj=trip, org_unit=trip.org_unit, after={"recipients": count, "due": trip.report_due})
            sent += count
    return sent
