"""Every write of agreements (C3), contacts with missions and cultural centres (C8), conference
participation, the yearly work plan (C2) and the organization's text for Appendix 2 §9.

Keyword-only, atomic, audited; bad input raises ``DomainError`` naming each field and the reason,
and nothing is saved in part. Acting outside the organization's office is a 404.

**Status of an agreement.** Only forward, one step at a time: proposal → draft → approved → active
→ expired. "Terminated" is reachable from any status before "expired", with a reason. Entering into
force needs the date of signature, the start of validity and the signed copy; an active agreement
expires by date: ``agreements_expire`` (run daily by ``manage.py mobility_daily``) moves those whose
``valid_to`` has passed.

**C1.** Agreements in force make the international service mandatory: every write that can change
which agreements are in force (a status move, expiry, new dates) calls the office's
``services.office_requirement_check`` inside its transaction, so the head is warned as soon as an
agreement becomes active and no service is recorded."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any, Mapping

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core import notifications
from bilim.core.audit import audit_record
from bilim.core.errors import DomainError
from bilim.core.models import OrgUnit, Role, User

from . import mobility_common as common
from .services import office_requirement_check
from .mobility_services import _choice, _country, _fail, _lengths, _period, _require_office, _required, _snapshot, _subdivision_of, _text
from .models import (
    Agreement,
    AgreementEvent,
    AgreementKind,
    AgreementNote,
    ConferenceParticipation,
    MissionContact,
    MobilityPerson,
    Partner,
    PartnerKind,
    TeachingMaterial,
    TeachingReport,
    Trip,
    WorkPlan,
    WorkPlanItem,
)

FLOW = [Agreement.Status.PROPOSAL, Agreement.Status.DRAFT, Agreement.Status.APPROVED, Agreement.Status.ACTIVE, Agreement.Status.EXPIRED]
OPEN_STATUSES = (Agreement.Status.PROPOSAL, Agreement.Status.DRAFT, Agreement.Status.APPROVED, Agreement.Status.ACTIVE)
MAX_SIGNED_COPY = 20 * 1024 * 1024
EXPIRY_NOTICE_DAYS = 30
MAX_TEXT = 5000


def next_statuses(agreement: Agreement) -> list[str]:
    """The moves open to an agreement now: the next step (expiry only once its term has passed) and
    termination."""
    if agreement.status not in OPEN_STATUSES:
        return []
    following = FLOW[FLOW.index(agreement.status) + 1]
    moves = []
    if following != Agreement.Status.EXPIRED or (agreement.valid_to and agreement.valid_to < timezone.localdate()):
        moves.append(following)
    moves.append(Agreement.Status.TERMINATED)
    return moves


# --- partners ---------------------------------------------------------------------------------------

@transaction.atomic
def partner_save(*, org_unit: OrgUnit, data: Mapping[str, Any], by: User, partner: Partner | None = None, request=None) -> Partner:
    _require_office(by, org_unit)
    if partner is not None and partner.org_unit_id != org_unit.pk:
        raise common.not_found_error()
    errors: dict[str, str] = {}
    _required(errors, data, "name", "country", "kind")
    _lengths(errors, data, {"name": 300, "city": 120, "website": 200})
    _country(errors, data)
    _choice(errors, data, "kind", PartnerKind)
    website = _text(data, "website")
    if website and not website.startswith(("http://", "https://")):
        errors["website"] = _("Enter a web address starting with http:// or https://.")
    if not errors and Partner.objects.filter(org_unit=org_unit, name=_text(data, "name"), country=_text(data, "country").upper()).exclude(
            pk=getattr(partner, "pk", None)).exists():
        errors["name"] = _("This partner is already registered.")
    _fail("invalid_partner", _("The partner has errors; nothing was saved."), errors)
    fields = ("name", "country", "city", "kind", "website")
    before = _snapshot(partner, fields) if partner else None
    partner = partner or Partner(org_unit=org_unit)
    partner.name, partner.country, partner.city = _text(data, "name"), _text(data, "country").upper(), _text(data, "city")
    partner.kind, partner.website = data["kind"], website
    partner.save()
    audit_record(actor=by, action="cooperation.partner.save", obj=partner, org_unit=org_unit, before=before, after=_snapshot(partner, fields), request=request)
    return partner


# --- agreements -------------------------------------------------------------------------------------

AGREEMENT_FIELDS = ("partner_id", "title", "kind", "number", "subject", "subdivision_id", "signed_on", "valid_from", "valid_to")


def _agreement_errors(unit: OrgUnit, data: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    errors: dict[str, str] = {}
    _required(errors, data, "partner", "title", "kind")
    _lengths(errors, data, {"title": 300, "number": 60, "subject": MAX_TEXT})
    _choice(errors, data, "kind", AgreementKind)
    partner = data.get("partner")
    if "partner" not in errors:
        pk = partner.pk if isinstance(partner, Partner) else partner
        partner = Partner.objects.filter(org_unit=unit, pk=pk).first() if str(pk).isdigit() else None
        if partner is None:
            errors["partner"] = _("Choose a partner of this organization.")
    subdivision = _subdivision_of(errors, unit, data.get("subdivision"), required=False)
    _period(errors, data.get("valid_from"), data.get("valid_to"), "valid_from", "valid_to")
    signed, valid_to = data.get("signed_on"), data.get("valid_to")
    if signed is not None and signed > timezone.localdate():
        errors["signed_on"] = _("The date of signature cannot be in the future.")
    if signed is not None and valid_to is not None and valid_to < signed and "valid_to" not in errors:
        errors["valid_to"] = _("The end date cannot be before the start date.")
    return errors, {"partner": partner, "subdivision": subdivision}


def _assign_agreement(agreement: Agreement, data: Mapping[str, Any], refs: Mapping[str, Any]) -> None:
    agreement.partner, agreement.subdivision = refs["partner"], refs["subdivision"]
    agreement.title, agreement.kind, agreement.number, agreement.subject = _text(data, "title"), data["kind"], _text(data, "number"), _text(data, "subject")
    agreement.signed_on, agreement.valid_from, agreement.valid_to = data.get("signed_on"), data.get("valid_from"), data.get("valid_to")


@transaction.atomic
def agreement_create(*, org_unit: OrgUnit, data: Mapping[str, Any], by: User, request=None) -> Agreement:
    """A new agreement starts as a proposal (§8.2)."""
    _require_office(by, org_unit)
    errors, refs = _agreement_errors(org_unit, data)
    _fail("invalid_agreement", _("The agreement has errors; nothing was saved."), errors)
    agreement = Agreement(org_unit=org_unit, created_by=by)
    _assign_agreement(agreement, data, refs)
    agreement.save()
    AgreementEvent.objects.create(agreement=agreement, by=by, to_status=agreement.status)
    audit_record(actor=by, action="cooperation.agreement.create", obj=agreement, org_unit=org_unit,
                 after=_snapshot(agreement, AGREEMENT_FIELDS) | {"status": agreement.status}, request=request)
    return agreement


@transaction.atomic
def agreement_update(*, agreement: Agreement, data: Mapping[str, Any], by: User, request=None) -> Agreement:
    agreement = Agreement.objects.select_for_update().select_related("org_unit").get(pk=agreement.pk)
    _require_office(by, agreement.org_unit)
    if agreement.status in (Agreement.Status.EXPIRED, Agreement.Status.TERMINATED):
        raise DomainError("agreement_closed", _("An expired or terminated agreement cannot be changed."), status=409)
    errors, refs = _agreement_errors(agreement.org_unit, data)
    if agreement.status == Agreement.Status.ACTIVE:
        for key in ("signed_on", "valid_from"):
            if data.get(key) is None:
                errors[key] = _("An agreement in force keeps its date of signature and start of validity.")
    _fail("invalid_agreement", _("The agreement has errors; nothing was saved."), errors)
    before = _snapshot(agreement, AGREEMENT_FIELDS)
    _assign_agreement(agreement, data, refs)
    agreement.save()
    audit_record(actor=by, action="cooperation.agreement.update", obj=agreement, org_unit=agreement.org_unit, before=before,
                 after=_snapshot(agreement, AGREEMENT_FIELDS), request=request)
    office_requirement_check(org_unit=agreement.org_unit)
    return agreement


@transaction.atomic
def agreement_move(*, agreement: Agreement, to_status: str, by: User | None, note: str = "", today: date | None = None, request=None) -> Agreement:
    """Move the agreement one step forward, or terminate it (a reason required)."""
    agreement = Agreement.objects.select_for_update().select_related("org_unit").get(pk=agreement.pk)
    if by is not None:
        _require_office(by, agreement.org_unit)
    today = today or timezone.localdate()
    current = agreement.status
    labels = dict(Agreement.Status.choices)
    if to_status not in labels:
        raise DomainError("invalid_status", _("Choose one of the allowed values."), fields={"status": _("Choose one of the allowed values.")})
    if to_status == Agreement.Status.TERMINATED:
        if current not in OPEN_STATUSES:
            raise DomainError("invalid_status", _("An expired or terminated agreement cannot be terminated."),
                              fields={"status": _("An expired or terminated agreement cannot be terminated.")}, status=409)
        if not (note or "").strip():
            raise DomainError("invalid_status", _("Give the reason for the termination."), fields={"note": _("Give the reason for the termination.")})
    else:
        if current not in FLOW or FLOW.index(to_status) != FLOW.index(current) + 1:
            back = current in FLOW and FLOW.index(to_status) <= FLOW.index(current)
            message = (_("The status cannot go back from “%(from)s” to “%(to)s”.") if back else
                       _("The status cannot skip from “%(from)s” to “%(to)s”: the next step is “%(next)s”."))
            following = FLOW[FLOW.index(current) + 1] if current in FLOW[:-1] else ""
            text = message % {"from": labels[current], "to": labels[to_status], "next": labels.get(following, "")}
            raise DomainError("invalid_status", text, fields={"status": text}, status=409)
        errors: dict[str, str] = {}
        if to_status == Agreement.Status.ACTIVE:
            if agreement.signed_on is None:
                errors["signed_on"] = _("Give the date of signature before the agreement enters into force.")
            if agreement.valid_from is None:
                errors["valid_from"] = _("Give the start of validity before the agreement enters into force.")
            if not agreement.signed_copy:
                errors["signed_copy"] = _("Upload the signed copy (PDF) before the agreement enters into force.")
            if agreement.valid_to is not None and agreement.valid_to < today:
                errors["valid_to"] = _("The agreement's term has already ended.")
        if to_status == Agreement.Status.EXPIRED and not (agreement.valid_to and agreement.valid_to < today):
            errors["valid_to"] = _("An agreement expires only after its end date.")
        _fail("invalid_status", _("The agreement cannot move to “%(to)s”.") % {"to": labels[to_status]}, errors)
    agreement.status = to_status
    if to_status == Agreement.Status.ACTIVE:
        agreement.activated_on = today
    if to_status == Agreement.Status.TERMINATED:
        agreement.terminated_on, agreement.termination_reason = today, note.strip()
    agreement.save(update_fields=["status", "activated_on", "terminated_on", "termination_reason"])
    AgreementEvent.objects.create(agreement=agreement, by=by, from_status=current, to_status=to_status, note=(note or "").strip())
    audit_record(actor=by, action="cooperation.agreement.move", obj=agreement, org_unit=agreement.org_unit, before={"status": current},
                 after={"status": to_status, "note": (note or "").strip()}, request=request)
    office_requirement_check(org_unit=agreement.org_unit)
    return agreement


def _sniff_pdf(content: bytes) -> bool:
    import filetype

    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime != "application/pdf":
        return False
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(io.BytesIO(content)).pages) > 0
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        return False


@transaction.atomic
def agreement_upload_copy(*, agreement: Agreement, content: bytes, filename: str, by: User, request=None) -> Agreement:
    """Store the signed copy: a PDF, recognized by its content (not by its name), at most 20 MB."""
    agreement = Agreement.objects.select_for_update().select_related("org_unit").get(pk=agreement.pk)
    _require_office(by, agreement.org_unit)
    if agreement.status in (Agreement.Status.PROPOSAL, Agreement.Status.DRAFT, Agreement.Status.TERMINATED):
        raise DomainError("invalid_copy", _("The signed copy is added once the agreement is approved for signature."),
                          fields={"signed_copy": _("The signed copy is added once the agreement is approved for signature.")}, status=409)
    if not content:
        raise DomainError("invalid_copy", _("The signed copy has errors; nothing was saved."), fields={"signed_copy": _("The file is empty.")})
    if len(content) > MAX_SIGNED_COPY:
        raise DomainError("invalid_copy", _("The signed copy has errors; nothing was saved."),
                          fields={"signed_copy": _("The file is larger than %(n)s MB.") % {"n": MAX_SIGNED_COPY // (1024 * 1024)}})
    if not _sniff_pdf(content):
        raise DomainError("invalid_copy", _("The signed copy has errors; nothing was saved."),
                          fields={"signed_copy": _("The file is not a PDF document.")})
    before = {"sha256": agreement.signed_copy_sha256, "name": agreement.signed_copy_name}
    old = agreement.signed_copy.name if agreement.signed_copy else ""
    digest = hashlib.sha256(content).hexdigest()
    agreement.signed_copy.save("copy.pdf", ContentFile(content), save=False)
    agreement.signed_copy_name = (filename or "signed.pdf").replace("/", "_").replace("\\", "_")[-200:]
    agreement.signed_copy_sha256, agreement.signed_copy_size = digest, len(content)
    agreement.save(update_fields=["signed_copy", "signed_copy_name", "signed_copy_sha256", "signed_copy_size"])
    audit_record(actor=by, action="cooperation.agreement.signed_copy", obj=agreement, org_unit=agreement.org_unit, before=before,
                 after={"sha256": digest, "name": agreement.signed_copy_name, "size": len(content)}, request=request)
    if old:
        storage = agreement.signed_copy.storage
        transaction.on_commit(lambda: storage.delete(old))
    return agreement


@transaction.atomic
def agreement_note_add(*, agreement: Agreement, on: date | None, text: str, by: User, request=None) -> AgreementNote:
    """A note on what was done to implement the agreement (§8.3)."""
    agreement = Agreement.objects.select_related("org_unit").get(pk=agreement.pk)
    _require_office(by, agreement.org_unit)
    errors: dict[str, str] = {}
    if on is None:
        errors["on"] = _("This field is required.")
    elif on > timezone.localdate():
        errors["on"] = _("The date cannot be in the future.")
    if not (text or "").strip():
        errors["text"] = _("This field is required.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("At most %(n)s characters.") % {"n": MAX_TEXT}
    if agreement.status in (Agreement.Status.PROPOSAL, Agreement.Status.DRAFT):
        errors["agreement"] = _("Implementation is recorded for approved and signed agreements.")
    _fail("invalid_note", _("The note has errors; nothing was saved."), errors)
    note = AgreementNote.objects.create(agreement=agreement, on=on, text=text.strip(), by=by)
    audit_record(actor=by, action="cooperation.agreement.note", obj=note, org_unit=agreement.org_unit, after={"on": on, "text": note.text}, request=request)
    return note


def agreements_expire(*, today: date | None = None) -> int:
    """Move every agreement in force whose term has ended to "expired" (by date), and tell the
    international officers of agreements ending within ``EXPIRY_NOTICE_DAYS`` days (once, on the day
    the window opens). Idempotent."""
    today = today or timezone.localdate()
    moved = 0
    for agreement in Agreement.objects.filter(status=Agreement.Status.ACTIVE, valid_to__lt=today).select_related("org_unit"):
        agreement_move(agreement=agreement, to_status=Agreement.Status.EXPIRED, by=None, note="valid_to", today=today)
        moved += 1
    soon = Agreement.objects.filter(status=Agreement.Status.ACTIVE, valid_to=today + timedelta(days=EXPIRY_NOTICE_DAYS)).select_related("partner")
    soon = list(soon)
    if soon:
        officers = notifications.users_with_roles({a.org_unit_id for a in soon}, [Role.INTERNATIONAL_OFFICER])
        from bilim.core.models import Notification

        for agreement in soon:
            link = f"/cooperation/agreements/{agreement.pk}/"
            users = [u for u in officers.get(agreement.org_unit_id, []) if not Notification.objects.filter(
                user_id=u, kind="cooperation.agreement_expiring", link=link).exists()]
            notifications.notify(users, "cooperation.agreement_expiring",
                                 {"title": agreement.title, "partner": agreement.partner.name, "date": agreement.valid_to.isoformat()}, link=link)
    return moved


# --- contacts with missions and cultural centres (C8) -----------------------------------------------

CONTACT_FIELDS = ("counterpart_kind", "counterpart", "country", "on", "form", "subject", "outcome")


@transaction.atomic
def contact_save(*, org_unit: OrgUnit, data: Mapping[str, Any], by: User, contact: MissionContact | None = None, request=None) -> MissionContact:
    _require_office(by, org_unit)
    if contact is not None and contact.org_unit_id != org_unit.pk:
        raise common.not_found_error()
    errors: dict[str, str] = {}
    _required(errors, data, "counterpart_kind", "counterpart", "country", "on", "form", "subject")
    _lengths(errors, data, {"counterpart": 300, "subject": MAX_TEXT, "outcome": MAX_TEXT})
    _choice(errors, data, "counterpart_kind", MissionContact.Counterpart)
    _choice(errors, data, "form", MissionContact.Form)
    _country(errors, data)
    if "on" not in errors and data["on"] > timezone.localdate():
        errors["on"] = _("The date cannot be in the future.")
    _fail("invalid_contact", _("The contact has errors; nothing was saved."), errors)
    before = _snapshot(contact, CONTACT_FIELDS) if contact else None
    contact = contact or MissionContact(org_unit=org_unit, created_by=by)
    contact.counterpart_kind, contact.counterpart, contact.country = data["counterpart_kind"], _text(data, "counterpart"), _text(data, "country").upper()
    contact.on, contact.form, contact.subject, contact.outcome = data["on"], data["form"], _text(data, "subject"), _text(data, "outcome")
    contact.save()
    audit_record(actor=by, action="cooperation.contact.save", obj=contact, org_unit=org_unit, before=before, after=_snapshot(contact, CONTACT_FIELDS), request=request)
    return contact


# --- conference participation -----------------------------------------------------------------------

CONFERENCE_FIELDS = ("person_id", "subdivision_id", "kind", "title", "country", "city", "starts_on", "ends_on", "role", "format", "paper", "trip_id")


@transaction.atomic
def conference_save(*, org_unit: OrgUnit, data: Mapping[str, Any], by: User, participation: ConferenceParticipation | None = None,
                    request=None) -> ConferenceParticipation:
    _require_office(by, org_unit)
    if participation is not None and participation.org_unit_id != org_unit.pk:
        raise common.not_found_error()
    errors: dict[str, str] = {}
    _required(errors, data, "person", "kind", "title", "country", "city", "starts_on", "ends_on", "role")
    _lengths(errors, data, {"title": 300, "city": 120, "paper": 300})
    _choice(errors, data, "kind", ConferenceParticipation.Kind)
    _choice(errors, data, "role", ConferenceParticipation.Role)
    if data.get("format"):
        _choice(errors, data, "format", ConferenceParticipation.Format)
    _country(errors, data)
    _period(errors, data.get("starts_on"), data.get("ends_on"))
    person = data.get("person")
    if "person" not in errors:
        pk = person.pk if isinstance(person, MobilityPerson) else person
        person = MobilityPerson.objects.filter(org_unit=org_unit, pk=pk).first() if str(pk).isdigit() else None
        if person is None:
            errors["person"] = _("Choose a person of this organization.")
    subdivision = _subdivision_of(errors, org_unit, data.get("subdivision"), required=False)
    trip = data.get("trip")
    if trip not in (None, ""):
        pk = trip.pk if isinstance(trip, Trip) else trip
        trip = Trip.objects.filter(org_unit=org_unit, pk=pk).first() if str(pk).isdigit() else None
        if trip is None:
            errors["trip"] = _("Choose a trip of this organization.")
    else:
        trip = None
    _fail("invalid_conference", _("The participation has errors; nothing was saved."), errors)
    before = _snapshot(participation, CONFERENCE_FIELDS) if participation else None
    participation = participation or ConferenceParticipation(org_unit=org_unit, created_by=by)
    participation.person, participation.subdivision, participation.trip = person, subdivision or person.subdivision, trip
    participation.kind, participation.title, participation.country = data["kind"], _text(data, "title"), _text(data, "country").upper()
    participation.city, participation.starts_on, participation.ends_on = _text(data, "city"), data["starts_on"], data["ends_on"]
    participation.role, participation.format, participation.paper = data["role"], data.get("format") or ConferenceParticipation.Format.IN_PERSON, _text(data, "paper")
    participation.save()
    audit_record(actor=by, action="cooperation.conference.save", obj=participation, org_unit=org_unit, before=before,
                 after=_snapshot(participation, CONFERENCE_FIELDS), request=request)
    return participation


# --- the yearly work plan ---------------------------------------------------------------------------

@transaction.atomic
def work_plan_create(*, org_unit: OrgUnit, year: str, approved_on: date | None = None, by: User, request=None) -> WorkPlan:
    _require_office(by, org_unit)
    year = (year or "").strip()
    errors: dict[str, str] = {}
    if not common.valid_year(year):
        errors["year"] = _("Write the academic year as 2025-2026.")
    elif WorkPlan.objects.filter(org_unit=org_unit, year=year).exists():
        errors["year"] = _("The work plan for this year already exists.")
    if approved_on is not None and approved_on > timezone.localdate():
        errors["approved_on"] = _("The date cannot be in the future.")
    _fail("invalid_work_plan", _("The work plan has errors; nothing was saved."), errors)
    plan = WorkPlan.objects.create(org_unit=org_unit, year=year, approved_on=approved_on)
    audit_record(actor=by, action="cooperation.work_plan.create", obj=plan, org_unit=org_unit, after={"year": year}, request=request)
    return plan


ITEM_FIELDS = ("number", "activity", "responsible", "due_on", "done", "done_on", "result")


@transaction.atomic
def work_plan_item_save(*, plan: WorkPlan, data: Mapping[str, Any], by: User, item: WorkPlanItem | None = None, request=None) -> WorkPlanItem:
    plan = WorkPlan.objects.select_related("org_unit").get(pk=plan.pk)
    _require_office(by, plan.org_unit)
    if item is not None and item.plan_id != plan.pk:
        raise common.not_found_error()
    errors: dict[str, str] = {}
    _required(errors, data, "activity", "responsible", "due_on")
    _lengths(errors, data, {"activity": MAX_TEXT, "responsible": 300, "result": MAX_TEXT})
    first, last = common.year_bounds(plan.year) if common.valid_year(plan.year) else (None, None)
    due = data.get("due_on")
    if due is not None and first and not first <= due <= last:
        errors["due_on"] = _("The date must fall within the plan's academic year %(year)s.") % {"year": plan.year}
    done = bool(data.get("done"))
    done_on = data.get("done_on")
    if done and done_on is None:
        errors["done_on"] = _("Give the date it was done.")
    elif done_on is not None and done_on > timezone.localdate():
        errors["done_on"] = _("The date cannot be in the future.")
    if not done and done_on is not None:
        errors["done"] = _("Mark the activity done, or clear the date.")
    _fail("invalid_work_plan_item", _("The work plan item has errors; nothing was saved."), errors)
    before = _snapshot(item, ITEM_FIELDS) if item else None
    if item is None:
        item = WorkPlanItem(plan=plan, number=(plan.items.order_by("-number").values_list("number", flat=True).first() or 0) + 1)
    item.activity, item.responsible, item.due_on = _text(data, "activity"), _text(data, "responsible"), due
    item.done, item.done_on, item.result = done, done_on if done else None, _text(data, "result")
    item.save()
    audit_record(actor=by, action="cooperation.work_plan.item_save", obj=item, org_unit=plan.org_unit, before=before,
                 after=_snapshot(item, ITEM_FIELDS), request=request)
    return item


# --- Appendix 2 §9: the organization's account of teaching foreigners -------------------------------

TEACHING_FIELDS = ("mixed_groups", "language_training", "low_achievers", "teacher_training", "individual_plans")


@transaction.atomic
def teaching_report_save(*, org_unit: OrgUnit, year: str, data: Mapping[str, Any], materials: list[Mapping[str, Any]], by: User,
                         request=None) -> TeachingReport:
    """Save the text of Appendix 2 §9 and its lists (special courses and seminars, textbooks,
    manuals and guides written for foreign students), replacing the lists whole."""
    _require_office(by, org_unit)
    errors: dict[str, str] = {}
    if not common.valid_year(year or ""):
        errors["year"] = _("Write the academic year as 2025-2026.")
    _lengths(errors, data, {key: MAX_TEXT for key in TEACHING_FIELDS})
    rows = []
    for index, row in enumerate(materials or []):
        title, authors, kind = _text(row, "title"), _text(row, "authors"), row.get("kind")
        if not title and not authors:
            continue
        if kind not in TeachingMaterial.Kind.values:
            errors[f"materials.{index}.kind"] = _("Choose one of the allowed values.")
        if not title:
            errors[f"materials.{index}.title"] = _("This field is required.")
        elif len(title) > 300:
            errors[f"materials.{index}.title"] = _("At most %(n)s characters.") % {"n": 300}
        if len(authors) > 300:
            errors[f"materials.{index}.authors"] = _("At most %(n)s characters.") % {"n": 300}
        rows.append((kind, title, authors))
    _fail("invalid_teaching_report", _("The text has errors; nothing was saved."), errors)
    report, _created = TeachingReport.objects.select_for_update().get_or_create(org_unit=org_unit, year=year)
    before = _snapshot(report, TEACHING_FIELDS) | {"materials": list(report.materials.values_list("kind", "title", "authors"))}
    for key in TEACHING_FIELDS:
        setattr(report, key, _text(data, key))
    report.updated_by, report.updated_at = by, timezone.now()
    report.save()
    report.materials.all().delete()
    TeachingMaterial.objects.bulk_create([TeachingMaterial(report=report, kind=k, title=t, authors=a) for k, t, a in rows])
    audit_record(actor=by, action="cooperation.teaching_report.save", obj=report, org_unit=org_unit, before=before,
                 after=_snapshot(report, TEACHING_FIELDS) | {"materials": rows}, request=request)
    return report
