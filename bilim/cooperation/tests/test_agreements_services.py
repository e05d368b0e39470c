"""Agreements, contacts, conferences and the work plan: the status workflow (only forward, one step,
"terminated" with a reason, expiry by date), the signed copy sniffed as PDF, the C1 count — and what
each bad input gets."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation
from PIL import Image

from bilim.cooperation import agreements_selectors, agreements_services as services
from bilim.cooperation.demo_mobility import demo_pdf
from bilim.cooperation.models import Agreement, AgreementEvent, ConferenceParticipation, MissionContact, WorkPlanItem
from bilim.core.errors import DomainError

from .test_mobility_support import audit_count, world  # noqa: F401

pytestmark = pytest.mark.django_db
PDF = demo_pdf(["Memorandum of understanding", "ENU - Freie Universitat Berlin"])


def partner(w, **changes):
    return services.partner_save(org_unit=w.unit, by=w.officer, data={"name": "Freie Universität Berlin", "country": "DE", "kind": "university"} | changes)


def agreement(w, **changes):
    data = {"partner": partner(w).pk, "title": "Академиялық ұтқырлық туралы келісім", "kind": "exchange", "signed_on": date(2025, 10, 1),
            "valid_from": date(2025, 10, 1), "valid_to": date(2030, 9, 30)} | changes
    return services.agreement_create(org_unit=w.unit, data=data, by=w.officer)


def to_active(w, a, today=None):
    for status in ("draft", "approved"):
        services.agreement_move(agreement=a, to_status=status, by=w.officer)
    services.agreement_upload_copy(agreement=a, content=PDF, filename="signed.pdf", by=w.officer)
    return services.agreement_move(agreement=a, to_status="active", by=w.officer, today=today)


def test_forward_one_step_at_a_time(world):
    a = agreement(world)
    assert a.status == "proposal"
    assert services.next_statuses(a) == ["draft", "terminated"]
    active = to_active(world, a, today=date(2025, 10, 2))
    assert active.status == "active" and active.activated_on == date(2025, 10, 2)
    assert list(AgreementEvent.objects.filter(agreement=a).values_list("to_status", flat=True)) == ["proposal", "draft", "approved", "active"]


def test_a_move_that_skips_is_refused(world):
    a = agreement(world)
    before = audit_count()
    with translation.override("en"), pytest.raises(DomainError) as error:
        services.agreement_move(agreement=a, to_status="approved", by=world.officer)
    assert error.value.code == "invalid_status" and error.value.status == 409
    assert "skip" in error.value.fields["status"] and "Draft being agreed" in error.value.fields["status"]
    assert Agreement.objects.get(pk=a.pk).status == "proposal" and audit_count() == before


def test_a_move_that_goes_back_is_refused(world):
    a = agreement(world)
    services.agreement_move(agreement=a, to_status="draft", by=world.officer)
    services.agreement_move(agreement=a, to_status="approved", by=world.officer)
    with translation.override("en"), pytest.raises(DomainError) as error:
        services.agreement_move(agreement=a, to_status="draft", by=world.officer)
    assert "go back" in error.value.fields["status"]
    with pytest.raises(DomainError):
        services.agreement_move(agreement=a, to_status="approved", by=world.officer)  # staying is not a move either
    assert Agreement.objects.get(pk=a.pk).status == "approved"


def test_entering_into_force_needs_dates_and_the_signed_copy(world):
    a = agreement(world, signed_on=None, valid_from=None)
    services.agreement_move(agreement=a, to_status="draft", by=world.officer)
    services.agreement_move(agreement=a, to_status="approved", by=world.officer)
    with pytest.raises(DomainError) as error:
        services.agreement_move(agreement=a, to_status="active", by=world.officer)
    assert set(error.value.fields) == {"signed_on", "valid_from", "signed_copy"}


def test_termination_needs_a_reason_and_ends_the_agreement(world):
    a = to_active(world, agreement(world), today=date(2025, 10, 2))
    with pytest.raises(DomainError) as error:
        services.agreement_move(agreement=a, to_status="terminated", by=world.officer, note="")
    assert "note" in error.value.fields
    done = services.agreement_move(agreement=a, to_status="terminated", by=world.officer, note="Серіктестің бастамасымен", today=date(2026, 1, 15))
    assert done.terminated_on == date(2026, 1, 15)
    assert services.next_statuses(done) == []
    assert agreements_selectors.active_agreements(world.unit, date(2026, 1, 14)) == 1
    assert agreements_selectors.active_agreements(world.unit, date(2026, 1, 15)) == 0


def test_expiry_by_date(world):
    a = to_active(world, agreement(world, valid_to=date(2026, 3, 31)), today=date(2025, 10, 2))
    with pytest.raises(DomainError) as error:  # not before its end
        services.agreement_move(agreement=a, to_status="expired", by=world.officer, today=date(2026, 3, 31))
    assert "valid_to" in error.value.fields
    assert services.agreements_expire(today=date(2026, 3, 31)) == 0
    assert services.agreements_expire(today=date(2026, 4, 1)) == 1
    assert Agreement.objects.get(pk=a.pk).status == "expired"
    assert services.agreements_expire(today=date(2026, 4, 2)) == 0  # idempotent
    assert agreements_selectors.active_agreements(world.unit, date(2026, 3, 31)) == 1
    assert agreements_selectors.active_agreements(world.unit, date(2026, 4, 1)) == 0


def test_validity_end_before_start_is_refused(world):
    p = partner(world)
    with translation.override("ru"), pytest.raises(DomainError) as error:
        services.agreement_create(org_unit=world.unit, by=world.officer, data={
            "partner": p.pk, "title": "X", "kind": "memorandum", "valid_from": date(2026, 1, 1), "valid_to": date(2025, 1, 1)})
    assert set(error.value.fields) == {"valid_to"}
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("content", [
    b"%PDF-1.4 this is not really a PDF",  # the right magic, not a readable document
    b"Plain text pretending to be a PDF",
    "png",
])
def test_a_signed_copy_that_is_not_a_pdf_is_refused(world, content):
    if content == "png":
        out = io.BytesIO()
        Image.new("RGB", (4, 4)).save(out, format="PNG")
        content = out.getvalue()
    a = agreement(world)
    services.agreement_move(agreement=a, to_status="draft", by=world.officer)
    services.agreement_move(agreement=a, to_status="approved", by=world.officer)
    with translation.override("en"), pytest.raises(DomainError) as error:
        services.agreement_upload_copy(agreement=a, content=content, filename="signed.pdf", by=world.officer)
    assert error.value.fields == {"signed_copy": "The file is not a PDF document."}
    assert not Agreement.objects.get(pk=a.pk).signed_copy


def test_the_signed_copy_is_stored_with_its_digest(world):
    import hashlib

    a = to_active(world, agreement(world), today=date(2025, 10, 2))
    a.refresh_from_db()
    assert a.signed_copy_sha256 == hashlib.sha256(PDF).hexdigest() and a.signed_copy_size == len(PDF)
    with a.signed_copy.open("rb") as handle:
        assert handle.read() == PDF
    assert "signed" not in a.signed_copy.name  # stored under a random name


def test_contacts_conferences_and_the_work_plan_refuse_bad_input(world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError) as error:
        services.contact_save(org_unit=world.unit, by=world.officer, data={
            "counterpart_kind": "embassy", "counterpart": "Embassy", "country": "KZ", "on": tomorrow, "form": "meeting", "subject": ""})
    assert set(error.value.fields) == {"country", "on", "subject"}
    with pytest.raises(DomainError) as error:
        services.conference_save(org_unit=world.unit, by=world.officer, data={
            "person": world.person.pk, "kind": "symposium", "title": "S", "country": "KR", "city": "Daejeon", "role": "speaker",
            "starts_on": date(2025, 11, 14), "ends_on": date(2025, 11, 12)})
    assert set(error.value.fields) == {"ends_on"}
    plan = services.work_plan_create(org_unit=world.unit, year="2025-2026", by=world.officer)
    with pytest.raises(DomainError) as error:
        services.work_plan_item_save(plan=plan, by=world.officer, data={"activity": "A", "responsible": "B", "due_on": date(2027, 1, 1), "done": True})
    assert set(error.value.fields) == {"due_on", "done_on"}
    assert not (MissionContact.objects.exists() or ConferenceParticipation.objects.exists() or WorkPlanItem.objects.exists())


def test_only_the_office_writes_agreements(world):
    p = partner(world)
    for user in (world.head, world.other, world.district, world.ministry):
        with pytest.raises(DomainError) as error:
            services.agreement_create(org_unit=world.unit, by=user, data={"partner": p.pk, "title": "X", "kind": "memorandum"})
        assert error.value.status == 404
