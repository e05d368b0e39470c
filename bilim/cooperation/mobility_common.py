"""What mobility, agreements and the annual report share: who may do what in an organization's
international office, academic years, the working-day rule for trip reports, countries and
languages as data.

**Who.** The organization's international officer (role ``international_officer`` on the
organization) keeps the records; its head (``org_head``) reads them and approves the plan of
foreign trips and submits the annual report. Anyone else — other organizations and the officers of
districts, regions and the ministry — gets 404 for an organization's records; the ministry and the
regions read only consolidated figures.

**Academic year.** Plans, the work plan and the Appendix 2 report are kept per academic year
"2025-2026", from 1 September 2025 to 31 August 2026 (§8.11: the results of the academic year,
reported by 15 July)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bilim.core import calendar, paths
from bilim.core.errors import DomainError
from bilim.core.models import Level, OrgUnit, Role, User
from bilim.core.params import BadInput
from bilim.core.scope import Scope

OFFICE_ROLES = (Role.INTERNATIONAL_OFFICER,)
HEAD_ROLES = (Role.ORG_HEAD,)
READER_ROLES = (Role.INTERNATIONAL_OFFICER, Role.ORG_HEAD)
# Who reads the country's consolidated figures (their own subtree).
FIGURES_ROLES = (Role.MINISTRY_OFFICER, Role.REGION_OFFICER, Role.SYSADMIN)

# A trip report is due this many working days after the day of return (the day after the return
# is the first day counted; days off by core.calendar do not count). The rules (§8.6) ask for a
# full report without a term; ten working days is the default an organization's order usually
# sets, and BILIM_TRIP_REPORT_WORKING_DAYS (settings.COOPERATION_TRIP_REPORT_WORKING_DAYS) changes it.
DEFAULT_REPORT_WORKING_DAYS = 10
# An overdue report is reminded of on the first day it is overdue and then every this many days.
REMINDER_EVERY_DAYS = 7


def report_working_days() -> int:
    return int(getattr(settings, "COOPERATION_TRIP_REPORT_WORKING_DAYS", DEFAULT_REPORT_WORKING_DAYS))


def not_found() -> Http404:
    return Http404(_("Not found."))


def not_found_error() -> DomainError:
    return DomainError("not_found", _("Not found."), status=404)


# --- access -----------------------------------------------------------------------------------------

def _holds(user: User | None, roles, unit: OrgUnit) -> bool:
    """The user holds one of ``roles`` on the organization (these roles are granted only on
    organizations: a district or ministry officer never holds them)."""
    if user is None or unit.level != Level.ORGANIZATION:
        return False
    return Scope.of(user, roles).contains_path(unit.path)


def can_read(user: User | None, unit: OrgUnit) -> bool:
    return _holds(user, READER_ROLES, unit)


def can_write(user: User | None, unit: OrgUnit) -> bool:
    return _holds(user, OFFICE_ROLES, unit)


def can_approve(user: User | None, unit: OrgUnit) -> bool:
    return _holds(user, HEAD_ROLES, unit)


def office_units(user: User) -> QuerySet[OrgUnit]:
    """The organizations whose international office the user works in or heads."""
    roots = Scope.of(user, READER_ROLES).roots
    return OrgUnit.objects.filter(path__in=roots, level=Level.ORGANIZATION).order_by("path")


def office_unit(user: User, org_id: int | None = None) -> OrgUnit:
    """The organization a page is about: the given one if the user works in its office or heads it,
    else the user's first. 404 when the user has none."""
    units = office_units(user)
    unit = units.filter(pk=org_id).first() if org_id is not None else units.first()
    if unit is None:
        raise not_found()
    return unit


def readable(queryset: QuerySet, user: User, field: str = "org_unit") -> QuerySet:
    """Rows of the organizations whose office the user works in or heads (exactly those units)."""
    roots = Scope.of(user, READER_ROLES).roots
    return queryset.filter(**{f"{field}__path__in": list(roots), f"{field}__level": Level.ORGANIZATION})


def writable(queryset: QuerySet, user: User, field: str = "org_unit") -> QuerySet:
    roots = Scope.of(user, OFFICE_ROLES).roots
    return queryset.filter(**{f"{field}__path__in": list(roots), f"{field}__level": Level.ORGANIZATION})


def figures_scope(user: User) -> Scope:
    return Scope.of(user, FIGURES_ROLES)


# --- academic years ---------------------------------------------------------------------------------

# The academic years the system keeps: from 1991-1992 (the first of independent Kazakhstan; no
# cooperation record here is older) to 2099-2100 — "0000-0001" is well formed but not a year.
FIRST_YEAR, LAST_YEAR = 1991, 2099


def valid_year(year: str) -> bool:
    """An academic year written "2025-2026": four digits each, consecutive, within the kept range."""
    parts = (year or "").split("-")
    return (len(parts) == 2 and all(paths.is_ascii_digits(p) and len(p) == 4 for p in parts) and int(parts[1]) == int(parts[0]) + 1
            and FIRST_YEAR <= int(parts[0]) <= LAST_YEAR)


def year_bounds(year: str) -> tuple[date, date]:
    start = int(year[:4])
    return date(start, 9, 1), date(start + 1, 8, 31)


def year_of(day: date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def last_finished_year(today: date) -> str:
    """The latest academic year that has ended by ``today``."""
    start = today.year - 1 if today.month >= 9 else today.year - 2
    return f"{start}-{start + 1}"


def year_param(request, default: str | None = None, *, posted: bool = False) -> str | None:
    """The academic year a page asks for (``?year=``, or with ``posted`` also a posted ``year``),
    else ``default``; a malformed or impossible one is a ``BadInput`` naming ``year`` (400)."""
    year = request.GET.get("year") or (request.POST.get("year") if posted else None) or default
    if year and not valid_year(year):
        raise BadInput("year", _("Write the academic year as 2025-2026."))
    return year or None


def report_deadline(year: str) -> date:
    """Appendix 2 is due by 15 July of the year in which the academic year ends (§8.11); the
    working-day rule (core.calendar) moves it to the next working day when that is a day off."""
    return date(int(year[5:]), 7, 15)


# --- the working-day rule ---------------------------------------------------------------------------

def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself is not counted)."""
    if count <= 0:
        return day
    span = count * 3 + 30
    while True:
        off = set(calendar.days_off(day + timedelta(days=1), day + timedelta(days=span)))
        seen = 0
        for n in range(1, span + 1):
            candidate = day + timedelta(days=n)
            if candidate not in off:
                seen += 1
                if seen == count:
                    return candidate
        span *= 2


def report_due_after(returned_on: date) -> date:
    return add_working_days(returned_on, report_working_days())


# --- languages and countries: the app's reference data (``reference``) ------------------------------

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


def is_language(code: str) -> bool:
    from . import reference

    return reference.language(code) is not None and code != "kk"


def language_name(code: str, language: str | None = None) -> str:
    from . import reference

    return reference.language_name(code, language_code=language)


def language_choices(language: str | None = None) -> list[tuple[str, str]]:
    from . import reference

    return [(code, name) for code, name in reference.language_choices(language) if code != "kk"]


def is_country(code: str) -> bool:
    """A foreign country (ISO 3166-1 alpha-2): trips, partners and missions are abroad."""
    from . import reference

    return (code or "").upper() not in (reference.KAZAKHSTAN, reference.STATELESS) and reference.is_country(code)


def country_name(code: str, language: str | None = None) -> str:
    from . import reference

    return reference.country_name(code, language)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    from . import reference

    return [(code, name) for code, name in reference.country_choices(language, foreign_only=True) if code != reference.STATELESS]
