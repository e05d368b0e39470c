"""Cooperation API, part B (/api/v1/cooperation/…): trips abroad and their return and report,
agreements and their status, the Appendix 2 figures of an organization's year, and the country's
figures by country for the ministry and regions. Scoped like the pages: an organization's records
are read by its international office and its head, written by the office; anything else is 404.
Included by part A's ``api.router``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from bilim.core.api import ERRORS, ErrorOut
from bilim.core.errors import DomainError

from . import agreements_selectors, agreements_services, annual_report, annual_report_selectors
from . import mobility_common as common
from . import mobility_selectors, mobility_services
from .models import Agreement, AgreementKind, Funding, Purpose, Trip

router = Router(tags=["cooperation"])
ID = Path(..., ge=1, le=2**62)
WRITE_ERRORS = {**ERRORS, 403: ErrorOut, 409: ErrorOut}
NO_NUL = r"^[^\x00]*$"
YEAR = r"^\d{4}-\d{4}$"


def api_enum(name: str, choices) -> type[StrEnum]:
    """The values of a model's choices as an enum named for the API. OpenAPI components are keyed by
    the class's name, and the models' nested ``Status`` / ``Kind`` classes share theirs (a trip's,
    an agreement's, a reporting campaign's…): the document would keep only one of them and call the
    others' values invalid."""
    return StrEnum(name, {member.name: member.value for member in choices})


TripStatus = api_enum("TripStatus", Trip.Status)
AgreementStatus = api_enum("AgreementStatus", Agreement.Status)


def _user(request):
    """The caller: the session's user, or the token's (``TokenAuth`` sets ``request.user``)."""
    return request.user


def _year_error() -> DomainError:
    return DomainError("validation_error", _("Write the academic year as 2025-2026."), fields={"year": _("Write the academic year as 2025-2026.")})


# --- trips ------------------------------------------------------------------------------------------

class TripOut(Schema):
    id: int
    person_id: int
    person: str
    subdivision_id: int
    purpose: Purpose
    country: str
    country_name: str
    host_organization: str
    city: str
    address_abroad: str
    starts_on: dt.date
    ends_on: dt.date
    returned_on: dt.date | None
    funding: Funding
    plan_item_id: int | None
    status: TripStatus
    report_due: dt.date | None
    documents_done: int
    documents_total: int


def _trip(trip: Trip) -> TripOut:
    documents = list(trip.documents.all())
    return TripOut(
        id=trip.pk, person_id=trip.person_id, person=trip.person.full_name, subdivision_id=trip.subdivision_id, purpose=trip.purpose,
        country=trip.country, country_name=common.country_name(trip.country), host_organization=trip.host_organization, city=trip.city,
        address_abroad=trip.address_abroad, starts_on=trip.starts_on, ends_on=trip.ends_on, returned_on=trip.returned_on, funding=trip.funding,
        plan_item_id=trip.plan_item_id, status=trip.status, report_due=trip.report_due, documents_done=sum(1 for d in documents if d.done),
        documents_total=len(documents),
    )


class TripIn(Schema):
    person_id: int = Field(..., ge=1, le=2**62)
    subdivision_id: int = Field(..., ge=1, le=2**62)
    purpose: Purpose
    country: str = Field(..., min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code")
    host_organization: str = Field(..., max_length=300, pattern=NO_NUL)
    city: str = Field(..., max_length=120, pattern=NO_NUL)
    address_abroad: str = Field("", max_length=300, pattern=NO_NUL)
    starts_on: dt.date
    ends_on: dt.date
    funding: Funding
    funding_note: str = Field("", max_length=300, pattern=NO_NUL)
    plan_item_id: int | None = Field(None, ge=1, le=2**62)
    order_number: str = Field("", max_length=40, pattern=NO_NUL)
    order_date: dt.date | None = None


@router.get("/organizations/{unit_id}/trips", response={200: list[TripOut], **ERRORS}, summary="Trips abroad of an organization")
def trips_list(request, unit_id: int = ID, status: TripStatus | None = None, year: str | None = Query(None, pattern=YEAR)):
    user = _user(request)
    unit = common.office_unit(user, unit_id)
    if year is not None and not common.valid_year(year):
        raise _year_error()
    rows = mobility_selectors.trips(user, unit, status=status, year=year).prefetch_related("documents")[:1000]
    return Status(200, [_trip(t) for t in rows])


@router.post("/organizations/{unit_id}/trips", response={201: TripOut, 400: ErrorOut, **WRITE_ERRORS}, summary="Register a trip")
def trips_create(request, payload: TripIn, unit_id: int = ID):
    user = _user(request)
    unit = common.office_unit(user, unit_id)
    data = payload.dict()
    data |= {"person": data.pop("person_id"), "subdivision": data.pop("subdivision_id"), "plan_item": data.pop("plan_item_id")}
    trip = mobility_services.trip_create(org_unit=unit, data=data, by=user, request=request)
    return Status(201, _trip(mobility_selectors.trip_get(user, trip.pk)))


@router.get("/trips/{trip_id}", response={200: TripOut, **ERRORS}, summary="A trip")
def trip_get(request, trip_id: int = ID):
    return Status(200, _trip(mobility_selectors.trip_get(_user(request), trip_id)))


class ReturnIn(Schema):
    returned_on: dt.date


@router.post("/trips/{trip_id}/return", response={200: TripOut, 400: ErrorOut, **WRITE_ERRORS}, summary="Record the return")
def trip_return(request, payload: ReturnIn, trip_id: int = ID):
    user = _user(request)
    trip = mobility_selectors.trip_get(user, trip_id)
    mobility_services.trip_return(trip=trip, returned_on=payload.returned_on, by=user, request=request)
    return Status(200, _trip(mobility_selectors.trip_get(user, trip_id)))


class ReportIn(Schema):
    summary: str = Field(..., max_length=5000, pattern=NO_NUL)
    results: str = Field(..., max_length=5000, pattern=NO_NUL)
    implementation: str = Field("", max_length=5000, pattern=NO_NUL)


@router.post("/trips/{trip_id}/report", response={200: TripOut, 400: ErrorOut, **WRITE_ERRORS}, summary="Submit the trip report")
def trip_report(request, payload: ReportIn, trip_id: int = ID):
    user = _user(request)
    trip = mobility_selectors.trip_get(user, trip_id)
    mobility_services.trip_report_submit(trip=trip, by=user, request=request, **payload.dict())
    return Status(200, _trip(mobility_selectors.trip_get(user, trip_id)))


# --- agreements -------------------------------------------------------------------------------------

class AgreementOut(Schema):
    id: int
    title: str
    kind: AgreementKind
    number: str
    partner: str
    partner_country: str
    signed_on: dt.date | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    status: AgreementStatus
    next_statuses: list[str]
    has_signed_copy: bool
    signed_copy_sha256: str


def _agreement(a: Agreement) -> AgreementOut:
    return AgreementOut(id=a.pk, title=a.title, kind=a.kind, number=a.number, partner=a.partner.name, partner_country=a.partner.country,
                        signed_on=a.signed_on, valid_from=a.valid_from, valid_to=a.valid_to, status=a.status,
                        next_statuses=agreements_services.next_statuses(a), has_signed_copy=bool(a.signed_copy),
                        signed_copy_sha256=a.signed_copy_sha256)


@router.get("/organizations/{unit_id}/agreements", response={200: list[AgreementOut], **ERRORS}, summary="Agreements of an organization")
def agreements_list(request, unit_id: int = ID, status: AgreementStatus | None = None):
    user = _user(request)
    unit = common.office_unit(user, unit_id)
    return Status(200, [_agreement(a) for a in agreements_selectors.agreements(user, unit, status=status)[:1000]])


@router.get("/agreements/{agreement_id}", response={200: AgreementOut, **ERRORS}, summary="An agreement")
def agreement_get(request, agreement_id: int = ID):
    return Status(200, _agreement(agreements_selectors.agreement_get(_user(request), agreement_id)))


class MoveIn(Schema):
    status: AgreementStatus
    note: str = Field("", max_length=2000, pattern=NO_NUL)


@router.post("/agreements/{agreement_id}/status", response={200: AgreementOut, 400: ErrorOut, **WRITE_ERRORS},
             summary="Move an agreement's status one step forward, or terminate it")
def agreement_move(request, payload: MoveIn, agreement_id: int = ID):
    user = _user(request)
    agreement = agreements_selectors.agreement_get(user, agreement_id)
    agreements_services.agreement_move(agreement=agreement, to_status=payload.status, note=payload.note, by=user, request=request)
    return Status(200, _agreement(agreements_selectors.agreement_get(user, agreement_id)))


# --- the annual report and the country's figures ----------------------------------------------------

class AnnualReportOut(Schema):
    org_unit_id: int
    year: str
    deadline: dt.date = Field(description="15 July; the working-day rule moves the effective deadline to the next working day")
    sections: dict[str, int] = Field(description="Number of entries in each of the nine sections (and 'contacts')")
    figures: dict[str, int] = Field(description="Values of the cells of form COOP-2")


@router.get("/organizations/{unit_id}/annual-report/{year}", response={200: AnnualReportOut, **ERRORS},
            summary="The Appendix 2 figures of an organization's academic year")
def annual_report_get(request, unit_id: int = ID, year: str = Path(..., pattern=YEAR)):
    user = _user(request)
    unit = common.office_unit(user, unit_id)
    if not common.valid_year(year):
        raise _year_error()
    data = annual_report_selectors.report_data(user, unit, year)
    sections = {"1": len(data["s1"]), "2": len(data["s2"]), "3": len(data["s3"]), "4": len(data["s4"]), "5": len(data["s5"]["items"]),
                "6": len(data["s6"]), "7": len(data["s7"]), "8": len(data["s8"]), "9": len(data["s9"]["materials"]), "contacts": len(data["contacts"])}
    return Status(200, AnnualReportOut(org_unit_id=unit.pk, year=year, deadline=common.report_deadline(year), sections=sections,
                                       figures=annual_report.figures(data)))


class CountryCountOut(Schema):
    country: str
    category: str | None = None
    purpose: str
    count: int


class FiguresOut(Schema):
    org_unit_id: int
    year: str
    foreigners: list[CountryCountOut] = Field(description="Foreigners present in the year by citizenship, category and purpose")
    trips: list[CountryCountOut] = Field(description="Trips abroad under way in the year by country and purpose")


@router.get("/figures", response={200: FiguresOut, **ERRORS}, summary="The country's (or a region's) figures by country")
def figures(request, year: str = Query(..., pattern=YEAR), node_id: int | None = Query(None, ge=1, le=2**62)):
    user = _user(request)
    node = annual_report_selectors.figures_node(user, node_id)
    if not common.valid_year(year):
        raise _year_error()
    result = annual_report_selectors.country_figures(user, node, year)
    return Status(200, FiguresOut(org_unit_id=node.pk, year=year, foreigners=[CountryCountOut(**row) for row in result.foreigners],
                                  trips=[CountryCountOut(category=None, **row) for row in result.trips]))
