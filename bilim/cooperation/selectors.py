"""Every read of the international office, part A, taking the acting user and filtering through
``core.scope``: whatever the user may not see is a 404, the same answer as "does not exist".

Who reads what (decided here, stated on the pages):

* the organization's **international officer** (``international_officer`` on the organization):
  the registry and every foreigner's complete questionnaire, including the special categories
  (nationality, religion, membership, relatives); the printable questionnaire; who viewed what;
* the **head of the organization** (``org_head``): the registry and each foreigner's page *without*
  the special categories and without the printable questionnaire (which holds them) — the head
  answers for the organization's foreigners (§7) but needs no one's religion for that;
* **district, region and ministry officers**: no foreigner at all (404), only the aggregates of
  their subtree — counts by country, category, purpose and flags, never a name;
* everyone else, other organizations included: 404.

Every opening of a foreigner's data (page, PDF, API) is audited by ``foreigner_open`` before it
returns, with whether the special categories were shown."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core import paths
from bilim.core.kazakh import fold, plain_key
from bilim.core.models import AuditLog, Level, OrgUnit, Role, User
from bilim.core.scope import Scope, get_in_scope_or_404

from . import reference, services
from .models import SPECIAL_FIELDS, Category, Foreigner, Office, OfficeAlert, StayPurpose

OFFICER_ROLES = (Role.INTERNATIONAL_OFFICER,)
REGISTRY_ROLES = (Role.INTERNATIONAL_OFFICER, Role.ORG_HEAD)
OFFICE_ROLES = (Role.INTERNATIONAL_OFFICER, Role.ORG_HEAD)
STATISTICS_ROLES = (Role.MINISTRY_OFFICER, Role.REGION_OFFICER, Role.DISTRICT_OFFICER, Role.ORG_HEAD, Role.INTERNATIONAL_OFFICER)
MANDATORY_THRESHOLD = 10  # §4.1 and §4.3: ten foreigners, or ten citizens abroad on referral
STATUSES = ("present", "expected", "departed", "all")


def _404() -> Http404:
    return Http404(_("Not found."))


def today() -> date:
    return timezone.localdate()


# --- organizations ------------------------------------------------------------------------------------------

def organizations_of(user: User, roles=REGISTRY_ROLES) -> list[OrgUnit]:
    """The organizations on which the user holds one of ``roles`` (the roots of that scope)."""
    scope = Scope.of(user, roles)
    if not scope:
        return []
    return list(OrgUnit.objects.filter(scope.q(), level=Level.ORGANIZATION).select_related("parent").order_by("path"))


def organization_get(user: User, unit_id: int, roles=REGISTRY_ROLES) -> OrgUnit:
    return get_in_scope_or_404(OrgUnit.objects.filter(level=Level.ORGANIZATION).select_related("parent", "parent__parent"),
                               user, roles=roles, pk=unit_id)


def can_see_special(user: User, org_unit: OrgUnit) -> bool:
    return Scope.of(user, OFFICER_ROLES).contains_path(org_unit.path)


def can_write(user: User, org_unit: OrgUnit) -> bool:
    return services.can_write_foreigners(user, org_unit)


# --- foreigners ---------------------------------------------------------------------------------------------

def present_q(on: date, prefix: str = "") -> Q:
    """Foreigners at the organization on the day ``on``: arrived, not yet departed."""
    return Q(**{f"{prefix}arrival_date__lte": on}) & (Q(**{f"{prefix}departure_date__isnull": True})
                                                       | Q(**{f"{prefix}departure_date__gt": on}))


def foreigners_present(org_unit: OrgUnit, on: date | None = None) -> int:
    """How many foreigners are at the organization on ``on`` (every category counts, §4.1). Used by
    C1 and by the annual report; not scoped: callers reach the organization through a selector."""
    return Foreigner.objects.filter(present_q(on or today()), org_unit=org_unit).count()


def foreigners_in_period(org_unit: OrgUnit, starts: date, ends: date) -> QuerySet[Foreigner]:
    """The foreigners at the organization at any time between ``starts`` and ``ends`` (the annual
    report's list, Appendix 2 §3), ordered by name, without the special categories (never loaded)."""
    return (Foreigner.objects.filter(org_unit=org_unit, arrival_date__lte=ends)
            .filter(Q(departure_date__isnull=True) | Q(departure_date__gte=starts))
            .defer(*SPECIAL_FIELDS).order_by("surname_latin", "given_names_latin", "pk"))


def foreigner_registry(user: User, org_unit: OrgUnit, *, query: str = "", citizenship: str = "", category: str = "",
                       status: str = "present", on: date | None = None) -> QuerySet[Foreigner]:
    """The organization's registry for its officer or head (404 for anyone else), filtered. The
    special categories are never loaded here."""
    if not Scope.of(user, REGISTRY_ROLES).contains_path(org_unit.path):
        raise _404()
    on = on or today()
    qs = Foreigner.objects.filter(org_unit=org_unit).defer(*SPECIAL_FIELDS)
    if status == "present":
        qs = qs.filter(present_q(on))
    elif status == "expected":
        qs = qs.filter(arrival_date__gt=on).filter(Q(departure_date__isnull=True) | Q(departure_date__gt=on))
    elif status == "departed":
        qs = qs.filter(departure_date__lte=on)
    if citizenship:
        qs = qs.filter(citizenship=citizenship.upper())
    if category:
        qs = qs.filter(category=category)
    query = (query or "").strip()
    if query:
        words = [w for w in query.split() if w][:5]
        for word in words:
            qs = qs.filter(Q(search_text__contains=fold(word)) | Q(search_text__contains=plain_key(word)))
    return qs.order_by("surname_latin", "given_names_latin", "pk")


def foreigner_get(user: User, pk: int) -> tuple[Foreigner, bool]:
    """The foreigner for the organization's officer (with the special categories) or head (without:
    they are not even loaded); 404 for anyone else. Does not audit: see ``foreigner_open``."""
    qs = Foreigner.objects.select_related("org_unit", "org_unit__parent", "created_by", "updated_by", "consent_recorded_by")
    path = Foreigner.objects.filter(pk=pk).values_list("org_unit__path", flat=True).first() if 0 < pk <= 2**62 else None
    if path is None or not Scope.of(user, REGISTRY_ROLES).contains_path(path):
        raise _404()
    special = Scope.of(user, OFFICER_ROLES).contains_path(path)
    found = qs.get(pk=pk) if special else qs.defer(*SPECIAL_FIELDS).get(pk=pk)
    return found, special


def foreigner_open(user: User, pk: int, *, channel: str, request=None, need_special: bool = False) -> tuple[Foreigner, bool]:
    """``foreigner_get`` and an audit record of the opening (who, when, how, special shown or not).
    ``need_special``: the caller shows the special categories or nothing (the printable
    questionnaire), so a reader who may not see them gets 404."""
    foreigner, special = foreigner_get(user, pk)
    if need_special and not special:
        raise _404()
    services.foreigner_view_audit(foreigner=foreigner, by=user, channel=channel, special=special, request=request)
    return foreigner, special


def foreigner_for_write(user: User, pk: int) -> Foreigner:
    """The foreigner for its organization's officer, who edits it; 404 for everyone else."""
    foreigner, special = foreigner_get(user, pk)
    if not special or not can_write(user, foreigner.org_unit):
        raise _404()
    return foreigner


def foreigner_photo(user: User, pk: int) -> Foreigner:
    """The foreigner whose photo is asked for (officer or head; 404 otherwise or without a photo)."""
    foreigner, _special = foreigner_get(user, pk)
    if not foreigner.photo:
        raise _404()
    return foreigner


@dataclass
class TrailEntry:
    at: object
    actor: str
    action: str
    channel: str
    special: bool


def foreigner_trail(user: User, foreigner: Foreigner, limit: int = 200) -> list[TrailEntry]:
    """Who viewed and changed this foreigner's data, when and how — for the officer only."""
    if not can_see_special(user, foreigner.org_unit):
        raise _404()
    rows = (AuditLog.objects.filter(object_type="cooperation.foreigner", object_id=str(foreigner.pk))
            .select_related("actor").order_by("-at", "-pk")[:limit])
    out = []
    for row in rows:
        after = row.after if isinstance(row.after, dict) else {}
        actor = row.actor.full_name if row.actor_id and row.actor else row.actor_name
        out.append(TrailEntry(row.at, actor, row.action.rsplit(".", 1)[-1], str(after.get("channel", "")),
                              bool(after.get("special", False))))
    return out


# --- aggregates for the ministry, regions and districts (no names) ----------------------------------------

@dataclass
class Statistics:
    node: OrgUnit
    on: date
    total: int = 0
    by_country: list[tuple[str, str, int]] = field(default_factory=list)
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    by_purpose: list[tuple[str, str, int]] = field(default_factory=list)
    diaspora: int = 0
    kandas: int = 0
    cis: int = 0
    female: int = 0
    children: list[tuple[OrgUnit, int]] = field(default_factory=list)
    without_service: list[tuple[OrgUnit, int]] = field(default_factory=list)


def statistics_node(user: User, unit_id: int | None) -> OrgUnit:
    """The unit whose subtree is counted: the one asked for inside the user's scope (404 outside), or
    the user's first scope root."""
    scope = Scope.of(user, STATISTICS_ROLES)
    if not scope:
        raise _404()
    if unit_id is None:
        return OrgUnit.objects.get(path=scope.roots[0])
    return get_in_scope_or_404(OrgUnit.objects.select_related("parent"), user, roles=STATISTICS_ROLES, pk=unit_id)


def statistics(user: User, unit_id: int | None = None, on: date | None = None) -> Statistics:
    """Counts of the foreigners present on ``on`` in the subtree of the unit: by country, category,
    purpose, flags and by child unit; and the organizations of the subtree with ten or more
    foreigners and no service recorded. Group-by queries on the subtree's path range only."""
    node = statistics_node(user, unit_id)
    on = on or today()
    language = None
    base = Foreigner.objects.filter(present_q(on), org_unit__path__gte=node.path, org_unit__path__lt=paths.upper(node.path))
    result = Statistics(node=node, on=on)
    countries = list(base.values("citizenship").annotate(n=Count("pk")).order_by())
    result.by_country = sorted(((row["citizenship"], reference.country_name(row["citizenship"], language), row["n"])
                                for row in countries), key=lambda r: (-r[2], reference.sort_key(r[1])))
    result.total = sum(r[2] for r in result.by_country)
    categories = {row["category"]: row["n"] for row in base.values("category").annotate(n=Count("pk")).order_by()}
    result.by_category = [(code, label, categories[code]) for code, label in Category.choices if categories.get(code)]
    purposes: dict[str, int] = {}
    for code, count in categories.items():
        purpose = Category.purpose_of(code)
        purposes[purpose] = purposes.get(purpose, 0) + count
    result.by_purpose = [(code, label, purposes[code]) for code, label in StayPurpose.choices if purposes.get(code)]
    flags = base.aggregate(diaspora=Count("pk", filter=Q(is_diaspora=True)), kandas=Count("pk", filter=Q(is_kandas=True)),
                           cis=Count("pk", filter=Q(is_cis=True)), female=Count("pk", filter=Q(sex="F")))
    result.diaspora, result.kandas, result.cis, result.female = flags["diaspora"], flags["kandas"], flags["cis"], flags["female"]
    if node.level < Level.ORGANIZATION:
        width = (node.depth + 2) * paths.SEGMENT_WIDTH
        per_child = {row["prefix"]: row["n"] for row in base.annotate(prefix=Substr("org_unit__path", 1, width))
                     .values("prefix").annotate(n=Count("pk")).order_by()}
        children = {u.path: u for u in OrgUnit.objects.filter(path__in=list(per_child))}
        result.children = sorted(((children[p], n) for p, n in per_child.items() if p in children),
                                 key=lambda item: (-item[1], item[0].name))
        crowded = (base.values("org_unit").annotate(n=Count("pk")).filter(n__gte=MANDATORY_THRESHOLD).order_by())
        counts = {row["org_unit"]: row["n"] for row in crowded}
        with_service = set(Office.objects.filter(org_unit__in=list(counts), kind=Office.Kind.SERVICE)
                           .values_list("org_unit_id", flat=True))
        lacking = [pk for pk in counts if pk not in with_service]
        units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=lacking)}
        result.without_service = sorted(((units[pk], counts[pk]) for pk in lacking if pk in units), key=lambda i: -i[1])
    return result


# --- the office (C1) ----------------------------------------------------------------------------------------

def _external_count(module: str, function: str, org_unit: OrgUnit, on: date) -> int:
    """A count from part B's selectors (citizens abroad, active agreements); 0 until they exist."""
    name = f"bilim.cooperation.{module}"
    try:
        found = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return 0
        raise
    counter = getattr(found, function, None)
    return int(counter(org_unit, on)) if counter is not None else 0


@dataclass
class OfficeStatus:
    """C1 for one organization on a day: the counts, what the rules require, what is recorded."""

    org_unit: OrgUnit
    on: date
    foreigners: int
    abroad: int
    agreements: int
    office: Office | None
    alert: OfficeAlert | None = None

    @property
    def mandatory(self) -> bool:
        """§4: a service is mandatory."""
        return self.foreigners >= MANDATORY_THRESHOLD or self.abroad >= MANDATORY_THRESHOLD or self.agreements > 0

    @property
    def has_service(self) -> bool:
        return self.office is not None and self.office.kind == Office.Kind.SERVICE

    @property
    def warning(self) -> bool:
        """A service is mandatory and none is recorded (a responsible person alone does not do, §4 vs §6)."""
        return self.mandatory and not self.has_service

    @property
    def needs_person(self) -> bool:
        """§6: no service is mandatory, there is international work, and no one is recorded."""
        return not self.mandatory and self.office is None and (self.foreigners > 0 or self.abroad > 0)

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.foreigners >= MANDATORY_THRESHOLD:
            out.append(_("%(n)s foreigners at the organization (10 or more)") % {"n": self.foreigners})
        if self.abroad >= MANDATORY_THRESHOLD:
            out.append(_("%(n)s citizens abroad on the organization's referral (10 or more)") % {"n": self.abroad})
        if self.agreements > 0:
            out.append(_("%(n)s active agreements with foreign partners") % {"n": self.agreements})
        return out


def office_status(org_unit: OrgUnit, on: date | None = None) -> OfficeStatus:
    """Not scoped (services call it); pages reach it through ``office_get``."""
    on = on or today()
    office = Office.objects.filter(org_unit=org_unit).prefetch_related("staff").first()
    return OfficeStatus(org_unit=org_unit, on=on, foreigners=foreigners_present(org_unit, on),
                        abroad=_external_count("mobility_selectors", "people_abroad", org_unit, on),
                        agreements=_external_count("agreements_selectors", "active_agreements", org_unit, on), office=office,
                        alert=OfficeAlert.objects.filter(org_unit=org_unit, resolved_at__isnull=True).first())


def office_get(user: User, unit_id: int) -> OfficeStatus:
    """The organization's office and C1 status for its officer or head; 404 for anyone else."""
    return office_status(organization_get(user, unit_id, roles=OFFICE_ROLES))


def can_edit_office(user: User, org_unit: OrgUnit) -> bool:
    return services.can_write_office(user, org_unit)


def home_statuses(user: User) -> list[OfficeStatus]:
    """C1 for every organization the user heads or is the international officer of (home widget)."""
    return [office_status(unit) for unit in organizations_of(user, OFFICE_ROLES)[:5]]
