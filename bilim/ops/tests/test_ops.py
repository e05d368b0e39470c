"""O1: health probe, Prometheus metrics, and a backup → change → restore round trip on this database."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bilim.core.audit import audit_verify
from bilim.core.models import OrgUnit
from bilim.core.services import orgunit_update


def test_healthz_reports_the_database(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"]["ok"] is True


def test_healthz_answers_503_when_the_database_is_down(db, client, monkeypatch):
    from bilim.ops import views

    monkeypatch.setattr(views, "_probe", lambda: (False, 0.01, "OperationalError"))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"]["error"] == "OperationalError"


def test_metrics_in_prometheus_format(demo, client):
    client.get("/en/")
    body = client.get("/metrics").content.decode()
    assert "# TYPE bilim_http_requests_total counter" in body
    assert 'bilim_org_units{level="1"} 20.0' in body
    assert "bilim_database_up 1.0" in body
    assert 'route="<lang>/"' not in body  # labels are route patterns, bounded


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(tmp_path, capsys):
    from bilim.core.demo import seed

    seed("small")
    school = OrgUnit.objects.filter(kind="school").order_by("pk").first()
    original = school.name_ru
    target = tmp_path / ("bilim.backup")
    call_command("backup", output=target)
    assert target.exists() and (tmp_path / "bilim.backup.sha256").exists()

    orgunit_update(unit=school, by=None, name_ru="Изменено после резервной копии")
    OrgUnit.objects.filter(kind="preschool").update(is_active=False)

    call_command("restore", str(target), yes=True)
    school.refresh_from_db()
    assert school.name_ru == original
    assert not OrgUnit.objects.filter(kind="preschool", is_active=False).exists()
    assert audit_verify().ok  # the chain came back whole, without the later record


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_backup(tmp_path):
    target = tmp_path / "bilim.backup"
    call_command("backup", output=target)
    with target.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00garbage")
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(target), yes=True)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing"), yes=True)
