"""Core API: the current user, org units in the caller's scope, and the deadline rule."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from . import calendar, selectors
from .errors import DomainError
from .models import Level, OrgKind

router = Router(tags=["core"])


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
    q: str | None = Field(None, max_length=200, description="Part of a name (kk/ru/en, Cyrillic or Latin) or a KATO prefix")
    level: int | None = Field(None, ge=0, le=3, description="0 republic, 1 region, 2 district, 3 organization")
    kind: OrgKind | None = None
    parent: int | None = Field(None, ge=1, le=2**62, description="Only units inside this unit's subtree")
    active: bool | None = None


class DeadlineOut(Schema):
    date: dt.date
    working_day: bool
    deadline: dt.datetime = Field(description="End of the effective day, Kazakhstan time (UTC+5)")
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
@paginate(LimitOffsetPagination)
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
@paginate(LimitOffsetPagination)
def org_unit_children(request, unit_id: int = Path(..., ge=1, le=2**62)):
    unit = selectors.orgunit_get(request.user, unit_id)
    return selectors.orgunit_children(request.user, unit)


@router.get("/org-units/{unit_id}/subtree", response={200: list[OrgUnitOut], **ERRORS}, summary="The unit and everything below it")
@paginate(LimitOffsetPagination)
def org_unit_subtree(request, unit_id: int = Path(..., ge=1, le=2**62)):
    unit = selectors.orgunit_get(request.user, unit_id)
    return selectors.orgunit_subtree(request.user, unit)


@router.get("/calendar/deadline", response={200: DeadlineOut, **ERRORS}, summary="The effective deadline of a date (R7)")
def deadline(request, day: dt.date = Query(..., alias="date", description="YYYY-MM-DD")):
    if not 1992 <= day.year <= 2100:
        raise DomainError("invalid_date", _("The date is outside the calendar."), fields={"date": _("Choose a year from 1992 to 2100.")})
    effective = calendar.effective_deadline(day)
    return DeadlineOut(date=day, working_day=calendar.is_working_day(day), deadline=effective, moved=effective.date() != day)
