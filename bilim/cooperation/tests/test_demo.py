"""The demo of the office: ENU with its recorded service and twelve foreigners of several countries
and categories (so a service is mandatory there and is recorded: no warning), KazNU with a
responsible person; through the services, idempotent."""

from django.apps import apps

from bilim.core.models import AuditLog, Notification, OrgKind, OrgUnit, Role, RoleGrant, User
from bilim.cooperation import selectors
from bilim.cooperation.models import Foreigner, Office, TripPlan


def test_demo_seed(demo, media):
    from bilim.cooperation.demo import seed

    result = seed("small")
    enu = OrgUnit.objects.get(kind=OrgKind.UNIVERSITY, kato__startswith="71")
    kaznu = OrgUnit.objects.get(kind=OrgKind.UNIVERSITY, kato__startswith="75")
    assert result["foreigners"] == 15
    people = Foreigner.objects.filter(org_unit=enu)
    assert people.count() == 12
    assert people.values("citizenship").distinct().count() >= 10
    assert {"bachelor", "master", "doctoral", "teacher", "researcher", "preparatory", "exchange"} <= set(people.values_list("category", flat=True))
    assert people.filter(is_cis=True).exists() and people.filter(is_kandas=True).exists() and people.filter(is_diaspora=True).exists()
    status = selectors.office_status(enu)
    assert status.foreigners == 12 and status.mandatory and status.has_service and not status.warning
    assert Office.objects.get(org_unit=kaznu).kind == "person" and not selectors.office_status(kaznu).mandatory
    assert people.exclude(photo="").count() == 9
    assert AuditLog.objects.filter(action="cooperation.foreigner.create").count() == 15
    assert seed("small") == {"foreigners": 0}  # idempotent


def test_app_config_seed_demo(demo, media):
    result = apps.get_app_config("cooperation").seed_demo("small")
    assert result["foreigners"] == 15 and result["mobility"]["created"]
    enu = OrgUnit.objects.get(kind=OrgKind.UNIVERSITY, kato__startswith="71")
    # the plans are approved by ENU's head, the demo login head.enu (core.demo.DEMO_USERS), not a user of its own
    head = User.objects.get(username="head.enu")
    assert RoleGrant.objects.filter(role=Role.ORG_HEAD, org_unit=enu).get().user == head
    assert TripPlan.objects.filter(org_unit=enu, approved_by=head).exists()
    # the office is recorded before the agreements enter into force: no warning of C1 for the head
    status = selectors.office_status(enu)
    assert status.mandatory and status.agreements and not status.warning
    assert not Notification.objects.filter(user=head, kind="cooperation.office_required").exists()
    # the stand-in that recorded KazNU's data cannot log in
    assert not User.objects.get(username="intl.kaznu").is_active
    users = User.objects.count()
    again = apps.get_app_config("cooperation").seed_demo("small")  # idempotent
    assert again["foreigners"] == 0 and not again["mobility"]["created"] and User.objects.count() == users
