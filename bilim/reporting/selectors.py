"""Every read of the reporting context, scoped to the acting user (``core.scope``): 404 outside."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core import calendar, paths
from bilim.core.models import Level, OrgUnit, Role, User
from bilim.core.scope import Scope, in_scope

from .models import Aggregate, Assignment, Campaign, Form, Indicator, Submission
from .services import REVIEWER_ROLES, SUBMITTER_ROLES, _can_review, _can_submit, consolidated_values, current_values, display_total
from .spec import Aggregation, FormSpec
from .specs import spec_for


def _404():
    return Http404(_("Not found."))


def assignments_visible(user: User) -> QuerySet[Assignment]:
    return in_scope(Assignment.objects.select_related("campaign", "campaign__form", "org_unit"), user, "org_unit")


def assignment_get(user: User, pk: int) -> Assignment:
    assignment = assignments_visible(user).filter(pk=pk).first()
    if assignment is None:
        raise _404()
    return assignment


def assignments_to_submit(user: User) -> list[Assignment]:
    """What the user's own units owe, newest campaign first — the home page's list."""
    roots = set()
    for level, roles in SUBMITTER_ROLES.items():
        roots |= set(Scope.of(user, roles).roots)
    if not roots:
        return []
    units = list(OrgUnit.objects.filter(path__in=roots).values_list("pk", flat=True))
    return list(
        Assignment.objects.filter(org_unit_id__in=units, campaign__status=Campaign.Status.OPEN)
        .select_related("campaign", "campaign__form", "org_unit").order_by("-campaign__created_at", "org_unit__path")
    )


def review_queue(user: User) -> QuerySet[Assignment]:
    """Submitted reports of the units directly below the ones the user reviews."""
    condition = Q(pk__in=[])
    for level, role in REVIEWER_ROLES.items():
        for root in Scope.of(user, [role]).roots:
            condition |= Q(level=level, org_unit__path__gte=root, org_unit__path__lt=paths.upper(root))
    return (Assignment.objects.filter(condition, status=Assignment.Status.SUBMITTED)
            .select_related("campaign", "org_unit").order_by("submitted_at"))


def campaigns_visible(user: User) -> QuerySet[Campaign]:
    """Campaigns the user takes part in (any assignment in scope) or distributed within their scope."""
    scope = Scope.of(user)
    if not scope:
        return Campaign.objects.none()
    in_tree = Assignment.objects.filter(scope.q("org_unit")).values("campaign_id")
    return Campaign.objects.filter(Q(pk__in=in_tree) | Q(owner__path__in=scope.ancestor_paths()) | scope.q("owner")).select_related("form", "owner").distinct()


def campaign_get(user: User, pk: int) -> Campaign:
    campaign = campaigns_visible(user).filter(pk=pk).first()
    if campaign is None:
        raise _404()
    return campaign


def node_for(user: User, campaign: Campaign, unit_id: int | None) -> OrgUnit:
    """The node of the tree to report on: the given one if it is in the user's scope, else the user's
    highest node. (A node outside the campaign's participants simply has no values.)"""
    scope = Scope.of(user)
    if unit_id is not None:
        unit = OrgUnit.objects.filter(scope.q(), pk=unit_id).first()
        if unit is None:
            raise _404()
        return unit
    roots = OrgUnit.objects.filter(path__in=scope.roots).order_by("path")
    if not roots:
        raise _404()
    return roots[0]


@dataclass
class Completeness:
    unit: OrgUnit
    expected: int
    submitted: int
    accepted: int
    on_time: int
    late: int
    returned: int
    missing: int
    overdue: int  # missing and past the effective deadline

    @property
    def percent(self) -> int:
        return round(100 * (self.expected - self.missing) / self.expected) if self.expected else 0


def completeness(user: User, campaign: Campaign, node: OrgUnit, *, level: int | None = None) -> tuple[Completeness, list[Completeness]]:
    """Expected, submitted on time, late, missing, returned — for the node and each child, over the
    assignments of the participants' level in the subtree (R6, R7)."""
    level = campaign.participant_level if level is None else level
    scope = Scope.of(user).within(node.path)
    qs = Assignment.objects.filter(scope.q("org_unit"), campaign=campaign, level=level)
    now = timezone.now()
    child_len = len(node.path) + paths.SEGMENT_WIDTH
    rows = {}
    for a in qs.values("org_unit__path", "status", "is_late", "due_date", "extended_to"):
        child_path = a["org_unit__path"][:child_len] if len(a["org_unit__path"]) >= child_len else a["org_unit__path"]
        rows.setdefault(child_path, []).append(a)
    deadlines: dict = {}

    def summarize(unit, items):
        c = Completeness(unit, len(items), 0, 0, 0, 0, 0, 0, 0)
        for a in items:
            status = a["status"]
            if status == Assignment.Status.DRAFT:
                c.missing += 1
                due = a["extended_to"] or a["due_date"]
                if due not in deadlines:
                    deadlines[due] = calendar.effective_deadline(due)
                if now > deadlines[due]:
                    c.overdue += 1
                continue
            if status == Assignment.Status.RETURNED:
                c.returned += 1
            else:
                c.submitted += 1
            if status == Assignment.Status.ACCEPTED:
                c.accepted += 1
            if a["is_late"]:
                c.late += 1
            else:
                c.on_time += 1
        return c

    children = {u.path: u for u in OrgUnit.objects.filter(path__in=list(rows))}
    per_child = [summarize(children[p], items) for p, items in sorted(rows.items()) if p in children]
    per_child.sort(key=lambda c: c.unit.name)
    total = summarize(node, [a for items in rows.values() for a in items])
    return total, per_child


def assignments_in(user: User, campaign: Campaign, node: OrgUnit, *, status: str | None = None, late: bool | None = None,
                   level: int | None = None) -> QuerySet[Assignment]:
    """The list behind a completeness figure (exportable)."""
    level = campaign.participant_level if level is None else level
    qs = Assignment.objects.filter(Scope.of(user).within(node.path).q("org_unit"), campaign=campaign, level=level)
    if status == "missing":
        qs = qs.filter(status=Assignment.Status.DRAFT)
    elif status:
        qs = qs.filter(status=status)
    if late is not None:
        qs = qs.filter(is_late=late)
    return qs.select_related("org_unit", "org_unit__parent").order_by("org_unit__path")


@dataclass
class DrillRow:
    unit: OrgUnit
    value: Any
    contributors: int


def drill_down(user: User, campaign: Campaign, node: OrgUnit, cell_key: str) -> list[DrillRow]:
    """The children of ``node`` behind one consolidated number: each child's consolidated value
    (for an organization: its accepted value)."""
    spec = spec_for(campaign.form_id)
    cell = spec.cells.get(cell_key)
    if cell is None:
        raise _404()
    # The children first, then their totals through the unique index (campaign, org unit, cell):
    # a join from Aggregate to OrgUnit would walk the campaign's millions of rows.
    children = {u.pk: u for u in OrgUnit.objects.filter(Scope.of(user).within(node.path).q(), parent=node)}
    rows = Aggregate.objects.filter(campaign=campaign, cell_id=cell.id, org_unit_id__in=list(children))
    result = [DrillRow(children[a.org_unit_id], display_total(cell, a.total, a.weight), a.contributors) for a in rows]
    return sorted(result, key=lambda r: r.unit.path)


def consolidated(user: User, campaign: Campaign, node: OrgUnit) -> dict[str, Any]:
    if not Scope.of(user).contains_path(node.path):
        raise _404()
    return consolidated_values(campaign, node)


def submissions_of(user: User, assignment: Assignment) -> QuerySet[Submission]:
    assignment_get(user, assignment.pk)
    return assignment.submissions.select_related("submitted_by", "reviewed_by").order_by("-number")


def can_submit(user: User, assignment: Assignment) -> bool:
    return _can_submit(user, assignment)


def can_review(user: User, assignment: Assignment) -> bool:
    return _can_review(user, assignment)


def indicator_series(user: User, indicator_code: str, node: OrgUnit) -> list[tuple[str, str, Any]]:
    """An indicator's consolidated value for ``node`` across the campaigns of every year (R11):
    [(period, form code, value)], oldest first, summed over the cells without breakdown."""
    if not Scope.of(user).contains_path(node.path):
        raise _404()
    indicator = Indicator.objects.filter(code=indicator_code).first()
    if indicator is None:
        raise _404()
    result = []
    for campaign in Campaign.objects.filter(form__cells__indicator=indicator, kind=Campaign.Kind.REGULAR).distinct().order_by("period"):
        spec = spec_for(campaign.form_id)
        cells = [c for c in spec.cells.values() if c.indicator == indicator_code and not c.breakdown]
        if not cells:
            continue
        cell = cells[-1]  # the last such row of the form is its total
        aggregate = Aggregate.objects.filter(campaign=campaign, org_unit=node, cell_id=cell.id).first()
        value = display_total(cell, aggregate.total, aggregate.weight) if aggregate else None
        result.append((campaign.period, spec.code, value))
    return result


def forms_visible(user: User) -> QuerySet[Form]:
    """National forms, and the regional forms of the regions the user works in or under."""
    scope = Scope.of(user)
    if not scope:
        return Form.objects.none()
    return Form.objects.filter(Q(owner__path__in=scope.ancestor_paths()) | scope.q("owner")).order_by("code", "-year", "-version")
