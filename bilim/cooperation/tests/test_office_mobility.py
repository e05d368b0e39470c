"""C1 from outgoing mobility and agreements: the trips' and the agreements' services run the office's
check inside their transaction, so the head is warned as soon as the tenth person is abroad on the
organization's referral or an agreement enters into force (and no service is recorded) — not
before; the warning is resolved when the count falls back. Also the API's trip status filter,
which once shared its OpenAPI enum with the agreements' (``status=draft`` valid by the document,
422 by the endpoint)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bilim.cooperation import agreements_services, mobility_services, selectors, services
from bilim.cooperation.models import OfficeAlert
from bilim.core.errors import DomainError
from bilim.core.models import AuditLog, Notification

from .conftest import api_mounted
from .test_agreements_services import PDF, agreement, to_active
from .test_mobility_support import world  # noqa: F401
from .test_office import HEAD, SERVICE

pytestmark = pytest.mark.django_db


def warnings_of(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="cooperation.office_required"))


def open_alert(w) -> OfficeAlert | None:
    return OfficeAlert.objects.filter(org_unit=w.unit, resolved_at__isnull=True).first()


def people(w, n: int) -> list:
    return [w.person] + [mobility_services.person_save(org_unit=w.unit, by=w.officer, data={
        "last_name": f"Жолаушы{i}", "first_name": "Тест", "birth_year": 1990 + i, "category": "teacher",
        "subdivision": w.subdivision.pk, "home_address": "Астана қ."}) for i in range(1, n)]


def trip(w, person, **changes):
    today = timezone.localdate()
    data = w.trip_data(person=person.pk, starts_on=today - timedelta(days=5), ends_on=today + timedelta(days=120)) | changes
    return mobility_services.trip_create(org_unit=w.unit, data=data, by=w.officer)


def test_the_head_is_warned_when_the_tenth_person_is_abroad_on_referral(world, client):
    persons = people(world, 10)
    trips = [trip(world, person) for person in persons[:9]]
    trip(world, persons[9], purpose="conference")  # a conference is not a stay abroad (§4.3)
    status = selectors.office_status(world.unit)
    assert status.abroad == 9 and not status.mandatory and not status.warning
    assert warnings_of(world.head) == [] and open_alert(world) is None

    tenth = trip(world, persons[9], country="KR", host_organization="KAIST", city="Daejeon",
                 starts_on=timezone.localdate() + timedelta(days=1))  # registered, not yet gone
    assert selectors.office_status(world.unit).abroad == 9 and open_alert(world) is None

    mobility_services.trip_update(trip=tenth, by=world.officer, data=world.trip_data(
        person=persons[9].pk, country="KR", host_organization="KAIST", city="Daejeon", starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=90)))  # leaves today: the tenth person abroad
    status = selectors.office_status(world.unit)
    assert status.abroad == 10 and status.mandatory and status.warning
    assert open_alert(world).reasons == {"foreigners": 0, "abroad": 10, "agreements": 0}
    [note] = warnings_of(world.head)
    assert note.params["abroad"] == 10 and note.link == f"/cooperation/org/{world.unit.pk}/"
    assert warnings_of(world.officer) == []  # the head is warned
    assert AuditLog.objects.filter(action="cooperation.office.required").count() == 1
    client.force_login(world.head)
    assert "cooperation-warning" in client.get("/en/").content.decode()

    trip(world, persons[0], country="FR", host_organization="Sorbonne", city="Paris")  # the same person again: still 10
    assert len(warnings_of(world.head)) == 1

    mobility_services.trip_cancel(trip=trips[1], reason="Виза берілмеді", by=world.officer)  # nine again: resolved
    assert selectors.office_status(world.unit).abroad == 9 and open_alert(world) is None


def test_a_return_brings_the_count_down_and_resolves_the_warning(world):
    persons = people(world, 10)
    trips = [trip(world, person, starts_on=timezone.localdate() - timedelta(days=60)) for person in persons]
    assert open_alert(world) is not None
    first = trips[0]
    for document in first.documents.all():
        mobility_services.trip_document_set(trip=first, document=document, done=True, by=world.officer)
    mobility_services.trip_depart(trip=first, by=world.officer)
    mobility_services.trip_return(trip=first, returned_on=timezone.localdate() - timedelta(days=1), by=world.officer)
    assert selectors.office_status(world.unit).abroad == 9 and open_alert(world) is None


def test_the_head_is_warned_when_an_agreement_becomes_active(world):
    a = agreement(world, signed_on=timezone.localdate() - timedelta(days=3), valid_from=timezone.localdate() - timedelta(days=3))
    for status in ("draft", "approved"):
        agreements_services.agreement_move(agreement=a, to_status=status, by=world.officer)
    agreements_services.agreement_upload_copy(agreement=a, content=PDF, filename="signed.pdf", by=world.officer)
    assert selectors.office_status(world.unit).agreements == 0 and open_alert(world) is None and warnings_of(world.head) == []

    agreements_services.agreement_move(agreement=a, to_status="active", by=world.officer)  # enters into force
    status = selectors.office_status(world.unit)
    assert status.agreements == 1 and status.mandatory and status.warning
    assert open_alert(world).reasons == {"foreigners": 0, "abroad": 0, "agreements": 1}
    [note] = warnings_of(world.head)
    assert note.params["agreements"] == 1

    agreements_services.agreement_move(agreement=a, to_status="terminated", note="Серіктес бас тартты", by=world.officer)
    assert open_alert(world) is None  # no agreement in force: no longer mandatory


def test_no_warning_when_the_service_is_recorded(world):
    services.office_save(org_unit=world.unit, data=SERVICE, staff=[HEAD], by=world.officer)
    to_active(world, agreement(world, signed_on=timezone.localdate(), valid_from=timezone.localdate()))
    for person in people(world, 10):
        trip(world, person)
    status = selectors.office_status(world.unit)
    assert status.mandatory and status.abroad == 10 and status.agreements == 1 and not status.warning
    assert open_alert(world) is None and warnings_of(world.head) == []


def test_a_refused_trip_warns_nobody(world):
    persons = people(world, 10)
    for person in persons[:9]:
        trip(world, person)
    with pytest.raises(DomainError):
        trip(world, persons[9], ends_on=timezone.localdate() - timedelta(days=30))  # ends before it starts
    assert open_alert(world) is None and warnings_of(world.head) == []


def test_the_trip_status_filter_takes_the_trip_statuses(world, client, settings):
    if not api_mounted():
        settings.ROOT_URLCONF = "bilim.cooperation.tests.api_urls"
    trip(world, world.person)
    client.force_login(world.officer)
    url = f"/api/v1/cooperation/organizations/{world.unit.pk}/trips"
    assert [t["status"] for t in client.get(url, {"status": "planned"}).json()] == ["planned"]
    assert client.get(url, {"status": "abroad"}).json() == []
    assert client.get(url, {"status": "draft"}).status_code == 422  # an agreement's status, not a trip's
    document = client.get("/api/v1/openapi.json").json()
    parameter = next(p for p in document["paths"]["/api/v1/cooperation/organizations/{unit_id}/trips"]["get"]["parameters"]
                     if p["name"] == "status")
    name = parameter["schema"]["anyOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert document["components"]["schemas"][name]["enum"] == ["planned", "abroad", "returned", "reported", "cancelled"]
