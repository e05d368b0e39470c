"""Core API: the current user, org units in the caller's scope, and the deadline rule."""

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import PlainSerializer, WithJsonSchema

from . import calendar, selectors
from .errors import DomainError
from .models import Level, OrgKind

router = Router(tags=["core"])

# Largest offset a client may ask for: beyond it SQLite and PostgreSQL refuse the OFFSET (64-bit) and
# the request would end in a 500.
MAX_OFFSET = 2**62


class Pagination(LimitOffsetPagination):
    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


# A moment with its microseconds: Django's JSON encoder would cut 23:59:59.999999 to 23:59:59.999.
ExactDateTime = Annotated[
    dt.datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. not_found, validation_error")
    message: str = Field(description="Human-readable message in the caller's language")
    errors: list[ErrorItem] | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class GrantOut(Schema):
    role: str
    role_name: str
    org_unit_id: int
    org_unit_name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    language: str
    primary_role: str | None
    grants: list[GrantOut]


class OrgUnitOut(Schema):
    id: int
    parent_id: int | None
    level: int
    level_name: str
    kind: str
    kind_name: str
    name: str
    name_kk: str
    name_ru: str
    name_en: str
    kato: str
    bin: str
    ownership: str
    area_type: str
    is_active: bool
    region_kind: str

    @staticmethod
    def resolve_level_name(obj) -> str:
        return str(Level(obj.level).label)

    @staticmethod
    def resolve_kind_name(obj) -> str:
        return str(OrgKind(obj.kind).label)

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.name


class OrgUnitDetailOut(OrgUnitOut):
    ancestors: list[OrgUnitOut]
    child_count: int


class OrgUnitFilter(Schema):
    # PostgreSQL text cannot hold NUL: refuse it here (422) rather than fail in the database (500).
    q: str | None = Field(None, max_length=200, pattern=r"^[^\x00]*$", description="Part of a name (kk/ru/en, Cyrillic or Latin) or a KATO prefix")
    level: int | None = Field(None, ge=0, le=3, description="0 republic, 1 region, 2 district, 3 organization")
    kind: OrgKind | None = None
    parent: int | None = Field(None, ge=1, le=2**62, description="Only units inside this unit's subtree")
    active: bool | None = None


class DeadlineOut(Schema):
    date: dt.date
    working_day: bool
    deadline: ExactDateTime = Field(description="End of the effective day, Kazakhstan time (UTC+5)")
    moved: bool = Field(description="True when the date is a day off and the deadline moved")


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The current user and their role grants")
def me(request):
    user = request.user
    grants = [
        GrantOut(role=g.role, role_name=str(g.get_role_display()), org_unit_id=g.org_unit_id, org_unit_name=g.org_unit.name)
        for g in selectors.user_grants(user)
    ]
    return MeOut(id=user.pk, username=user.username, full_name=user.full_name, language=user.preferred_language,
                 primary_role=selectors.primary_role(user), grants=grants)


@router.get("/org-units", response={200: list[OrgUnitOut], **ERRORS}, summary="Org units in the caller's scope")
@paginate(Pagination)
def org_units(request, filters: Query[OrgUnitFilter]):
    within = selectors.orgunit_get(request.user, filters.parent) if filters.parent else None
    return selectors.orgunit_search(
        request.user, query=filters.q or "", level=filters.level, kind=filters.kind, within=within, active=filters.active
    )


@router.get("/org-units/{unit_id}", response={200: OrgUnitDetailOut, **ERRORS}, summary="One org unit (404 outside the scope)")
def org_unit(request, unit_id: int = Path(..., ge=1, le=2**62)):
    unit = selectors.orgunit_get(request.user, unit_id)
    unit.ancestors = selectors.orgunit_breadcrumbs(request.user, unit)
    unit.child_count = selectors.orgunit_children(request.user, unit).count()
    return unit


@router.get("/org-units/{unit_id}/children", response={200: list[OrgUnitOut], **ERRORS}, summary="Direct children of a unit")
@paginate(Pagination)
def org_unit_children(request, unit_id: int = Path(..., ge=1, le=2**62)):
    unit = selectors.orgunit_get(request.user, unit_id)
    return selectors.orgunit_children(request.user, unit)


@router.get("/org-units/{unit_id}/subtree", response={200: list[OrgUnitOut], **ERRORS}, summary="The unit and everything below it")
@paginate(Pagination)
def org_unit_subtree(request, unit_id: int = Path(..., ge=1, le=2**62)):
    unit = selectors.orgunit_get(request.user, unit_id)
    return selectors.orgunit_subtree(request.user, unit)


# The years the working-day calendar covers. A date outside is a 400 ``invalid_date`` (not a 422: the
# date itself is well-formed); the pattern tells clients and the schema tests the same rule.
CALENDAR_YEARS = (1992, 2100)
CALENDAR_DATE_PATTERN = r"^(199[2-9]|20[0-9][0-9]|2100)-"
CalendarDate = Annotated[dt.date, WithJsonSchema({"type": "string", "format": "date", "pattern": CALENDAR_DATE_PATTERN})]


@router.get("/calendar/deadline", response={200: DeadlineOut, **ERRORS}, summary="The effective deadline of a date (R7)")
def deadline(request, day: CalendarDate = Query(..., alias="date", description="YYYY-MM-DD, a year from 1992 to 2100")):
    if not CALENDAR_YEARS[0] <= day.year <= CALENDAR_YEARS[1]:
        raise DomainError("invalid_date", _("The date is outside the calendar."), fields={"date": _("Choose a year from 1992 to 2100.")})
    effective = calendar.effective_deadline(day)
    return DeadlineOut(date=day, working_day=calendar.is_working_day(day), deadline=effective, moved=effective.date() != day)
