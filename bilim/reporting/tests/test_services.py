"""Reporting end to end at the service level: forms, campaigns, entry, submission (digest,
idempotency, timeliness), review, consolidation kept current, corrections, scope."""

import hashlib
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bilim.core.audit import audit_verify
from bilim.core.errors import DomainError
from bilim.core.models import AuditLog, Level, Notification, OrgUnit
from bilim.reporting import selectors, services
from bilim.reporting.demo_forms import FORM_CONTINGENT, school_values
from bilim.reporting.models import Aggregate, Assignment, Campaign, DataValue, Form, Submission

KZ = ZoneInfo("Asia/Almaty")


@pytest.fixture
def rdemo(demo):
    from bilim.reporting.demo import seed

    seed("small")
    demo.campaign = Campaign.objects.get(form__code="D-1")
    demo.head = demo.user("head.school")
    demo.school = demo.school_in(demo.esil)
    demo.assignment = Assignment.objects.get(campaign=demo.campaign, org_unit=demo.school)
    return demo


def valid_values(seed=1):
    import random

    return school_values(random.Random(seed))


def submit(demo, assignment=None, **kwargs):
    kwargs.setdefault("head_name", "Ахметова С. Е.")
    kwargs.setdefault("head_confirmed", True)
    return services.submission_submit(assignment=assignment or demo.assignment, by=kwargs.pop("by", demo.head), **kwargs)


def test_demo_campaign_has_every_outcome(rdemo):
    statuses = set(Assignment.objects.filter(campaign=rdemo.campaign, level=Level.ORGANIZATION).values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "accepted"}
    assert Submission.objects.filter(is_late=True).exists() and Submission.objects.filter(is_late=False).exists()
    assert Notification.objects.filter(user=rdemo.head, kind="reporting.assigned").exists()


def test_distribution_reaches_every_school_and_the_levels_above(rdemo):
    schools = OrgUnit.objects.filter(level=Level.ORGANIZATION, kind="school", is_active=True).count()
    assignments = Assignment.objects.filter(campaign=rdemo.campaign)
    assert assignments.filter(level=Level.ORGANIZATION).count() == schools
    assert assignments.filter(level=Level.DISTRICT).count() == OrgUnit.objects.filter(level=Level.DISTRICT).count()
    assert assignments.filter(level=Level.REGION).count() == 3  # regions with demo districts


@pytest.mark.parametrize("values, fields", [
    ({"r01c1": "abc"}, {"r01c1"}),
    ({"r01c1": "-3"}, {"r01c1"}),
    ({"r01c1": "2.5"}, {"r01c1"}),
    ({"r99c1": "1"}, {"r99c1"}),
    ({"r24c1": "maybe"}, {"r24c1"}),
    ({"r01c1": "10", "r02c1": "x", "r03c1": "-1"}, {"r02c1", "r03c1"}),
])
def test_bad_values_are_refused_whole(rdemo, values, fields):
    with pytest.raises(DomainError) as error:
        services.values_save(assignment=rdemo.assignment, values=values, by=rdemo.head)
    assert error.value.code == "invalid_values" and set(error.value.fields) == fields
    assert not DataValue.objects.filter(assignment=rdemo.assignment).exists()


def test_values_accept_what_people_type(rdemo):
    services.values_save(assignment=rdemo.assignment, values={"r01c1": "1 234", "r24c1": "иә", "r21c1": 1500}, by=rdemo.head)
    values = services.current_values(rdemo.assignment)
    assert values["r01c1"] == Decimal(1234) and values["r24c1"] is True and values["r21c1"] == 1500
    assert AuditLog.objects.filter(action="reporting.values_save").last().after["r01c1"] == "1234"


def test_rules_block_submission_and_name_the_cell(rdemo):
    values = valid_values()
    values["r13c1"] += 1  # the total no longer equals the sum of the grades
    services.values_save(assignment=rdemo.assignment, values=values, by=rdemo.head)
    with pytest.raises(DomainError) as error:
        submit(rdemo)
    assert error.value.code == "rules_failed" and "r13c1" in error.value.fields


def test_submission_freezes_content_with_its_digest_and_is_idempotent(rdemo):
    services.values_save(assignment=rdemo.assignment, values=valid_values(), by=rdemo.head)
    first = submit(rdemo, idempotency_key="abc-1")
    again = submit(rdemo, idempotency_key="abc-1")
    assert first.pk == again.pk and Submission.objects.filter(assignment=rdemo.assignment).count() == 1
    assert first.digest == hashlib.sha256(first.content.encode()).hexdigest()
    assert '"form":"D-1"' in first.content and first.values["r13c1"] == str(valid_values()["r13c1"])
    with pytest.raises(DomainError) as error:
        services.values_save(assignment=rdemo.assignment, values={"r01c1": 1}, by=rdemo.head)
    assert error.value.status == 409


@pytest.mark.parametrize("field, value, code", [("head_name", "", "head_name"), ("head_confirmed", False, "head_confirmed")])
def test_submission_needs_the_heads_confirmation(rdemo, field, value, code):
    services.values_save(assignment=rdemo.assignment, values=valid_values(), by=rdemo.head)
    with pytest.raises(DomainError) as error:
        submit(rdemo, **{field: value})
    assert code in error.value.fields
    assert not Submission.objects.filter(assignment=rdemo.assignment).exists()


def test_empty_report_cannot_be_submitted(rdemo):
    with pytest.raises(DomainError) as error:
        submit(rdemo)
    assert error.value.code == "empty_report"


@pytest.mark.parametrize("due, received, late", [
    (date(2026, 3, 7), datetime(2026, 3, 10, 23, 59, tzinfo=KZ), False),  # Sat → Sun, Mon 9 March off → Tue 10 March
    (date(2026, 3, 7), datetime(2026, 3, 11, 0, 0, 1, tzinfo=KZ), True),
    (date(2026, 3, 20), datetime(2026, 3, 20, 23, 0, tzinfo=KZ), False),  # Friday itself
    (date(2026, 3, 21), datetime(2026, 3, 26, 18, 0, tzinfo=KZ), False),  # Nauryz: moved to 26 March
    (date(2026, 3, 21), datetime(2026, 3, 27, 9, 0, tzinfo=KZ), True),
    (date(2025, 1, 4), datetime(2025, 1, 5, 20, 0, tzinfo=KZ), False),  # Sunday 5 Jan 2025 was a working day
    (date(2025, 1, 4), datetime(2025, 1, 6, 9, 0, tzinfo=KZ), True),
])
def test_late_verdict_follows_the_working_day_rule(rdemo, monkeypatch, due, received, late):
    Assignment.objects.filter(pk=rdemo.assignment.pk).update(due_date=due)
    services.values_save(assignment=rdemo.assignment, values=valid_values(), by=rdemo.head)
    monkeypatch.setattr(services.timezone, "now", lambda: received)
    submission = submit(rdemo)
    assert submission.is_late is late and submission.submitted_at == received


def test_extension_moves_the_deadline_and_is_audited(rdemo, monkeypatch):
    Assignment.objects.filter(pk=rdemo.assignment.pk).update(due_date=date(2026, 3, 20))
    officer = rdemo.user("district.esil")
    with pytest.raises(DomainError) as error:
        services.extension_grant(assignment=rdemo.assignment, until=date(2026, 3, 19), reason="", by=officer)
    assert set(error.value.fields) == {"until", "reason"}
    services.extension_grant(assignment=Assignment.objects.get(pk=rdemo.assignment.pk), until=date(2026, 3, 31), reason="Карантин", by=officer)
    services.values_save(assignment=rdemo.assignment, values=valid_values(), by=rdemo.head)
    monkeypatch.setattr(services.timezone, "now", lambda: datetime(2026, 3, 30, 12, tzinfo=KZ))
    assert submit(rdemo).is_late is False
    assert AuditLog.objects.filter(action="reporting.extend").exists()
    with pytest.raises(DomainError) as error:
        services.extension_grant(assignment=rdemo.assignment, until=date(2026, 4, 30), reason="x", by=rdemo.user("district.saryarka"))
    assert error.value.status == 404


def totals(demo, node, key="r13c1"):
    return services.consolidated_values(demo.campaign, node).get(key)


def test_return_correct_accept_and_consolidate_up_the_tree(rdemo):
    officer = rdemo.user("district.esil")
    republic, region, district = rdemo.republic, rdemo.esil.parent, rdemo.esil
    before = {node.pk: totals(rdemo, node) or 0 for node in (republic, region, district)}
    values = valid_values()
    services.values_save(assignment=rdemo.assignment, values=values, by=rdemo.head)
    submit(rdemo)
    with pytest.raises(DomainError) as error:
        services.submission_return(assignment=rdemo.assignment, by=officer, comment=" ")
    assert "comment" in error.value.fields
    services.submission_return(assignment=rdemo.assignment, by=officer, comment="Check grade 5")
    assignment = Assignment.objects.get(pk=rdemo.assignment.pk)
    assert assignment.status == "returned"
    values["r06c2"] -= 1
    values["r13c2"] -= 1
    services.values_save(assignment=assignment, values={"r06c2": values["r06c2"], "r13c2": values["r13c2"]}, by=rdemo.head)
    second = submit(rdemo, assignment=assignment)
    assert second.number == 2
    assert totals(rdemo, district) == before[district.pk]  # nothing counted before acceptance
    services.submission_accept(assignment=assignment, by=officer)
    for node in (republic, region, district):
        assert totals(rdemo, node) == before[node.pk] + values["r13c1"]
    assert totals(rdemo, rdemo.school) == values["r13c1"]
    drill = selectors.drill_down(officer, rdemo.campaign, district, "r13c1")
    assert [r.value for r in drill if r.unit == rdemo.school] == [values["r13c1"]]
    assert audit_verify().ok


def test_correction_after_acceptance_needs_a_reason_and_replaces_the_counted_version(rdemo):
    officer = rdemo.user("district.esil")
    values = valid_values()
    services.values_save(assignment=rdemo.assignment, values=values, by=rdemo.head)
    submit(rdemo)
    services.submission_accept(assignment=rdemo.assignment, by=officer)
    district_total = totals(rdemo, rdemo.esil)
    services.values_save(assignment=rdemo.assignment, values={"r01c1": values["r01c1"] + 2, "r13c1": values["r13c1"] + 2}, by=rdemo.head)
    with pytest.raises(DomainError) as error:
        submit(rdemo)
    assert "correction_reason" in error.value.fields
    correction = submit(rdemo, correction_reason="Two pupils arrived on 1 September")
    assert totals(rdemo, rdemo.esil) == district_total  # the accepted version still counts
    services.submission_accept(assignment=rdemo.assignment, by=officer)
    assert totals(rdemo, rdemo.esil) == district_total + 2
    statuses = list(Submission.objects.filter(assignment=rdemo.assignment).order_by("number").values_list("status", flat=True))
    assert statuses == ["superseded", "accepted"] and correction.correction_reason
    aggregate = Aggregate.objects.get(campaign=rdemo.campaign, org_unit=rdemo.esil, cell__key="r13c1")
    assert aggregate.contributors == Aggregate.objects.filter(campaign=rdemo.campaign, org_unit__parent=rdemo.esil, cell__key="r13c1").count()


def test_district_submits_its_consolidated_report_to_the_region(rdemo):
    officer = rdemo.user("district.esil")
    services.values_save(assignment=rdemo.assignment, values=valid_values(), by=rdemo.head)
    submit(rdemo)
    services.submission_accept(assignment=rdemo.assignment, by=officer)
    district_assignment = Assignment.objects.get(campaign=rdemo.campaign, org_unit=rdemo.esil)
    upward = services.submission_submit(assignment=district_assignment, by=officer, head_name="Омарова Ә. Б.", head_confirmed=True)
    assert upward.values["r13c1"] == str(totals(rdemo, rdemo.esil))
    with pytest.raises(DomainError) as error:  # a district cannot accept its own report
        services.submission_accept(assignment=district_assignment, by=officer)
    assert error.value.status == 404
    services.submission_accept(assignment=district_assignment, by=rdemo.user("region.astana"))
    assert Assignment.objects.get(pk=district_assignment.pk).status == "accepted"


def test_other_districts_cannot_act(rdemo):
    other = rdemo.user("district.saryarka")
    services.values_save(assignment=rdemo.assignment, values=valid_values(), by=rdemo.head)
    submit(rdemo)
    for action in (
        lambda: services.submission_accept(assignment=rdemo.assignment, by=other),
        lambda: services.submission_return(assignment=rdemo.assignment, by=other, comment="x"),
        lambda: services.values_save(assignment=rdemo.assignment, values={"r01c1": 1}, by=other),
    ):
        with pytest.raises(DomainError) as error:
            action()
        assert error.value.status == 404
    with pytest.raises(Exception) as error:
        selectors.assignment_get(other, rdemo.assignment.pk)
    assert error.typename == "Http404"


def test_completeness_counts(rdemo):
    ministry = rdemo.user("ministry")
    total, children = selectors.completeness(ministry, rdemo.campaign, rdemo.republic)
    assert total.expected == sum(c.expected for c in children)
    assert total.expected == total.submitted + total.returned + total.missing
    assert total.on_time + total.late == total.submitted + total.returned
    assert total.late > 0 and total.missing > 0 and total.returned > 0
    district_total, schools = selectors.completeness(rdemo.user("district.esil"), rdemo.campaign, rdemo.esil)
    assert district_total.expected == len(schools) == 3


@pytest.mark.parametrize("change, field", [
    ({"columns": [{"code": "x1", "indicator": "PUPILS", "name_kk": "a", "name_ru": "a"}]}, "columns.0.code"),
    ({"max_cells": 10}, "cells"),
    ({"rules": [{"expression": "r13c1 = sum(r01c1:", "message_kk": "x", "message_ru": "x"}]}, "rules.R1"),
    ({"rules": [{"expression": "r77c1 = 1", "message_kk": "x", "message_ru": "x"}]}, "rules.R1"),
    ({"year": "2026"}, "year"),
])
def test_bad_form_definitions(rdemo, change, field):
    count = Form.objects.count()
    with pytest.raises(DomainError) as error:
        services.form_create(definition=FORM_CONTINGENT | {"year": "2027-2028"} | change, owner=rdemo.republic, by=rdemo.user("ministry"))
    assert field in error.value.fields
    assert Form.objects.count() == count


def test_form_cloned_forward_with_changes(rdemo):
    ministry = rdemo.user("ministry")
    d1 = rdemo.campaign.form
    clone = services.form_clone(form=d1, year="2027-2028", by=ministry, changes={"max_cells": 500})
    assert clone.status == "draft" and clone.previous == d1 and clone.cells.count() == d1.cells.count()
    assert set(clone.rules.values_list("expression", flat=True)) == set(d1.rules.values_list("expression", flat=True))


@pytest.fixture
def pki(tmp_path, settings):
    from bilim.reporting.signatures import TestPKI

    authority = TestPKI("Bilim Test NCA")
    (tmp_path / "root.pem").write_text(authority.root.certificate_pem)
    settings.TRUSTED_CA_DIR = str(tmp_path)
    return authority


def test_signed_submission_is_verified_and_stored(rdemo, pki):
    from bilim.reporting.signatures import sign_detached

    signer = pki.issue_signer("АХМЕТОВА САУЛЕ", iin="800101400123")
    services.values_save(assignment=rdemo.assignment, values=valid_values(), by=rdemo.head)
    content = services.canonical_content(rdemo.assignment, services.current_values(rdemo.assignment))
    signature = sign_detached(content.encode(), key=signer.key, certificate=signer.certificate, extra_certificates=pki.intermediates)
    submission = submit(rdemo, signature=signature)
    assert bytes(submission.signature) == signature
    assert submission.signature_info["iin"] == "800101400123" and submission.signature_info["common_name"] == "АХМЕТОВА САУЛЕ"


def test_tampered_or_untrusted_signatures_are_refused(rdemo, pki):
    from bilim.reporting.signatures import TestPKI, sign_detached

    signer = pki.issue_signer("Head")
    services.values_save(assignment=rdemo.assignment, values=valid_values(), by=rdemo.head)
    content = services.canonical_content(rdemo.assignment, services.current_values(rdemo.assignment))
    other_content = content.replace('"r01c1":', '"r01c1":1')
    cases = [
        (sign_detached(other_content.encode(), key=signer.key, certificate=signer.certificate, extra_certificates=pki.intermediates), "signature_content_mismatch"),
        (b"not a signature", "signature_malformed"),
    ]
    stranger = TestPKI("Unknown CA").issue_signer("Stranger")
    cases.append((sign_detached(content.encode(), key=stranger.key, certificate=stranger.certificate), "signature_untrusted"))
    for signature, code in cases:
        with pytest.raises(DomainError) as error:
            submit(rdemo, signature=signature)
        assert error.value.code == code and "signature" in error.value.fields
    assert not Submission.objects.filter(assignment=rdemo.assignment).exists()


def test_closed_campaign_refuses_values(rdemo):
    Campaign.objects.filter(pk=rdemo.campaign.pk).update(status=Campaign.Status.CLOSED)
    with pytest.raises(DomainError) as error:
        services.values_save(assignment=rdemo.assignment, values={"r01c1": 5}, by=rdemo.head)
    assert error.value.code == "campaign_closed" and error.value.status == 409


def test_a_district_explains_its_totals_but_cannot_type_them(rdemo):
    officer = rdemo.user("district.esil")
    district = Assignment.objects.get(campaign=rdemo.campaign, org_unit=rdemo.esil)
    with pytest.raises(DomainError) as error:
        services.values_save(assignment=district, values={"r13c1": 5}, by=officer)
    assert error.value.code == "not_editable"
    services.values_save(assignment=district, values={}, explanations={"r13c1": "Two schools merged"}, by=officer)
    assert services.explanations_of(district, services.spec_for(rdemo.campaign.form_id)) == {"r13c1": "Two schools merged"}
    assert "r13c1" not in services.current_values(district) or services.current_values(district)["r13c1"] != 5
