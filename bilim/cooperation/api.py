"""Cooperation API (/api/v1/cooperation/…), part A: the registry of foreigners and their Appendix 1
questionnaire, the office and its C1 status, and the aggregates for the ministry, regions and
districts. Scoped like the pages: the organization's international officer reads and writes
everything (the special categories included, every read audited), its head reads without the special
categories, officers above get only counts; anything else is 404. Part B's router
(``api_mobility.router``), when present, is included here."""

import datetime as dt
from enum import StrEnum
from importlib.util import find_spec
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from bilim.core.api import ERRORS, ErrorOut, Pagination
from bilim.core.errors import DomainError

from . import reference, selectors, services
from .models import (Accommodation, ActivityKind, Basis, Category, DepartureReason, EducationType, Foreigner, LanguageLevel,
                     MaritalStatus, Office, Reason, Relation, Sex)

router = Router(tags=["cooperation"])
ID = Path(..., ge=1, le=2**62)
WRITE_ERRORS = {**ERRORS, 403: ErrorOut, 409: ErrorOut}
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refused here (422), not in the database (500)
# ``Office.Kind`` under a name of its own: OpenAPI components are keyed by the class's name, and other
# models' ``Kind`` (reporting's campaigns) would replace it in the document.
OfficeKind = StrEnum("OfficeKind", {member.name: member.value for member in Office.Kind})


def _text(max_length: int, description: str = "", default: str = "") -> str:
    return Field(default, max_length=max_length, pattern=NO_NUL, description=description)


# --- schemas -------------------------------------------------------------------------------------------

class RelativeIn(Schema):
    relation: Relation
    full_name: str = _text(200)
    birth_year: int = Field(..., ge=1, le=9999)
    citizenship: str = _text(2, "ISO 3166-1 alpha-2 code")
    occupation: str = _text(200)
    address: str = _text(300)


class EducationIn(Schema):
    organization: str = _text(300)
    programme: str = _text(300)
    year_from: int = Field(..., ge=1, le=9999)
    year_to: int | None = Field(None, ge=1, le=9999)
    types: list[EducationType] = Field(..., max_length=5, description="state, private, religious, secular, military")
    document: str = _text(300)


class LanguageIn(Schema):
    language: str = Field(..., max_length=5, pattern=NO_NUL, description="ISO 639-1 code from the list, or 'other'")
    other_name: str = _text(60, "The language's name when language is 'other'")
    spoken: LanguageLevel
    reading: LanguageLevel
    writing: LanguageLevel


class ActivityIn(Schema):
    date_from: dt.date
    date_to: dt.date | None = None
    kind: ActivityKind
    description: str = _text(400, "Activity and place")


class QuestionnaireIn(Schema):
    """The questionnaire of Appendix 1 (items 1–17) and the stay. Items 5, 6, 7 and 10 are special
    categories of personal data: stored encrypted, returned only to the international office."""

    surname_latin: str = _text(100, "As in the passport")
    given_names_latin: str = _text(150, "As in the passport")
    last_name: str = _text(100, "In Cyrillic, where applicable")
    first_name: str = _text(100)
    patronymic: str = _text(100)
    sex: Sex
    citizenship: str = Field(..., max_length=2, pattern=NO_NUL, description="ISO 3166-1 alpha-2; XX: stateless")
    birth_date: dt.date
    birth_country: str = Field(..., max_length=2, pattern=NO_NUL)
    birth_place: str = _text(200)
    passport_number: str = _text(30)
    passport_issued_on: dt.date
    passport_expires_on: dt.date
    passport_issued_by: str = _text(200)
    nationality: str = _text(100, "Special category (item 5)")
    religion: str = _text(100, "Special category (item 6)")
    memberships: str = _text(1000, "Special category (item 7)")
    permanent_address: str = _text(500)
    phones: str = _text(200)
    email: str = _text(254)
    marital_status: MaritalStatus
    relatives: list[RelativeIn] = Field(default_factory=list, max_length=30, description="Special category (item 10)")
    education: list[EducationIn] = Field(default_factory=list, max_length=15)
    languages: list[LanguageIn] = Field(default_factory=list, max_length=15)
    activities: list[ActivityIn] = Field(default_factory=list, max_length=20)
    reasons: dict[Reason, Annotated[int, Field(ge=1, le=len(Reason.choices))]] = Field(
        ..., description="The chosen reasons and their ranks 1, 2, 3… without gaps or repeats")
    reason_other: str = _text(300)
    study_purpose: str = _text(2000, "Item 15")
    about: str = _text(4000, "Item 16")
    category: Category
    basis: Basis
    specialty: str = _text(200)
    course: int | None = Field(None, ge=1, le=7)
    is_diaspora: bool = False
    is_kandas: bool = False
    admission_order_number: str = _text(50)
    admission_order_date: dt.date | None = None
    arrival_date: dt.date
    accommodation: Accommodation
    accommodation_address: str = _text(300)
    medical_checkup_on: dt.date | None = None
    expected_end_date: dt.date
    acknowledged: bool = Field(..., description="Item 17: acquainted with the laws and rules (must be true)")
    acknowledged_on: dt.date
    signed: bool = Field(..., description="The foreigner signed the questionnaire (must be true)")


class RegisterIn(QuestionnaireIn):
    consent: bool = Field(..., description="The foreigner's consent to the processing of personal data (must be true)")
    consent_version: str = Field("", max_length=20, pattern=NO_NUL, description="The version of the consent text shown")


class DepartureIn(Schema):
    departure_date: dt.date
    departure_reason: DepartureReason
    departure_note: str = _text(300)


class SpecialOut(Schema):
    nationality: str
    religion: str
    memberships: str
    relatives: list[dict]


class ForeignerItemOut(Schema):
    id: int
    org_unit_id: int
    surname_latin: str
    given_names_latin: str
    name_cyrillic: str
    citizenship: str
    citizenship_name: str
    category: Category
    purpose: str
    arrival_date: dt.date
    expected_end_date: dt.date
    departure_date: dt.date | None
    status: Literal["present", "expected", "departed"]


class ForeignerOut(ForeignerItemOut):
    last_name: str
    first_name: str
    patronymic: str
    sex: str
    birth_date: dt.date
    birth_country: str
    birth_place: str
    passport_number: str
    passport_issued_on: dt.date
    passport_expires_on: dt.date
    passport_issued_by: str
    permanent_address: str
    phones: str
    email: str
    marital_status: str
    education: list[dict]
    languages: list[dict]
    activities: list[dict]
    reasons: list[str] = Field(description="The chosen reasons in rank order (first: rank 1)")
    reason_other: str
    study_purpose: str
    about: str
    basis: str
    specialty: str
    course: int | None
    is_diaspora: bool
    is_kandas: bool
    is_cis: bool
    admission_order_number: str
    admission_order_date: dt.date | None
    accommodation: str
    accommodation_address: str
    medical_checkup_on: dt.date | None
    departure_reason: str
    acknowledged: bool
    acknowledged_on: dt.date
    signed: bool
    consent_version: str
    consent_at: dt.datetime
    has_photo: bool
    special: SpecialOut | None = Field(description="Items 5–7 and 10: only for the organization's international office")


class RegistryQuery(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL, description="Name (Latin or Cyrillic) or passport number")
    citizenship: str = Field("", max_length=2, pattern=r"^([A-Za-z]{2})?$")
    category: Category | None = None
    status: Literal["present", "expected", "departed", "all"] = "present"


class TrailOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    channel: str
    special: bool


class StaffIO(Schema):
    full_name: str = _text(200)
    position: str = _text(200)
    is_head: bool = False
    work_phone: str = _text(40)
    home_phone: str = _text(40)
    email: str = _text(254)
    order_number: str = _text(50)
    order_date: dt.date | None = None
    experience_years: int | None = Field(None, ge=0, le=70)
    foreign_languages: str = _text(200)
    has_clearance: bool = False


class OfficeIn(Schema):
    kind: OfficeKind
    name: str = _text(300)
    order_number: str = _text(50)
    order_date: dt.date
    address: str = _text(300)
    building: str = _text(60)
    room: str = _text(30)
    regulation_approved: bool = False
    premises_secured: bool = False
    staff: list[StaffIO] = Field(..., max_length=30)


class OfficeRecordOut(Schema):
    kind: str
    name: str
    order_number: str
    order_date: dt.date
    address: str
    building: str
    room: str
    regulation_approved: bool
    premises_secured: bool
    staff: list[StaffIO]


class OfficeOut(Schema):
    org_unit_id: int
    on: dt.date
    foreigners: int
    abroad: int = Field(description="Citizens abroad on the organization's referral")
    agreements: int = Field(description="Active agreements with foreign partners")
    service_mandatory: bool = Field(description="§4: 10 or more foreigners, 10 or more abroad, or active agreements")
    warning: bool = Field(description="A service is mandatory and none is recorded")
    office: OfficeRecordOut | None


class CountOut(Schema):
    code: str
    name: str
    count: int


class UnitCountOut(Schema):
    org_unit_id: int
    name: str
    count: int


class StatisticsQuery(Schema):
    unit: int | None = Field(None, ge=1, le=2**62, description="The unit whose subtree is counted; default: the caller's")
    on: dt.date | None = Field(None, description="The day; default: today")


class StatisticsOut(Schema):
    org_unit_id: int
    on: dt.date
    total: int
    by_country: list[CountOut]
    by_category: list[CountOut]
    by_purpose: list[CountOut]
    diaspora: int
    kandas: int
    cis: int
    female: int
    by_unit: list[UnitCountOut]
    without_service: list[UnitCountOut] = Field(description="Organizations with 10 or more foreigners and no service recorded")


# --- conversions ---------------------------------------------------------------------------------------

def _item(f: Foreigner) -> dict:
    return {"id": f.pk, "org_unit_id": f.org_unit_id, "surname_latin": f.surname_latin, "given_names_latin": f.given_names_latin,
            "name_cyrillic": f.name_cyrillic, "citizenship": f.citizenship, "citizenship_name": reference.country_name(f.citizenship),
            "category": f.category, "purpose": f.purpose, "arrival_date": f.arrival_date, "expected_end_date": f.expected_end_date,
            "departure_date": f.departure_date, "status": f.status()}


def _foreigner(f: Foreigner, special: bool) -> ForeignerOut:
    fields = ("last_name", "first_name", "patronymic", "sex", "birth_date", "birth_country", "birth_place", "passport_number",
              "passport_issued_on", "passport_expires_on", "passport_issued_by", "permanent_address", "phones", "email",
              "marital_status", "education", "languages", "activities", "reasons", "reason_other", "study_purpose", "about",
              "basis", "specialty", "course", "is_diaspora", "is_kandas", "is_cis", "admission_order_number",
              "admission_order_date", "accommodation", "accommodation_address", "medical_checkup_on", "departure_reason",
              "acknowledged", "acknowledged_on", "signed", "consent_version", "consent_at")
    data = {**_item(f), **{name: getattr(f, name) for name in fields}, "has_photo": bool(f.photo)}
    data["special"] = SpecialOut(nationality=f.nationality, religion=f.religion, memberships=f.memberships,
                                 relatives=f.relatives or []) if special else None
    return ForeignerOut(**data)


def _payload(payload: Schema) -> dict:
    """The body as plain JSON values (codes, ISO dates): what the service checks, like a form's input."""
    return payload.model_dump(mode="json")


def _status_out(status: selectors.OfficeStatus) -> OfficeOut:
    office = status.office
    record = None
    if office is not None:
        record = OfficeRecordOut(kind=office.kind, name=office.name, order_number=office.order_number, order_date=office.order_date,
                                 address=office.address, building=office.building, room=office.room,
                                 regulation_approved=office.regulation_approved, premises_secured=office.premises_secured,
                                 staff=[StaffIO(**{k: getattr(s, k) for k in StaffIO.model_fields}) for s in office.staff.all()])
    return OfficeOut(org_unit_id=status.org_unit.pk, on=status.on, foreigners=status.foreigners, abroad=status.abroad,
                     agreements=status.agreements, service_mandatory=status.mandatory, warning=status.warning, office=record)


# --- foreigners ------------------------------------------------------------------------------------------

@router.get("/organizations/{unit_id}/foreigners", response={200: list[ForeignerItemOut], **ERRORS},
            summary="The organization's registry of foreigners (its international office and head), without special categories")
@paginate(Pagination)
def registry(request, filters: Query[RegistryQuery], unit_id: int = ID):
    unit = selectors.organization_get(request.user, unit_id)
    rows = selectors.foreigner_registry(request.user, unit, query=filters.q, citizenship=filters.citizenship,
                                        category=filters.category.value if filters.category else "", status=filters.status)
    return [_item(f) for f in rows]


@router.post("/organizations/{unit_id}/foreigners", response={201: ForeignerOut, 400: ErrorOut, **WRITE_ERRORS},
             summary="Register a foreigner with the complete questionnaire and the consent (international office)")
def register(request, payload: RegisterIn, unit_id: int = ID):
    unit = selectors.organization_get(request.user, unit_id, roles=selectors.OFFICER_ROLES)
    foreigner = services.foreigner_register(org_unit=unit, data=_payload(payload), by=request.user, request=request)
    return Status(201, _foreigner(foreigner, True))


@router.get("/foreigners/{foreigner_id}", response={200: ForeignerOut, **ERRORS},
            summary="A foreigner's questionnaire; the special categories only for the international office. Audited")
def foreigner(request, foreigner_id: int = ID):
    found, special = selectors.foreigner_open(request.user, foreigner_id, channel="api", request=request)
    return _foreigner(found, special)


@router.put("/foreigners/{foreigner_id}", response={200: ForeignerOut, 400: ErrorOut, **WRITE_ERRORS},
            summary="Replace the questionnaire's answers (the consent stays as recorded)")
def foreigner_update(request, payload: QuestionnaireIn, foreigner_id: int = ID):
    found = selectors.foreigner_for_write(request.user, foreigner_id)
    saved = services.foreigner_update(foreigner=found, data=_payload(payload), by=request.user, request=request)
    return _foreigner(saved, True)


@router.post("/foreigners/{foreigner_id}/departure", response={200: ForeignerOut, 400: ErrorOut, **WRITE_ERRORS},
             summary="Record the foreigner's departure")
def departure(request, payload: DepartureIn, foreigner_id: int = ID):
    found = selectors.foreigner_for_write(request.user, foreigner_id)
    saved = services.foreigner_depart(foreigner=found, departure_date=payload.departure_date,
                                      reason=payload.departure_reason.value, note=payload.departure_note, by=request.user,
                                      request=request)
    return _foreigner(saved, True)


@router.post("/foreigners/{foreigner_id}/photo", response={200: ForeignerOut, 400: ErrorOut, **WRITE_ERRORS},
             summary="Upload the photo (JPEG, PNG or WebP; stored re-encoded without metadata)")
def photo(request, foreigner_id: int = ID, file: UploadedFile | None = File(None, description="The photo; an empty part counts as none")):
    found = selectors.foreigner_for_write(request.user, foreigner_id)
    saved = services.foreigner_photo_set(foreigner=found, upload=file, by=request.user, request=request)
    return _foreigner(saved, True)


@router.get("/foreigners/{foreigner_id}/views", response={200: list[TrailOut], **ERRORS},
            summary="Who viewed and changed the foreigner's data, newest first (international office)")
def trail(request, foreigner_id: int = ID):
    found, special = selectors.foreigner_get(request.user, foreigner_id)
    if not special:
        raise DomainError("not_found", _("Not found."), status=404)
    return [TrailOut(at=t.at, actor=t.actor, action=t.action, channel=t.channel, special=t.special)
            for t in selectors.foreigner_trail(request.user, found)]


# --- the office --------------------------------------------------------------------------------------------

@router.get("/organizations/{unit_id}/office", response={200: OfficeOut, **ERRORS},
            summary="The organization's service or responsible person and whether a service is mandatory (C1)")
def office(request, unit_id: int = ID):
    return _status_out(selectors.office_get(request.user, unit_id))


@router.put("/organizations/{unit_id}/office", response={200: OfficeOut, 400: ErrorOut, **WRITE_ERRORS},
            summary="Record the service or the responsible person, the head's order and the staff (officer or head)")
def office_put(request, payload: OfficeIn, unit_id: int = ID):
    unit = selectors.organization_get(request.user, unit_id, roles=selectors.OFFICE_ROLES)
    data = payload.model_dump(mode="python")
    staff = data.pop("staff")
    data["kind"] = payload.kind.value
    services.office_save(org_unit=unit, data=data, staff=staff, by=request.user, request=request)
    return _status_out(selectors.office_status(unit))


# --- aggregates -------------------------------------------------------------------------------------------

@router.get("/statistics", response={200: StatisticsOut, **ERRORS},
            summary="Foreigners present in a subtree: counts by country, category, purpose, flags and unit — no names")
def statistics(request, filters: Query[StatisticsQuery]):
    s = selectors.statistics(request.user, filters.unit, filters.on)
    return StatisticsOut(
        org_unit_id=s.node.pk, on=s.on, total=s.total,
        by_country=[CountOut(code=c, name=n, count=k) for c, n, k in s.by_country],
        by_category=[CountOut(code=c, name=str(n), count=k) for c, n, k in s.by_category],
        by_purpose=[CountOut(code=c, name=str(n), count=k) for c, n, k in s.by_purpose],
        diaspora=s.diaspora, kandas=s.kandas, cis=s.cis, female=s.female,
        by_unit=[UnitCountOut(org_unit_id=u.pk, name=u.name, count=k) for u, k in s.children],
        without_service=[UnitCountOut(org_unit_id=u.pk, name=u.name, count=k) for u, k in s.without_service],
    )


# Part B's routes (mobility, agreements, the annual report), when present.
if find_spec("bilim.cooperation.api_mobility") is not None:
    from .api_mobility import router as _mobility_router

    router.add_router("", _mobility_router)
