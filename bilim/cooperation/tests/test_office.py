"""The office (C1): recording the service or the responsible person by the head's order, with its
staff; the warning to the head when a service becomes mandatory — it appears when the tenth
foreigner is registered, not at the ninth — sent once, shown on the head's home page, resolved when a
service is recorded (a responsible person alone does not do) or the foreigners leave."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from bilim.core.errors import DomainError
from bilim.core.models import AuditLog, Notification
from bilim.cooperation import selectors, services
from bilim.cooperation.models import Office, OfficeAlert

from .conftest import register

SERVICE = {"kind": "service", "name": "Халықаралық ынтымақтастық департаменті", "order_number": "112-ж", "order_date": date(2024, 2, 1),
           "address": "Сәтбаев к., 2", "building": "1", "room": "217", "regulation_approved": True, "premises_secured": True}
HEAD = {"full_name": "Смағұлова Дина Ержанқызы", "position": "директор", "is_head": True, "work_phone": "+7 7172 709 500",
        "home_phone": "+7 701 111 2233", "experience_years": 5, "foreign_languages": "English", "has_clearance": True}


def notes(user):
    return list(Notification.objects.filter(user=user, kind="cooperation.office_required"))


def test_the_warning_appears_when_the_tenth_foreigner_is_registered(coop, client):
    for n in range(9):
        register(coop, n)
    status = selectors.office_status(coop.enu)
    assert status.foreigners == 9 and not status.mandatory and status.needs_person
    assert notes(coop.head) == [] and not OfficeAlert.objects.exists()
    client.force_login(coop.head)
    assert "cooperation-warning" not in client.get("/en/").content.decode()

    register(coop, 9)  # the tenth
    status = selectors.office_status(coop.enu)
    assert status.foreigners == 10 and status.mandatory and status.warning
    [note] = notes(coop.head)
    assert note.params["foreigners"] == 10 and note.link == f"/cooperation/org/{coop.enu.pk}/"
    assert OfficeAlert.objects.filter(org_unit=coop.enu, resolved_at__isnull=True).count() == 1
    assert AuditLog.objects.filter(action="cooperation.office.required").count() == 1
    home = client.get("/en/").content.decode()
    assert "cooperation-warning" in home and "10 foreigners" in home
    assert "must have an international cooperation service" in home  # the notification, rendered

    register(coop, 10)  # the eleventh: no second warning
    assert len(notes(coop.head)) == 1


def test_a_responsible_person_alone_does_not_resolve_it_a_service_does(coop):
    for n in range(10):
        register(coop, n)
    services.office_save(org_unit=coop.enu, data={**SERVICE, "kind": "person", "name": ""}, staff=[HEAD], by=coop.head)
    assert selectors.office_status(coop.enu).warning
    assert OfficeAlert.objects.filter(resolved_at__isnull=True).exists()
    services.office_save(org_unit=coop.enu, data=SERVICE, staff=[HEAD, {"full_name": "Әлиев Ернар", "position": "инспектор"}],
                         by=coop.officer)
    assert not selectors.office_status(coop.enu).warning
    assert not OfficeAlert.objects.filter(resolved_at__isnull=True).exists()
    office = Office.objects.get(org_unit=coop.enu)
    assert office.head.full_name == HEAD["full_name"] and office.staff.count() == 2


def test_departures_resolve_it_and_a_new_tenth_warns_again(coop):
    people = [register(coop, n) for n in range(10)]
    services.foreigner_depart(foreigner=people[0], departure_date=timezone.localdate(), reason="completed", by=coop.officer)
    assert not OfficeAlert.objects.filter(resolved_at__isnull=True).exists()
    register(coop, 20)
    assert len(notes(coop.head)) == 2


def test_expected_foreigners_do_not_count_until_they_arrive(coop):
    for n in range(9):
        register(coop, n)
    register(coop, 9, arrival_date=timezone.localdate() + timedelta(days=5), acknowledged_on=timezone.localdate())
    assert selectors.office_status(coop.enu).foreigners == 9
    assert selectors.office_status(coop.enu, timezone.localdate() + timedelta(days=5)).foreigners == 10


def refused(coop, data, staff, by=None) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        services.office_save(org_unit=coop.enu, data=data, staff=staff, by=by or coop.officer)
    assert not Office.objects.exists()
    return caught.value.fields


def test_office_bad_input(coop):
    assert refused(coop, {**SERVICE, "name": ""}, [HEAD]) == {"name": "Name of the service: fill this in."}
    assert refused(coop, {**SERVICE, "order_date": timezone.localdate() + timedelta(days=1)}, [HEAD]) == {
        "order_date": "Date of the head's order cannot be in the future."}
    assert refused(coop, SERVICE, [{**HEAD, "is_head": False}]) == {
        "staff": "Staff: mark exactly one person as the head of the service or the responsible person."}
    assert refused(coop, SERVICE, [HEAD, HEAD]) == {
        "staff": "Staff: mark exactly one person as the head of the service or the responsible person."}
    assert refused(coop, {**SERVICE, "kind": "committee"}, [HEAD]) == {"kind": "Form: choose one of the listed values."}
    assert refused(coop, SERVICE, [{**HEAD, "full_name": "", "email": "x@"}]) == {
        "staff[0].full_name": "Surname, name, patronymic: fill this in.", "staff[0].email": "E-mail: enter a valid e-mail address."}


@pytest.mark.parametrize("username", ["ministry", "region.astana", "district.esil", "teacher", "head.school"])
def test_office_is_written_by_the_organization_only(coop, username):
    with pytest.raises(DomainError) as caught:
        services.office_save(org_unit=coop.enu, data=SERVICE, staff=[HEAD], by=coop.user(username))
    assert caught.value.status == 404
    with pytest.raises(DomainError):
        services.office_save(org_unit=coop.enu, data=SERVICE, staff=[HEAD], by=coop.other_officer)


def test_the_daily_check_warns_when_time_alone_makes_a_service_mandatory(coop):
    from django.core.management import call_command

    later = timezone.localdate() + timedelta(days=10)
    for n in range(9):
        register(coop, n)
    register(coop, 9, arrival_date=later, acknowledged_on=timezone.localdate())  # the tenth arrives in ten days
    assert notes(coop.head) == []
    call_command("cooperation_office_check")
    assert notes(coop.head) == []
    call_command("cooperation_office_check", date=later.isoformat())
    call_command("cooperation_office_check", date=later.isoformat())  # idempotent
    assert len(notes(coop.head)) == 1
