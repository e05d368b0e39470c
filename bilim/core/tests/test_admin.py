"""The administrators' screens open, and audited writes go through the services."""

import pytest

from bilim.core.models import AuditLog, CalendarOverride


@pytest.mark.parametrize("url", ["/en/admin/", "/en/admin/core/orgunit/", "/en/admin/core/user/", "/en/admin/core/calendaroverride/",
                                 "/en/admin/core/auditlog/", "/en/admin/reporting/indicator/", "/en/admin/reporting/form/"])
def test_admin_pages_open_for_the_system_administrator(demo, client, url):
    client.force_login(demo.user("admin"))
    assert client.get(url).status_code == 200


def test_admin_is_closed_to_officers(demo, client):
    client.force_login(demo.user("ministry"))
    assert client.get("/en/admin/core/orgunit/").status_code == 302


def test_moved_day_from_the_admin_is_audited(demo, client):
    client.force_login(demo.user("admin"))
    response = client.post("/en/admin/core/calendaroverride/add/", {"date": "2026-07-03", "kind": "day_off", "reason": "Decree (test)"})
    assert response.status_code == 302
    assert CalendarOverride.objects.get().kind == "day_off"
    assert AuditLog.objects.filter(action="calendar.override").exists()


def test_org_unit_edit_from_the_admin_is_audited(demo, client):
    client.force_login(demo.user("admin"))
    school = demo.school_in(demo.esil)
    page = client.get(f"/en/admin/core/orgunit/{school.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update({"name_ru": "Школа-лицей № 1", "is_active": "on"})
    data = {k: ("" if v is None else v) for k, v in data.items() if not isinstance(v, bool)} | {"is_active": "on"}
    response = client.post(f"/en/admin/core/orgunit/{school.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    school.refresh_from_db()
    assert school.name_ru == "Школа-лицей № 1"
    assert AuditLog.objects.filter(action="orgunit.update", object_id=str(school.pk)).exists()
