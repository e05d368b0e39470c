"""H5: the audit log is append-only and hash-chained; audit_verify finds rows changed or removed by hand."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from bilim.core.audit import GENESIS, audit_record, audit_verify
from bilim.core.models import AuditHead, AuditLog
from bilim.core.services import orgunit_update

DISABLE = {
    "sqlite": ["DROP TRIGGER core_auditlog_no_update", "DROP TRIGGER core_auditlog_no_delete"],
    "postgresql": ["ALTER TABLE core_auditlog DISABLE TRIGGER USER"],
}


def _tamper(sql: str, params=()):
    """What a person with direct database access would do: switch the guard off, change a row."""
    with connection.cursor() as cursor:
        for statement in DISABLE[connection.vendor]:
            cursor.execute(statement)
        cursor.execute(sql, params)


@pytest.fixture
def chain(demo):
    officer = demo.user("district.esil")
    school = demo.school_in(demo.esil)
    for n in range(3):
        orgunit_update(unit=school, by=officer, name_ru=f"Школа {n}")
    return list(AuditLog.objects.order_by("id"))


def test_records_link_to_each_other(chain):
    first = AuditLog.objects.order_by("id").first()
    assert first.prev_digest == GENESIS
    for previous, row in zip(chain, chain[1:]):
        assert row.prev_digest == previous.digest
    last = chain[-1]
    assert last.action == "orgunit.update" and last.before["name_ru"] == "Школа 1" and last.after["name_ru"] == "Школа 2"
    assert last.actor_name == "district.esil"
    head = AuditHead.objects.get()
    assert (head.last_id, head.last_digest) == (last.pk, last.digest)
    assert audit_verify().ok


def test_intact_log_verifies(chain, capsys):
    call_command("audit_verify")
    assert f"{len(chain)} records" in capsys.readouterr().out


def test_database_refuses_update_and_delete(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditlog SET action = 'x' WHERE id = %s", [chain[1].pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [chain[1].pk])
    with pytest.raises(RuntimeError):
        chain[1].delete()
    chain[1].action = "changed"
    with pytest.raises(RuntimeError):
        chain[1].save()


def test_verify_finds_a_row_changed_by_hand(chain):
    target = chain[-2]
    _tamper("UPDATE core_auditlog SET after = %s WHERE id = %s", ['{"name_ru": "Подделка"}', target.pk])
    result = audit_verify()
    assert not result.ok and result.broken_id == target.pk and result.reason.startswith("content")
    with pytest.raises(CommandError, match=f"record {target.pk}"):
        call_command("audit_verify")


def test_verify_finds_a_removed_row(chain):
    target = chain[1]
    _tamper("DELETE FROM core_auditlog WHERE id = %s", [target.pk])
    result = audit_verify()
    assert not result.ok and result.broken_id == chain[2].pk and result.reason.startswith("link")


def test_verify_finds_a_removed_tail(chain):
    _tamper("DELETE FROM core_auditlog WHERE id = %s", [chain[-1].pk])
    result = audit_verify()
    assert not result.ok and result.reason.startswith("tail")


def test_record_carries_source_address(demo, rf):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    row = audit_record(actor=demo.user("admin"), action="test.event", object_type="x", object_id=1, request=request, after={"n": 1})
    assert row.source_ip == "10.1.2.3" and audit_verify().ok
