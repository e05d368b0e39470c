"""Every write of the reporting context: forms, campaigns, data entry, submission, review,
consolidation, extensions. Atomic, audited, raising ``DomainError`` with per-field reasons."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core import calendar, deltas, notifications, paths
from bilim.core.audit import audit_record
from bilim.core.errors import DomainError
from bilim.core.models import Level, OrgUnit, Role, User
from bilim.core.scope import Scope

from .models import (
    Aggregate,
    Assignment,
    Campaign,
    DataValue,
    Form,
    FormCell,
    FormColumn,
    FormRow,
    FormRule,
    FormSection,
    Indicator,
    Submission,
)
from .spec import Aggregation, CellError, FormSpec, ValueType, cell_key, parse_value
from .specs import spec_for

REVIEWER_ROLES = {Level.ORGANIZATION: Role.DISTRICT_OFFICER, Level.DISTRICT: Role.REGION_OFFICER, Level.REGION: Role.MINISTRY_OFFICER}
SUBMITTER_ROLES = {Level.ORGANIZATION: (Role.ORG_HEAD, Role.TEACHER), Level.DISTRICT: (Role.DISTRICT_OFFICER,), Level.REGION: (Role.REGION_OFFICER,)}
FORM_DESIGNER_ROLES = (Role.MINISTRY_OFFICER, Role.REGION_OFFICER, Role.SYSADMIN)


def _not_found() -> DomainError:
    return DomainError("not_found", _("Not found."), status=404)


# --- forms ------------------------------------------------------------------------------------------

def _names(item: Mapping[str, Any], prefix: str = "name") -> dict[str, str]:
    return {f"{prefix}_{lang}": (item.get(f"{prefix}_{lang}") or "").strip() for lang in ("kk", "ru", "en")}


@transaction.atomic
def form_create(*, definition: Mapping[str, Any], owner: OrgUnit, by: User | None, request=None) -> Form:
    """Create a draft form from a definition (see ``demo_forms.py`` for the shape): columns,
    sections with rows, rules. Each cell binds the row's indicator, or else the column's; its
    breakdown is the row's and the column's together."""
    if by is not None and not Scope.of(by, FORM_DESIGNER_ROLES).contains_path(owner.path):
        raise _not_found()
    errors: dict[str, str] = {}
    if owner.level not in (Level.REPUBLIC, Level.REGION):
        errors["owner"] = _("Forms are approved by the ministry or by a region.")
    for key in ("code", "year", "name_kk", "name_ru"):
        if not str(definition.get(key) or "").strip():
            errors[key] = _("This field is required.")
    year = str(definition.get("year") or "")
    if year and not _valid_school_year(year):
        errors["year"] = _("Write the school year as 2025-2026.")
    if errors:
        raise DomainError("invalid_form", _("The form has errors."), fields=errors)
    if Form.objects.filter(code=definition["code"], year=year, version=definition.get("version", 1)).exists():
        raise DomainError("invalid_form", _("This form already exists for this year and version."),
                          fields={"code": _("This form already exists for this year and version.")})
    indicators = {i.code: i for i in Indicator.objects.all()}
    form = Form.objects.create(code=definition["code"].strip(), year=year, version=definition.get("version", 1), owner=owner,
                               max_cells=definition.get("max_cells", 2000), previous=definition.get("previous"),
                               **_names(definition))
    columns = []
    for order, col in enumerate(definition.get("columns", [])):
        if not paths.is_ascii_digits(str(col.get("code", ""))):
            errors[f"columns.{order}.code"] = _("Column codes are digits.")
            continue
        indicator = indicators.get(col.get("indicator")) if col.get("indicator") else None
        if col.get("indicator") and indicator is None:
            errors[f"columns.{order}.indicator"] = _("Unknown indicator %(code)s.") % {"code": col["indicator"]}
        columns.append(FormColumn.objects.create(form=form, code=str(col["code"]), order=order, indicator=indicator,
                                                 breakdown=col.get("breakdown", []), **_names(col)))
    cells = []
    for s_order, sec in enumerate(definition.get("sections", [])):
        section = FormSection.objects.create(form=form, code=str(sec.get("code", s_order + 1)), order=s_order, **_names(sec))
        for r_order, row_def in enumerate(sec.get("rows", [])):
            label = f"sections.{s_order}.rows.{r_order}"
            if not paths.is_ascii_digits(str(row_def.get("code", ""))):
                errors[f"{label}.code"] = _("Row codes are digits.")
                continue
            indicator = indicators.get(row_def.get("indicator")) if row_def.get("indicator") else None
            if row_def.get("indicator") and indicator is None:
                errors[f"{label}.indicator"] = _("Unknown indicator %(code)s.") % {"code": row_def["indicator"]}
                continue
            row = FormRow.objects.create(form=form, section=section, code=str(row_def["code"]), order=r_order, indicator=indicator,
                                         breakdown=row_def.get("breakdown", []), **_names(row_def))
            skip = set(row_def.get("skip_columns", []))
            for column in columns:
                if column.code in skip:
                    continue
                indicator = row.indicator or column.indicator  # a row's indicator overrides its column's
                if indicator is None:
                    errors[f"{label}.indicator"] = _("Each cell needs an indicator, on its row or on its column.")
                    continue
                cells.append(FormCell(form=form, key=cell_key(row.code, column.code), row=row, column=column, indicator=indicator,
                                      breakdown=list(row.breakdown) + list(column.breakdown)))
    if len(cells) > form.max_cells:
        errors["cells"] = _("The form expands to %(n)s cells; at most %(max)s are allowed.") % {"n": len(cells), "max": form.max_cells}
    if errors:
        raise DomainError("invalid_form", _("The form has errors."), fields=errors)
    try:
        FormCell.objects.bulk_create(cells)
    except IntegrityError:
        raise DomainError("invalid_form", _("Two rows or two columns have the same code."), fields={"code": _("Codes must be unique.")}) from None
    for order, rule in enumerate(definition.get("rules", [])):
        FormRule.objects.create(form=form, code=rule.get("code") or f"R{order + 1}", expression=rule["expression"],
                                severity=rule.get("severity", "error"), **_names(rule, "message"))
    _compile_rules(form)
    audit_record(actor=by, action="form.create", obj=form, org_unit=owner, after={"code": form.code, "year": form.year, "cells": len(cells)}, request=request)
    return form


def _valid_school_year(year: str) -> bool:
    parts = year.split("-")
    return len(parts) == 2 and all(paths.is_ascii_digits(p) and len(p) == 4 for p in parts) and int(parts[1]) == int(parts[0]) + 1


def _compile_rules(form: Form) -> None:
    from . import rules

    spec = spec_for(form.pk, fresh=True)
    errors = {}
    for rule in spec.rules:
        try:
            rules.compile_rule(rule, spec)
        except rules.RuleSyntaxError as exc:
            errors[f"rules.{rule.code}"] = str(exc)
    if errors:
        raise DomainError("invalid_form", _("A validation rule of the form is not valid."), fields=errors)


@transaction.atomic
def form_approve(*, form: Form, order_number: str, order_date: date, by: User, request=None) -> Form:
    if not Scope.of(by, FORM_DESIGNER_ROLES).contains_path(form.owner.path):
        raise _not_found()
    errors = {}
    if not (order_number or "").strip():
        errors["order_number"] = _("Give the number of the approving order.")
    if order_date is None:
        errors["order_date"] = _("Give the date of the approving order.")
    if errors:
        raise DomainError("invalid_form", _("The form cannot be approved."), fields=errors)
    form.status, form.order_number, form.order_date = Form.Status.APPROVED, order_number.strip(), order_date
    form.save(update_fields=["status", "order_number", "order_date"])
    audit_record(actor=by, action="form.approve", obj=form, org_unit=form.owner, after={"order": order_number, "date": order_date}, request=request)
    return form


def form_definition(form: Form) -> dict[str, Any]:
    """The definition a form was built from, to clone it forward with changes."""
    def names(obj, prefix="name"):
        return {f"{prefix}_{lang}": getattr(obj, f"{prefix}_{lang}") for lang in ("kk", "ru", "en")}

    columns = list(form.columns.select_related("indicator"))
    cells = {(c.row_id, c.column_id) for c in form.cells.all()}
    return {
        "code": form.code, "year": form.year, "version": form.version, "max_cells": form.max_cells, **names(form),
        "columns": [{"code": c.code, "indicator": c.indicator.code if c.indicator else None, "breakdown": c.breakdown, **names(c)} for c in columns],
        "sections": [
            {"code": s.code, **names(s), "rows": [
                {"code": r.code, "indicator": r.indicator.code if r.indicator else None, "breakdown": r.breakdown, **names(r),
                 "skip_columns": [c.code for c in columns if (r.pk, c.pk) not in cells]}
                for r in s.rows.select_related("indicator").order_by("order")]}
            for s in form.sections.order_by("order")
        ],
        "rules": [{"code": r.code, "expression": r.expression, "severity": r.severity, **names(r, "message")} for r in form.rules.order_by("pk")],
    }


@transaction.atomic
def form_clone(*, form: Form, year: str, by: User, changes: Mapping[str, Any] | None = None, request=None) -> Form:
    """Carry a form forward to another school year as a draft, with changes to its definition."""
    definition = form_definition(form) | dict(changes or {}) | {"year": year, "version": 1, "previous": form}
    clone = form_create(definition=definition, owner=form.owner, by=by, request=request)
    audit_record(actor=by, action="form.clone", obj=clone, org_unit=form.owner, before={"form": form.pk}, after={"year": year}, request=request)
    return clone


# --- campaigns --------------------------------------------------------------------------------------

PARTICIPANT_FILTERS = {"level", "kinds", "ownership", "area_type", "regions", "organizations"}


def participants_count(campaign: Campaign) -> int:
    """How many units a distribution would reach now (shown before distributing)."""
    return _participants(campaign).count()


def _participants(campaign: Campaign):
    """Units that must report: active, inside the distributor's subtree, on the participant level
    (organizations unless an ad-hoc request asks districts or regions), matching the filter."""
    owner = campaign.owner
    qs = OrgUnit.objects.filter(path__gte=owner.path, path__lt=paths.upper(owner.path), level=campaign.participant_level, is_active=True)
    spec = campaign.participants or {}
    if spec.get("kinds"):
        qs = qs.filter(kind__in=spec["kinds"])
    if spec.get("ownership"):
        qs = qs.filter(ownership=spec["ownership"])
    if spec.get("area_type"):
        qs = qs.filter(area_type=spec["area_type"])
    if spec.get("regions"):
        region_paths = list(OrgUnit.objects.filter(pk__in=spec["regions"], level=Level.REGION).values_list("path", flat=True))
        condition = Q(pk__in=[])
        for p in region_paths:
            condition |= Q(path__gte=p, path__lt=paths.upper(p))
        qs = qs.filter(condition)
    if spec.get("organizations"):
        qs = qs.filter(pk__in=spec["organizations"])
    return qs


@transaction.atomic
def campaign_create(
    *, form: Form, owner: OrgUnit, period: str, names: Mapping[str, str], deadline_organization: date,
    deadline_district: date | None = None, deadline_region: date | None = None, participants: Mapping[str, Any] | None = None,
    kind: str = Campaign.Kind.REGULAR, by: User, request=None,
) -> Campaign:
    if not Scope.of(by, FORM_DESIGNER_ROLES).contains_path(owner.path) or owner.level not in (Level.REPUBLIC, Level.REGION):
        raise _not_found()
    errors: dict[str, str] = {}
    if form.status != Form.Status.APPROVED:
        errors["form"] = _("Only an approved form can be collected.")
    if not owner.path.startswith(form.owner.path):
        errors["form"] = _("A regional form can only be collected inside its region.")
    for language in ("kk", "ru"):
        if not (names.get(f"name_{language}") or "").strip():
            errors[f"name_{language}"] = _("The title in Kazakh and Russian is required.")
    if not (period or "").strip():
        errors["period"] = _("This field is required.")
    if deadline_district and deadline_district < deadline_organization:
        errors["deadline_district"] = _("The district deadline cannot be before the organizations' deadline.")
    if deadline_region and deadline_region < (deadline_district or deadline_organization):
        errors["deadline_region"] = _("The region deadline cannot be before the district deadline.")
    level = (participants or {}).get("level", Level.ORGANIZATION)
    if level not in (Level.REGION, Level.DISTRICT, Level.ORGANIZATION) or level <= owner.level:
        errors["participants"] = _("Participants must be regions, districts or organizations below the distributor.")
    elif level != Level.ORGANIZATION and kind != Campaign.Kind.ADHOC:
        errors["participants"] = _("Only an ad-hoc request can ask districts or regions directly.")
    unknown = set(participants or {}) - PARTICIPANT_FILTERS
    if unknown:
        errors["participants"] = _("Unknown participant filter: %(names)s.") % {"names": ", ".join(sorted(unknown))}
    if errors:
        raise DomainError("invalid_campaign", _("The campaign has errors."), fields=errors)
    campaign = Campaign.objects.create(
        form=form, owner=owner, period=period.strip(), kind=kind, deadline_organization=deadline_organization,
        deadline_district=deadline_district, deadline_region=deadline_region, participants=dict(participants or {}),
        created_by=by, **{k: (names.get(k) or "").strip() for k in ("name_kk", "name_ru", "name_en")},
    )
    audit_record(actor=by, action="campaign.create", obj=campaign, org_unit=owner, after={"form": form.pk, "period": period}, request=request)
    return campaign


@transaction.atomic
def campaign_distribute(*, campaign: Campaign, by: User, request=None) -> int:
    """Create an assignment for every participant (and for each district and region above them,
    which consolidate and submit upward), and notify their heads (R3)."""
    if not Scope.of(by, FORM_DESIGNER_ROLES).contains_path(campaign.owner.path):
        raise _not_found()
    if campaign.status != Campaign.Status.DRAFT:
        raise DomainError("invalid_campaign", _("This campaign was already distributed."), fields={"status": _("This campaign was already distributed.")})
    organizations = list(_participants(campaign).values_list("pk", "path"))
    if not organizations:
        raise DomainError("invalid_campaign", _("No participant matches the filter."), fields={"participants": _("No participant matches the filter.")})
    level = campaign.participant_level
    due = campaign.deadline_for_level(level) or campaign.deadline_organization
    rows = [Assignment(campaign=campaign, org_unit_id=pk, level=level, due_date=due) for pk, _p in organizations]
    intermediate: dict[int, int] = {}
    if campaign.kind == Campaign.Kind.REGULAR:
        # Each district and region above the participants consolidates and submits upward (R5);
        # an ad-hoc request is answered by the participants alone.
        for _pk, path in organizations:
            for above, unit_id in enumerate(paths.ids(path)[:-1]):
                if above > campaign.owner.level and above in (Level.REGION, Level.DISTRICT):
                    intermediate[unit_id] = above
    for unit_id, above in intermediate.items():
        rows.append(Assignment(campaign=campaign, org_unit_id=unit_id, level=above, entered=False,
                               due_date=campaign.deadline_for_level(above) or campaign.deadline_organization))
    Assignment.objects.bulk_create(rows, batch_size=2000)
    campaign.status, campaign.distributed_at = Campaign.Status.OPEN, timezone.now()
    campaign.save(update_fields=["status", "distributed_at"])
    heads = notifications.users_with_roles([pk for pk, _p in organizations], [Role.ORG_HEAD])
    for level, role in ((Level.DISTRICT, Role.DISTRICT_OFFICER), (Level.REGION, Role.REGION_OFFICER)):
        units = [u for u, lv in intermediate.items() if lv == level]
        heads.update(notifications.users_with_roles(units, [role]))
    notifications.notify([u for users in heads.values() for u in users], "reporting.assigned",
                         {"campaign": notifications.names(campaign), "due": campaign.deadline_organization.isoformat()},
                         link=f"/reporting/campaigns/{campaign.pk}/")
    audit_record(actor=by, action="campaign.distribute", obj=campaign, org_unit=campaign.owner,
                 after={"assignments": len(rows), "organizations": len(organizations)}, request=request)
    return len(rows)


# --- data entry -------------------------------------------------------------------------------------

def _can_submit(user: User, assignment: Assignment) -> bool:
    roles = SUBMITTER_ROLES.get(assignment.level, ())
    return Scope.of(user, roles).contains_path(assignment.org_unit.path)


def _can_review(user: User, assignment: Assignment) -> bool:
    role = REVIEWER_ROLES.get(assignment.level)
    unit_path = assignment.org_unit.path
    parent_path = unit_path[: -paths.SEGMENT_WIDTH]
    return role is not None and Scope.of(user, [role, Role.SYSADMIN]).contains_path(parent_path)


def editable(assignment: Assignment) -> bool:
    """Whether values may be typed: a unit that enters its own data, not waiting for review (an
    accepted report may be corrected, as a new version with a reason)."""
    return assignment.entered and assignment.status in (Assignment.Status.DRAFT, Assignment.Status.RETURNED, Assignment.Status.ACCEPTED)


def _store(cell, value) -> tuple[Decimal | None, str | None]:
    if value is None:
        return None, None
    if cell.value_type in ValueType.NUMERIC:
        return value, None
    if cell.value_type == ValueType.BOOLEAN:
        return Decimal(1 if value else 0), None
    return None, value


def stored_value(cell, number, text):
    if cell.value_type in ValueType.NUMERIC:
        return number if number is None else Decimal(number)
    if cell.value_type == ValueType.BOOLEAN:
        return None if number is None else bool(number)
    return text


@transaction.atomic
def values_save(
    *, assignment: Assignment, values: Mapping[str, Any], explanations: Mapping[str, str] | None = None, by: User, request=None,
) -> int:
    """Save draft values (autosave, XLSX upload and API all end here). Every value is checked first;
    one bad value rejects the whole request — nothing is saved in part."""
    if not _can_submit(by, assignment):
        raise _not_found()
    assignment = Assignment.objects.select_for_update().select_related("campaign").get(pk=assignment.pk)
    if assignment.campaign.status != Campaign.Status.OPEN:
        raise DomainError("campaign_closed", _("This campaign is not open for submissions."), status=409)
    if assignment.status == Assignment.Status.SUBMITTED:
        raise DomainError("not_editable", _("This report is waiting for review and cannot be changed now."), status=409)
    if values and not assignment.entered:
        # a consolidating district or region explains its totals but does not type them
        raise DomainError("not_editable", _("These values are consolidated from the units below and cannot be typed."), status=409)
    spec = spec_for(assignment.campaign.form_id)
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for key, raw in values.items():
        cell = spec.cells.get(key)
        if cell is None:
            errors[key] = _("The form has no cell %(key)s.") % {"key": key}
            continue
        try:
            parsed[key] = parse_value(cell, raw)
        except CellError as exc:
            errors[key] = exc.message
    explanations = dict(explanations or {})
    for key, text in explanations.items():
        if key not in spec.cells:
            errors[key] = _("The form has no cell %(key)s.") % {"key": key}
        elif len(text or "") > 2000:
            errors[f"{key}.explanation"] = _("The explanation is too long (at most 2000 characters).")
    if errors:
        raise DomainError("invalid_values", _("Some values are not valid; nothing was saved."), fields=errors)
    existing = {dv.cell_id: dv for dv in DataValue.objects.filter(assignment=assignment, cell_id__in=[spec.cells[k].id for k in set(parsed) | set(explanations)])}
    now = timezone.now()
    to_create, to_update, before, after = [], [], {}, {}
    for key in set(parsed) | set(explanations):
        cell = spec.cells[key]
        row = existing.get(cell.id)
        if key in parsed:
            number, text = _store(cell, parsed[key])
        else:
            number, text = (row.number, row.text) if row else (None, None)
        explanation = (explanations.get(key) if key in explanations else (row.explanation if row else "")) or ""
        if row is None:
            to_create.append(DataValue(assignment=assignment, cell_id=cell.id, number=number, text=text, explanation=explanation, updated_at=now))
            before[key], after[key] = None, _jsonable(number if text is None else text)
        elif (row.number, row.text, row.explanation) != (number, text, explanation):
            before[key], after[key] = _jsonable(row.number if row.text is None else row.text), _jsonable(number if text is None else text)
            row.number, row.text, row.explanation, row.updated_at = number, text, explanation, now
            to_update.append(row)
    DataValue.objects.bulk_create(to_create, batch_size=1000)
    DataValue.objects.bulk_update(to_update, ["number", "text", "explanation", "updated_at"], batch_size=500)
    if to_create or to_update:
        Assignment.objects.filter(pk=assignment.pk).update(updated_at=now)
        audit_record(actor=by, action="reporting.values_save", obj=assignment, org_unit=assignment.org_unit, before=before, after=after, request=request)
    return len(to_create) + len(to_update)


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral_value() else str(value)
    return value


def current_values(assignment: Assignment, spec: FormSpec | None = None) -> dict[str, Any]:
    """The assignment's values by cell key: the working copy of a unit that enters its own data, or
    the consolidated totals of the node of a district or region that consolidates."""
    spec = spec or spec_for(assignment.campaign.form_id)
    by_id = {cell.id: cell for cell in spec.cells.values()}
    if assignment.entered:
        rows = DataValue.objects.filter(assignment=assignment).values_list("cell_id", "number", "text")
        return {by_id[cid].key: stored_value(by_id[cid], number, text) for cid, number, text in rows if cid in by_id}
    return consolidated_values(assignment.campaign, assignment.org_unit, spec)


def explanations_of(assignment: Assignment, spec: FormSpec) -> dict[str, str]:
    by_id = {cell.id: cell.key for cell in spec.cells.values()}
    return {by_id[cid]: text for cid, text in DataValue.objects.filter(assignment=assignment).exclude(explanation="").values_list("cell_id", "explanation")}


def consolidated_values(campaign: Campaign, unit: OrgUnit, spec: FormSpec | None = None) -> dict[str, Any]:
    spec = spec or spec_for(campaign.form_id)
    by_id = {cell.id: cell for cell in spec.cells.values()}
    result = {}
    for cid, total, weight in Aggregate.objects.filter(campaign=campaign, org_unit=unit).values_list("cell_id", "total", "weight"):
        cell = by_id.get(cid)
        if cell is not None:
            result[cell.key] = display_total(cell, total, weight)
    return result


def display_total(cell, total, weight):
    total, weight = Decimal(total), Decimal(weight)
    if cell.aggregation == Aggregation.WEIGHTED_AVERAGE:
        return (total / weight).quantize(Decimal("0.01")) if weight else None
    if cell.aggregation == Aggregation.NONE:
        return None
    return total.quantize(Decimal(1)) if cell.value_type == ValueType.INTEGER else total


# --- checks -----------------------------------------------------------------------------------------

@dataclass
class CheckResult:
    errors: list = field(default_factory=list)  # rule violations of severity "error"
    warnings: list = field(default_factory=list)  # rule warnings: need an explanation
    flags: list = field(default_factory=list)  # year-over-year and peer outliers: need an explanation
    unexplained: list[str] = field(default_factory=list)  # cell keys still needing an explanation

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unexplained


def assignment_check(assignment: Assignment, values: Mapping[str, Any] | None = None) -> CheckResult:
    from . import rules

    spec = spec_for(assignment.campaign.form_id)
    values = dict(values if values is not None else current_values(assignment, spec))
    result = CheckResult()
    for violation in rules.check(spec, values, other_forms=_other_forms(assignment)):
        (result.errors if violation.severity == "error" else result.warnings).append(violation)
    if assignment.entered:
        previous = _previous_year_values(assignment, spec)
        peers = _peer_values(assignment, spec)
        result.flags = rules.flags_for_submission(spec, values, previous, peers, assignment.org_unit_id)
    explained = set(explanations_of(assignment, spec))
    needing = {key for flag in result.flags for key in [flag.cell]} | {key for w in result.warnings for key in w.cells[:1]}
    result.unexplained = sorted(needing - explained)
    return result


def _other_forms(assignment: Assignment):
    """Cross-form rules: the same participant's values in another form's campaign of the same period."""
    cache: dict[str, dict[str, Any]] = {}

    def lookup(form_code: str, key: str):
        if form_code not in cache:
            other = Assignment.objects.filter(
                campaign__period=assignment.campaign.period, campaign__form__code=form_code, org_unit=assignment.org_unit,
            ).select_related("campaign").order_by("-campaign__created_at").first()
            cache[form_code] = current_values(other) if other else {}
        value = cache[form_code].get(key)
        return value if isinstance(value, Decimal) else None

    return lookup


def _previous_year_values(assignment: Assignment, spec: FormSpec) -> dict[str, Any]:
    form = assignment.campaign.form
    previous = Submission.objects.filter(
        assignment__org_unit=assignment.org_unit, assignment__campaign__form__code=form.code, status=Submission.Status.ACCEPTED,
    ).exclude(assignment__campaign=assignment.campaign).order_by("-submitted_at").first()
    if previous is None:
        return {}
    return {key: Decimal(v) for key, v in previous.values.items() if key in spec.cells and spec.cells[key].value_type in ValueType.NUMERIC and v is not None}


def _peer_values(assignment: Assignment, spec: FormSpec) -> dict[str, dict[int, Decimal]]:
    """Values of the same kind of organizations in the same district, for the peer outlier check."""
    unit = assignment.org_unit
    peers = Aggregate.objects.filter(
        campaign=assignment.campaign, org_unit__parent_id=unit.parent_id, org_unit__kind=unit.kind, org_unit__level=unit.level,
    ).exclude(org_unit=unit).values_list("cell_id", "org_unit_id", "total")
    by_id = {cell.id: cell.key for cell in spec.cells.values()}
    result: dict[str, dict[int, Decimal]] = {}
    for cid, unit_id, total in peers:
        if cid in by_id:
            result.setdefault(by_id[cid], {})[unit_id] = Decimal(total)
    return result


# --- submission -------------------------------------------------------------------------------------

def canonical_content(assignment: Assignment, values: Mapping[str, Any]) -> str:
    """The exact text that the digest and a signature cover: key-sorted JSON without spaces."""
    form = assignment.campaign.form
    body = {
        "form": form.code, "year": form.year, "version": form.version, "campaign": assignment.campaign_id,
        "period": assignment.campaign.period, "organization": assignment.org_unit_id, "kato": assignment.org_unit.kato,
        "values": {key: _jsonable(value) for key, value in sorted(values.items()) if value is not None},
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def trusted_certificates():
    from . import signatures

    directory = settings.TRUSTED_CA_DIR
    return signatures.load_trusted([directory]) if directory else []


@transaction.atomic
def submission_submit(
    *, assignment: Assignment, by: User, head_name: str, head_confirmed: bool, signature: bytes | str | None = None,
    idempotency_key: str | None = None, correction_reason: str = "", request=None,
) -> Submission:
    """Freeze the assignment's data as a new version (R4, R6). The submission time is the moment the
    server — the addressee — received it. The same idempotency key never creates a second version."""
    if not _can_submit(by, assignment):
        raise _not_found()
    assignment = Assignment.objects.select_for_update().select_related("campaign__form", "org_unit").get(pk=assignment.pk)
    if idempotency_key:
        existing = Submission.objects.filter(assignment=assignment, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    errors: dict[str, str] = {}
    if assignment.campaign.status != Campaign.Status.OPEN:
        raise DomainError("campaign_closed", _("This campaign is not open for submissions."), status=409)
    if assignment.status == Assignment.Status.SUBMITTED:
        raise DomainError("already_submitted", _("This report was already submitted and is waiting for review."), status=409)
    if assignment.status == Assignment.Status.ACCEPTED and not (correction_reason or "").strip():
        errors["correction_reason"] = _("The report was accepted: a correction needs a reason.")
    if not (head_name or "").strip():
        errors["head_name"] = _("Give the name of the head who confirms the data.")
    if not head_confirmed:
        errors["head_confirmed"] = _("The head must confirm that the data are correct.")
    if idempotency_key and len(idempotency_key) > 80:
        errors["idempotency_key"] = _("At most 80 characters.")
    if errors:
        raise DomainError("invalid_submission", _("The report cannot be submitted."), fields=errors)
    spec = spec_for(assignment.campaign.form_id)
    values = current_values(assignment, spec)
    if not any(v is not None for v in values.values()):
        raise DomainError("empty_report", _("The report has no data yet."), fields={"values": _("The report has no data yet.")})
    check = assignment_check(assignment, values)
    if check.errors:
        raise DomainError("rules_failed", _("The data break the form's rules; correct them first."),
                          fields={(v.cells[0] if v.cells else v.code): v.message for v in check.errors})
    if check.unexplained:
        raise DomainError("explanation_needed", _("Some values are unusual: explain them before submitting."),
                          fields={key: _("Explain this value.") for key in check.unexplained})
    content = canonical_content(assignment, values)
    signature_info = None
    signature_bytes = None
    if signature:
        from . import signatures

        try:
            info = signatures.verify_detached(content.encode("utf-8"), signature, trusted=trusted_certificates())
        except signatures.SignatureError as exc:
            raise DomainError(f"signature_{exc.code}", exc.message, fields={"signature": exc.message}) from None
        signature_info = info.as_dict()
        signature_bytes = signatures.to_der(signature)
    now = timezone.now()
    due = assignment.effective_due_date
    late = calendar.is_late(now, due)
    previous_status = assignment.status
    assignment.current_version += 1
    submission = Submission.objects.create(
        assignment=assignment, number=assignment.current_version, content=content, digest=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        values={key: _jsonable(value) for key, value in values.items() if value is not None}, submitted_by=by, submitted_at=now,
        is_late=late, head_name=head_name.strip(), head_confirmed=True, signature=signature_bytes, signature_info=signature_info,
        correction_reason=(correction_reason or "").strip(), idempotency_key=idempotency_key or None,
    )
    assignment.status = Assignment.Status.SUBMITTED
    assignment.submitted_at = now
    if assignment.first_submitted_at is None:
        assignment.first_submitted_at = now
        assignment.is_late = late
    assignment.save(update_fields=["status", "submitted_at", "first_submitted_at", "is_late", "current_version"])
    parent = assignment.org_unit.parent
    reviewers = notifications.users_with_roles([parent.pk], [REVIEWER_ROLES[assignment.level]]) if parent else {}
    notifications.notify([u for users in reviewers.values() for u in users], "reporting.submitted",
                         {"unit": notifications.names(assignment.org_unit), "campaign": notifications.names(assignment.campaign)},
                         link=f"/reporting/assignments/{assignment.pk}/")
    audit_record(actor=by, action="reporting.submit", obj=submission, org_unit=assignment.org_unit,
                 before={"status": previous_status}, after={"version": submission.number, "digest": submission.digest, "late": late,
                                                            "signed": bool(signature_info), "correction_reason": submission.correction_reason},
                 request=request)
    return submission


# --- review and consolidation -----------------------------------------------------------------------

def _pending(assignment: Assignment) -> Submission:
    submission = assignment.submissions.filter(status=Submission.Status.SUBMITTED).order_by("-number").first()
    if submission is None:
        raise DomainError("nothing_to_review", _("There is no submitted version to review."), status=409)
    return submission


@transaction.atomic
def submission_accept(*, assignment: Assignment, by: User, comment: str = "", request=None) -> Submission:
    """Accept the pending version: it becomes the locked, counted one. An organization's values are
    added to the consolidated totals of its node and every node above it, set-based, at once."""
    if not _can_review(by, assignment):
        raise _not_found()
    assignment = Assignment.objects.select_for_update().select_related("campaign", "org_unit").get(pk=assignment.pk)
    submission = _pending(assignment)
    previous = assignment.submissions.filter(status=Submission.Status.ACCEPTED).first()
    if assignment.entered:
        spec = spec_for(assignment.campaign.form_id)
        _apply(assignment, spec, submission.values, previous.values if previous else {})
    if previous is not None:
        previous.status = Submission.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    now = timezone.now()
    submission.status, submission.reviewed_by, submission.reviewed_at, submission.review_comment = Submission.Status.ACCEPTED, by, now, comment
    submission.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    assignment.status, assignment.accepted_at, assignment.accepted_version, assignment.review_comment = Assignment.Status.ACCEPTED, now, submission.number, comment
    assignment.save(update_fields=["status", "accepted_at", "accepted_version", "review_comment"])
    _notify_submitters(assignment, "reporting.accepted", {"campaign": notifications.names(assignment.campaign)})
    audit_record(actor=by, action="reporting.accept", obj=submission, org_unit=assignment.org_unit,
                 before={"status": "submitted", "superseded": previous.number if previous else None},
                 after={"status": "accepted", "version": submission.number}, request=request)
    return submission


@transaction.atomic
def submission_return(*, assignment: Assignment, by: User, comment: str, request=None) -> Submission:
    if not _can_review(by, assignment):
        raise _not_found()
    if not (comment or "").strip():
        raise DomainError("invalid_review", _("Say what must be corrected."), fields={"comment": _("Say what must be corrected.")})
    assignment = Assignment.objects.select_for_update().select_related("campaign", "org_unit").get(pk=assignment.pk)
    submission = _pending(assignment)
    now = timezone.now()
    submission.status, submission.reviewed_by, submission.reviewed_at, submission.review_comment = Submission.Status.RETURNED, by, now, comment.strip()
    submission.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    # A returned correction leaves the earlier accepted version counted and the report accepted.
    still_accepted = assignment.submissions.filter(status=Submission.Status.ACCEPTED).exists()
    assignment.status = Assignment.Status.ACCEPTED if still_accepted else Assignment.Status.RETURNED
    assignment.review_comment = comment.strip()
    assignment.save(update_fields=["status", "review_comment"])
    _notify_submitters(assignment, "reporting.returned", {"campaign": notifications.names(assignment.campaign), "comment": comment.strip()})
    audit_record(actor=by, action="reporting.return", obj=submission, org_unit=assignment.org_unit,
                 before={"status": "submitted"}, after={"status": assignment.status, "comment": comment.strip()}, request=request)
    return submission


def _notify_submitters(assignment: Assignment, kind: str, params: dict) -> None:
    users = notifications.users_with_roles([assignment.org_unit_id], SUBMITTER_ROLES.get(assignment.level, ()))
    notifications.notify([u for us in users.values() for u in us], kind, params, link=f"/reporting/assignments/{assignment.pk}/")


def _numeric(cell, raw) -> Decimal | None:
    if raw is None or raw == "" or cell.value_type not in ValueType.NUMERIC + (ValueType.BOOLEAN,):
        return None
    return Decimal(1 if raw is True else 0 if raw is False else raw)


def _apply(assignment: Assignment, spec: FormSpec, new: Mapping[str, Any], old: Mapping[str, Any]) -> None:
    """Move the consolidated totals of the organization's node and of every node above it from the
    ``old`` accepted values to the ``new`` ones: one delta row per cell and node, written with
    INSERT … ON CONFLICT DO UPDATE SET total = total + delta (the same SQL on SQLite and PostgreSQL)."""
    nodes = paths.ids(assignment.org_unit.path)  # republic, region, district, organization

    def parts(values, cell):
        value = _numeric(cell, values.get(cell.key))
        if value is None:
            return Decimal(0), Decimal(0), 0
        if cell.aggregation == Aggregation.WEIGHTED_AVERAGE:
            weight = _numeric(spec.cells[cell.weight_cell], values.get(cell.weight_cell)) if cell.weight_cell in spec.cells else None
            weight = weight or Decimal(0)
            return value * weight, weight, 1
        return value, Decimal(0), 1

    rows = []
    for key in set(new) | set(old):
        cell = spec.cells.get(key)
        if cell is None:
            continue
        n_total, n_weight, n_count = parts(new, cell)
        o_total, o_weight, o_count = parts(old, cell)
        delta = (n_total - o_total, n_weight - o_weight, n_count - o_count)
        if delta == (0, 0, 0) and key in old:
            continue
        for node in nodes:
            rows.append((assignment.campaign_id, node, cell.id, str(delta[0]), str(delta[1]), delta[2]))
    if not rows:
        return
    deltas.add(Aggregate._meta.db_table, ("campaign_id", "org_unit_id", "cell_id"), ("total", "weight", "contributors"), rows)


@transaction.atomic
def extension_grant(*, assignment: Assignment, until: date, reason: str, by: User, request=None) -> Assignment:
    if not _can_review(by, assignment):
        raise _not_found()
    errors = {}
    if until is None or until <= assignment.due_date:
        errors["until"] = _("The new deadline must be after the current one.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the extension.")
    if errors:
        raise DomainError("invalid_extension", _("The extension cannot be granted."), fields=errors)
    before = {"due": assignment.effective_due_date}
    assignment.extended_to, assignment.extension_reason = until, reason.strip()
    assignment.save(update_fields=["extended_to", "extension_reason"])
    _notify_submitters(assignment, "reporting.extended", {"campaign": notifications.names(assignment.campaign), "due": until.isoformat()})
    audit_record(actor=by, action="reporting.extend", obj=assignment, org_unit=assignment.org_unit, before=before,
                 after={"due": until, "reason": reason.strip()}, request=request)
    return assignment
