"""The annual report's writes, through reporting's own services (the only way cooperation hands data
to reporting): the COOP-2 form in the catalogue, the yearly campaign due 15 July, filling an
organization's assignment from its cooperation data, and its submission with a snapshot of the
report's data kept beside the submitted version.

Who: the ministry defines the form and opens the campaign (reporting's designer roles); the
organization's head — reporting's submitter — fills and submits its report (the international
officer prepares the data and the documents)."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from bilim.core.audit import audit_record
from bilim.core.errors import DomainError
from bilim.core.models import Level, OrgKind, OrgUnit, User
from bilim.reporting import services as reporting
from bilim.reporting.models import Assignment, Breakdown, BreakdownItem, Campaign, Form, Indicator

from . import annual_report, annual_report_forms
from . import mobility_common as common
from .models import AnnualReportSnapshot


def catalogue_ensure(republic: OrgUnit) -> None:
    """The breakdowns and indicators of COOP-2 (created once, kept if they exist)."""
    for b in annual_report_forms.BREAKDOWNS:
        breakdown, _created = Breakdown.objects.get_or_create(code=b["code"], defaults={k: b[k] for k in ("name_kk", "name_ru", "name_en")})
        for order, (code, kk, ru, en) in enumerate(b["items"]):
            BreakdownItem.objects.get_or_create(breakdown=breakdown, code=code, defaults={"order": order, "name_kk": kk, "name_ru": ru, "name_en": en})
    for code, kk, ru, en, unit in annual_report_forms.INDICATORS:
        Indicator.objects.get_or_create(code=code, defaults={
            "name_kk": kk, "name_ru": ru, "name_en": en, "value_type": "integer", "unit_kk": unit[0], "unit_ru": unit[1], "unit_en": unit[2],
            "aggregation": "sum", "owner": republic, "min_value": 0,
        })


@transaction.atomic
def form_ensure(*, year: str, by: User, request=None) -> Form:
    """The approved COOP-2 form for the academic year ``year``: carried forward from the latest
    earlier year when there is one (``reporting.form_clone``), else created from the definition."""
    if not common.valid_year(year):
        raise DomainError("invalid_form", _("The form has errors."), fields={"year": _("Write the academic year as 2025-2026.")})
    existing = Form.objects.filter(code=annual_report_forms.FORM_CODE, year=year, status=Form.Status.APPROVED).order_by("-version").first()
    if existing is not None:
        return existing
    republic = OrgUnit.objects.get(level=Level.REPUBLIC)
    catalogue_ensure(republic)
    previous = Form.objects.filter(code=annual_report_forms.FORM_CODE, status=Form.Status.APPROVED, year__lt=year).order_by("-year", "-version").first()
    if previous is not None:
        form = reporting.form_clone(form=previous, year=year, by=by, request=request)
    else:
        form = reporting.form_create(definition=annual_report_forms.definition(year), owner=republic, by=by, request=request)
    return reporting.form_approve(form=form, order_number=annual_report_forms.ORDER_NUMBER, order_date=date(2021, 10, 5), by=by, request=request)


@transaction.atomic
def campaign_open(*, year: str, by: User, kinds: list[str] | None = None, request=None) -> Campaign:
    """The Appendix 2 campaign of an academic year, distributed to universities and colleges (or
    ``kinds``), due 15 July of the year the academic year ends (the working-day rule applies)."""
    form = form_ensure(year=year, by=by, request=request)
    republic = OrgUnit.objects.get(level=Level.REPUBLIC)
    found = Campaign.objects.filter(form__code=annual_report_forms.FORM_CODE, period=year, owner=republic).first()
    if found is not None:
        return found
    span = year.replace("-", "–")
    campaign = reporting.campaign_create(
        form=form, owner=republic, period=year, by=by, participants={"kinds": kinds or [OrgKind.UNIVERSITY, OrgKind.COLLEGE]},
        names={"name_kk": f"Халықаралық ынтымақтастықтың нәтижесі туралы мәліметтер, {span} оқу жылы (2-қосымша)",
               "name_ru": f"Сведения о результатах международного сотрудничества, {span} учебный год (приложение 2)",
               "name_en": f"Results of international cooperation, academic year {span} (Appendix 2)"},
        deadline_organization=common.report_deadline(year), request=request,
    )
    reporting.campaign_distribute(campaign=campaign, by=by, request=request)
    return campaign


def assignment_for(unit: OrgUnit, year: str) -> Assignment | None:
    """The organization's Appendix 2 assignment of the year (the open campaign's, else the latest)."""
    return (Assignment.objects.filter(org_unit=unit, campaign__form__code=annual_report_forms.FORM_CODE, campaign__period=year)
            .select_related("campaign", "campaign__form", "org_unit").order_by("-campaign__status", "-campaign__created_at").first())


@transaction.atomic
def report_prefill(*, org_unit: OrgUnit, year: str, by: User, request=None) -> Assignment:
    """Fill the organization's COOP-2 values from its cooperation data (reporting's ``values_save``:
    checked whole, audited there). Only the head — reporting's submitter — may."""
    if not common.can_approve(by, org_unit):
        raise common.not_found_error()
    assignment = assignment_for(org_unit, year)
    if assignment is None:
        raise DomainError("no_campaign", _("The ministry has not asked for this year's report yet."),
                          fields={"year": _("The ministry has not asked for this year's report yet.")}, status=409)
    data = annual_report.gather(org_unit, year)
    reporting.values_save(assignment=assignment, values=annual_report.figures(data), by=by, request=request)
    return assignment


@transaction.atomic
def report_submit(*, org_unit: OrgUnit, year: str, by: User, head_name: str, head_confirmed: bool, signature: bytes | str | None = None,
                  correction_reason: str = "", idempotency_key: str | None = None, request=None) -> AnnualReportSnapshot:
    """Fill the values from the data and submit them through reporting (R4, R6: the server's time of
    receipt, the working-day rule, the head's confirmation, an optional signature), keeping the
    report's data as submitted so its DOCX and PDF can be produced again. All or nothing."""
    if idempotency_key and common.can_approve(by, org_unit):
        found = assignment_for(org_unit, year)
        done = found and found.submissions.filter(idempotency_key=idempotency_key).first()
        if done:  # a retry of a submission that went through: the version already submitted
            snapshot = AnnualReportSnapshot.objects.filter(submission_id=done.pk).first()
            if snapshot is not None:
                return snapshot
    assignment = report_prefill(org_unit=org_unit, year=year, by=by, request=request)
    data = annual_report.gather(org_unit, year)
    submission = reporting.submission_submit(assignment=assignment, by=by, head_name=head_name, head_confirmed=head_confirmed,
                                             signature=signature, correction_reason=correction_reason, idempotency_key=idempotency_key,
                                             request=request)
    existing = AnnualReportSnapshot.objects.filter(submission_id=submission.pk).first()
    if existing is not None:  # the same idempotency key: the version already submitted
        return existing
    body = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    snapshot = AnnualReportSnapshot.objects.create(org_unit=org_unit, year=year, submission_id=submission.pk, version=submission.number,
                                                   data=json.loads(body), digest=hashlib.sha256(body.encode("utf-8")).hexdigest())
    audit_record(actor=by, action="cooperation.annual_report.submit", obj=snapshot, org_unit=org_unit,
                 after={"year": year, "version": submission.number, "digest": snapshot.digest, "submission": submission.pk}, request=request)
    return snapshot
