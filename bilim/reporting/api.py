"""Reporting API: what third-party school systems and the regions' own systems use to fill, sign,
submit and review reports and to read consolidated data. Scoped like the pages: 404 outside."""

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Router, Schema
from ninja.responses import Status

from bilim.core import calendar
from bilim.core.api import ERRORS, ErrorOut, ExactDateTime
from bilim.core.errors import DomainError
from bilim.core.models import OrgUnit

from . import selectors, services
from .models import Assignment, Campaign, Submission
from .spec import localized
from .specs import spec_for

router = Router(tags=["reporting"])
ID = Path(..., ge=1, le=2**62)
WRITE_ERRORS = {**ERRORS, 403: ErrorOut, 409: ErrorOut}  # 403: a browser session without its CSRF token


class CampaignOut(Schema):
    id: int
    title: str
    kind: str
    period: str
    status: str
    form_code: str
    form_year: str
    form_version: int
    deadline_organization: dt.date
    deadline_district: dt.date | None
    deadline_region: dt.date | None


def _campaign(c: Campaign) -> CampaignOut:
    return CampaignOut(id=c.pk, title=c.name, kind=c.kind, period=c.period, status=c.status, form_code=c.form.code,
                       form_year=c.form.year, form_version=c.form.version, deadline_organization=c.deadline_organization,
                       deadline_district=c.deadline_district, deadline_region=c.deadline_region)


class AssignmentOut(Schema):
    id: int
    campaign_id: int
    org_unit_id: int
    org_unit_name: str
    level: int
    status: str
    due_date: dt.date
    extended_to: dt.date | None
    effective_deadline: ExactDateTime = Field(description="End of the effective due day, Kazakhstan time")
    submitted_at: dt.datetime | None
    is_late: bool | None
    current_version: int
    accepted_version: int
    review_comment: str
    can_submit: bool
    can_review: bool


def _assignment(user, a: Assignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk, campaign_id=a.campaign_id, org_unit_id=a.org_unit_id, org_unit_name=a.org_unit.name, level=a.level, status=a.status,
        due_date=a.due_date, extended_to=a.extended_to, effective_deadline=calendar.effective_deadline(a.effective_due_date),
        submitted_at=a.submitted_at, is_late=a.is_late, current_version=a.current_version, accepted_version=a.accepted_version,
        review_comment=a.review_comment, can_submit=selectors.can_submit(user, a), can_review=selectors.can_review(user, a),
    )


class CellOut(Schema):
    key: str
    row: str
    column: str
    indicator: str
    value_type: str
    aggregation: str
    min_value: Decimal | None
    max_value: Decimal | None
    breakdown: list[list[str]]


class FormOut(Schema):
    id: int
    code: str
    year: str
    version: int
    title: str
    cells: list[CellOut]
    rules: list[dict[str, str]]


class ValuesOut(Schema):
    values: dict[str, Any] = Field(description="cell key → value (numbers as strings, yes/no as booleans, text)")
    explanations: dict[str, str]


class ValuesIn(Schema):
    values: dict[str, Any] = Field(default_factory=dict, description="cell key → value; null or \"\" clears the cell")
    explanations: dict[str, str] = Field(default_factory=dict)


class SavedOut(Schema):
    changed: int


class IssueOut(Schema):
    code: str
    kind: str
    message: str
    cells: list[str]


class CheckOut(Schema):
    ok: bool
    errors: list[IssueOut]
    warnings: list[IssueOut]
    flags: list[IssueOut]
    unexplained: list[str]


class CanonicalOut(Schema):
    content: str = Field(description="The exact UTF-8 text a detached CMS signature must cover")
    digest: str = Field(description="SHA-256 of content, hex")


class SubmitIn(Schema):
    head_name: str = Field(..., max_length=300)
    head_confirmed: bool
    signature: str | None = Field(None, max_length=200_000, description="Detached CMS/PKCS#7 signature, base64 or PEM")
    correction_reason: str = Field("", max_length=2000)


class SubmissionOut(Schema):
    id: int
    number: int
    status: str
    digest: str
    submitted_at: dt.datetime
    is_late: bool
    head_name: str
    signed: bool
    signer: str | None
    correction_reason: str
    review_comment: str


def _submission(s: Submission) -> SubmissionOut:
    info = s.signature_info or {}
    return SubmissionOut(id=s.pk, number=s.number, status=s.status, digest=s.digest, submitted_at=s.submitted_at, is_late=s.is_late,
                         head_name=s.head_name, signed=bool(s.signature_info), signer=info.get("subject") or info.get("common_name"),
                         correction_reason=s.correction_reason, review_comment=s.review_comment)


class ReviewIn(Schema):
    comment: str = Field("", max_length=2000)


class ExtensionIn(Schema):
    until: dt.date
    reason: str = Field(..., max_length=300)


class NodeQuery(Schema):
    unit: int | None = Field(None, ge=1, le=2**62, description="The node of the tree; default: the caller's own")


class CompletenessRow(Schema):
    org_unit_id: int
    name: str
    expected: int
    submitted: int
    accepted: int
    on_time: int
    late: int
    returned: int
    missing: int
    overdue: int
    percent: int


class CompletenessOut(Schema):
    total: CompletenessRow
    children: list[CompletenessRow]


def _row(c) -> CompletenessRow:
    return CompletenessRow(org_unit_id=c.unit.pk, name=c.unit.name, expected=c.expected, submitted=c.submitted, accepted=c.accepted,
                           on_time=c.on_time, late=c.late, returned=c.returned, missing=c.missing, overdue=c.overdue, percent=c.percent)


class ConsolidatedOut(Schema):
    org_unit_id: int
    values: dict[str, Any]


class DrillQuery(NodeQuery):
    cell: str = Field(..., max_length=12, pattern=r"^r\d{1,4}c\d{1,3}$")


class DrillRowOut(Schema):
    org_unit_id: int
    name: str
    level: int
    value: Any
    contributors: int


def _out(value):
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral_value() else str(value)
    return value


@router.get("/campaigns", response={200: list[CampaignOut], **ERRORS}, summary="Campaigns the caller takes part in or distributed")
def campaigns(request):
    return [_campaign(c) for c in selectors.campaigns_visible(request.user).order_by("-created_at")[:200]]


@router.get("/assignments", response={200: list[AssignmentOut], **ERRORS}, summary="Reports the caller's units must submit")
def assignments(request):
    return [_assignment(request.user, a) for a in selectors.assignments_to_submit(request.user)]


@router.get("/assignments/{assignment_id}", response={200: AssignmentOut, **ERRORS})
def assignment(request, assignment_id: int = ID):
    return _assignment(request.user, selectors.assignment_get(request.user, assignment_id))


@router.get("/assignments/{assignment_id}/form", response={200: FormOut, **ERRORS}, summary="The form's cells and rules")
def assignment_form(request, assignment_id: int = ID):
    a = selectors.assignment_get(request.user, assignment_id)
    spec = spec_for(a.campaign.form_id)
    return FormOut(
        id=spec.id, code=spec.code, year=spec.year, version=spec.version, title=localized(spec.title),
        cells=[CellOut(key=c.key, row=c.row, column=c.column, indicator=c.indicator, value_type=c.value_type, aggregation=c.aggregation,
                       min_value=c.min_value, max_value=c.max_value, breakdown=[list(p) for p in c.breakdown]) for c in spec.cells.values()],
        rules=[{"code": r.code, "expression": r.expression, "severity": r.severity, "message": localized(r.message)} for r in spec.rules],
    )


@router.get("/assignments/{assignment_id}/values", response={200: ValuesOut, **ERRORS})
def get_values(request, assignment_id: int = ID):
    a = selectors.assignment_get(request.user, assignment_id)
    spec = spec_for(a.campaign.form_id)
    values = services.current_values(a, spec)
    return ValuesOut(values={k: _out(v) for k, v in values.items() if v is not None}, explanations=services.explanations_of(a, spec))


@router.put("/assignments/{assignment_id}/values", response={200: SavedOut, 400: ErrorOut, **WRITE_ERRORS},
            summary="Save draft values (all or nothing)")
def put_values(request, payload: ValuesIn, assignment_id: int = ID):
    a = selectors.assignment_get(request.user, assignment_id)
    return SavedOut(changed=services.values_save(assignment=a, values=payload.values, explanations=payload.explanations, by=request.user, request=request))


@router.get("/assignments/{assignment_id}/check", response={200: CheckOut, **ERRORS}, summary="Rules and outlier flags on the current values")
def check(request, assignment_id: int = ID):
    a = selectors.assignment_get(request.user, assignment_id)
    result = services.assignment_check(a)
    return CheckOut(
        ok=result.ok,
        errors=[IssueOut(code=v.code, kind="rule", message=v.message, cells=list(v.cells)) for v in result.errors],
        warnings=[IssueOut(code=v.code, kind="rule", message=v.message, cells=list(v.cells)) for v in result.warnings],
        flags=[IssueOut(code=f.kind, kind=f.kind, message=f.message, cells=[f.cell]) for f in result.flags],
        unexplained=result.unexplained,
    )


@router.get("/assignments/{assignment_id}/canonical", response={200: CanonicalOut, **ERRORS},
            summary="The text a signature must cover if the report is submitted now")
def canonical(request, assignment_id: int = ID):
    import hashlib

    a = selectors.assignment_get(request.user, assignment_id)
    content = services.canonical_content(a, services.current_values(a))
    return CanonicalOut(content=content, digest=hashlib.sha256(content.encode("utf-8")).hexdigest())


@router.post("/assignments/{assignment_id}/submit", response={201: SubmissionOut, 400: ErrorOut, **WRITE_ERRORS},
             summary="Submit the current values as a new version (Idempotency-Key makes retries safe)")
def submit(request, payload: SubmitIn, assignment_id: int = ID,
           idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=80)):
    a = selectors.assignment_get(request.user, assignment_id)
    signature = None
    if payload.signature:
        text = payload.signature.strip()
        if text.startswith("-----BEGIN"):
            signature = text.encode("ascii", "ignore")
        else:
            try:
                signature = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise DomainError("signature_malformed", _("The signature is not valid base64 or PEM."),
                                  fields={"signature": _("The signature is not valid base64 or PEM.")}) from None
    submission = services.submission_submit(assignment=a, by=request.user, head_name=payload.head_name, head_confirmed=payload.head_confirmed,
                                            signature=signature, idempotency_key=idempotency_key, correction_reason=payload.correction_reason,
                                            request=request)
    return Status(201, _submission(submission))


@router.get("/assignments/{assignment_id}/submissions", response={200: list[SubmissionOut], **ERRORS}, summary="Every version, newest first")
def submissions(request, assignment_id: int = ID):
    a = selectors.assignment_get(request.user, assignment_id)
    return [_submission(s) for s in selectors.submissions_of(request.user, a)]


@router.post("/assignments/{assignment_id}/accept", response={200: SubmissionOut, 400: ErrorOut, **WRITE_ERRORS})
def accept(request, payload: ReviewIn, assignment_id: int = ID):
    a = selectors.assignment_get(request.user, assignment_id)
    return _submission(services.submission_accept(assignment=a, by=request.user, comment=payload.comment, request=request))


@router.post("/assignments/{assignment_id}/return", response={200: SubmissionOut, 400: ErrorOut, **WRITE_ERRORS})
def return_(request, payload: ReviewIn, assignment_id: int = ID):
    a = selectors.assignment_get(request.user, assignment_id)
    return _submission(services.submission_return(assignment=a, by=request.user, comment=payload.comment, request=request))


@router.post("/assignments/{assignment_id}/extension", response={200: AssignmentOut, 400: ErrorOut, **WRITE_ERRORS})
def extension(request, payload: ExtensionIn, assignment_id: int = ID):
    a = selectors.assignment_get(request.user, assignment_id)
    return _assignment(request.user, services.extension_grant(assignment=a, until=payload.until, reason=payload.reason, by=request.user, request=request))


@router.get("/campaigns/{campaign_id}/completeness", response={200: CompletenessOut, **ERRORS})
def completeness(request, filters: Query[NodeQuery], campaign_id: int = ID):
    campaign = selectors.campaign_get(request.user, campaign_id)
    node = selectors.node_for(request.user, campaign, filters.unit)
    total, children = selectors.completeness(request.user, campaign, node)
    return CompletenessOut(total=_row(total), children=[_row(c) for c in children])


@router.get("/campaigns/{campaign_id}/consolidated", response={200: ConsolidatedOut, **ERRORS}, summary="Consolidated values of a node")
def consolidated(request, filters: Query[NodeQuery], campaign_id: int = ID):
    campaign = selectors.campaign_get(request.user, campaign_id)
    node = selectors.node_for(request.user, campaign, filters.unit)
    values = selectors.consolidated(request.user, campaign, node)
    return ConsolidatedOut(org_unit_id=node.pk, values={k: _out(v) for k, v in values.items() if v is not None})


@router.get("/campaigns/{campaign_id}/drill", response={200: list[DrillRowOut], **ERRORS}, summary="The children behind one consolidated number")
def drill(request, filters: Query[DrillQuery], campaign_id: int = ID):
    campaign = selectors.campaign_get(request.user, campaign_id)
    node = selectors.node_for(request.user, campaign, filters.unit)
    return [DrillRowOut(org_unit_id=r.unit.pk, name=r.unit.name, level=r.unit.level, value=_out(r.value), contributors=r.contributors)
            for r in selectors.drill_down(request.user, campaign, node, filters.cell)]


# --- forms and campaigns (the ministry's and regions' form designers) --------------------------------

class FormSummaryOut(Schema):
    id: int
    code: str
    year: str
    version: int
    title: str
    status: str
    owner_id: int
    order_number: str
    order_date: dt.date | None
    cells: int


def _form(f) -> FormSummaryOut:
    return FormSummaryOut(id=f.pk, code=f.code, year=f.year, version=f.version, title=f.name, status=f.status, owner_id=f.owner_id,
                          order_number=f.order_number, order_date=f.order_date, cells=f.cells.count())


class FormIn(Schema):
    owner_id: int = Field(..., ge=1, le=2**62, description="The republic (national form) or a region (its own form)")
    definition: dict[str, Any] = Field(..., description="code, year, version, name_kk/ru/en, columns, sections with rows, rules")


class ApproveIn(Schema):
    order_number: str = Field(..., max_length=40)
    order_date: dt.date


class CloneIn(Schema):
    year: str = Field(..., max_length=9, pattern=r"^\d{4}-\d{4}$")
    changes: dict[str, Any] = Field(default_factory=dict)


class CampaignIn(Schema):
    form_id: int = Field(..., ge=1, le=2**62)
    owner_id: int = Field(..., ge=1, le=2**62)
    kind: Campaign.Kind = Campaign.Kind.REGULAR
    period: str = Field(..., max_length=20)
    name_kk: str = Field(..., max_length=300)
    name_ru: str = Field(..., max_length=300)
    name_en: str = Field("", max_length=300)
    deadline_organization: dt.date
    deadline_district: dt.date | None = None
    deadline_region: dt.date | None = None
    participants: dict[str, Any] = Field(default_factory=dict, description="level (3 organizations, 2 districts, 1 regions; "
                                         "2 and 1 only for ad-hoc requests), kinds, ownership, area_type, regions, organizations")


class DistributedOut(Schema):
    assignments: int


def _designer_unit(user, unit_id: int) -> OrgUnit:
    from bilim.core.scope import Scope

    unit = OrgUnit.objects.filter(Scope.of(user, services.FORM_DESIGNER_ROLES).q(), pk=unit_id).first()
    if unit is None:
        raise DomainError("not_found", _("Not found."), status=404)
    return unit


def _form_get(user, form_id: int):
    form = selectors.forms_visible(user).filter(pk=form_id).first()
    if form is None:
        raise DomainError("not_found", _("Not found."), status=404)
    return form


@router.get("/forms", response={200: list[FormSummaryOut], **ERRORS}, summary="Forms the caller may use")
def forms(request):
    return [_form(f) for f in selectors.forms_visible(request.user).prefetch_related("cells")[:500]]


@router.post("/forms", response={201: FormSummaryOut, 400: ErrorOut, **WRITE_ERRORS}, summary="Create a draft form from its definition")
def form_create(request, payload: FormIn):
    owner = _designer_unit(request.user, payload.owner_id)
    return Status(201, _form(services.form_create(definition=payload.definition, owner=owner, by=request.user, request=request)))


@router.post("/forms/{form_id}/approve", response={200: FormSummaryOut, 400: ErrorOut, **WRITE_ERRORS}, summary="Approve by an order")
def form_approve(request, payload: ApproveIn, form_id: int = ID):
    form = _form_get(request.user, form_id)
    return _form(services.form_approve(form=form, order_number=payload.order_number, order_date=payload.order_date, by=request.user, request=request))


@router.post("/forms/{form_id}/clone", response={201: FormSummaryOut, 400: ErrorOut, **WRITE_ERRORS}, summary="Carry forward to another year")
def form_clone(request, payload: CloneIn, form_id: int = ID):
    form = _form_get(request.user, form_id)
    _designer_unit(request.user, form.owner_id)
    return Status(201, _form(services.form_clone(form=form, year=payload.year, by=request.user, changes=payload.changes, request=request)))


@router.post("/campaigns", response={201: CampaignOut, 400: ErrorOut, **WRITE_ERRORS}, summary="Create a campaign or an ad-hoc request")
def campaign_create(request, payload: CampaignIn):
    owner = _designer_unit(request.user, payload.owner_id)
    form = _form_get(request.user, payload.form_id)
    campaign = services.campaign_create(
        form=form, owner=owner, period=payload.period, kind=payload.kind, by=request.user, request=request,
        names={"name_kk": payload.name_kk, "name_ru": payload.name_ru, "name_en": payload.name_en},
        deadline_organization=payload.deadline_organization, deadline_district=payload.deadline_district,
        deadline_region=payload.deadline_region, participants=payload.participants,
    )
    return Status(201, _campaign(campaign))


@router.post("/campaigns/{campaign_id}/distribute", response={200: DistributedOut, 400: ErrorOut, **WRITE_ERRORS},
             summary="Create every participant's assignment and notify them")
def campaign_distribute(request, campaign_id: int = ID):
    campaign = selectors.campaign_get(request.user, campaign_id)
    return DistributedOut(assignments=services.campaign_distribute(campaign=campaign, by=request.user, request=request))
