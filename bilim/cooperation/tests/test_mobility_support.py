"""Shared set-up of the mobility, agreements and annual-report tests (imported by them; it holds no
tests itself): ENU with its international officer and head, a subdivision and a person."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.hashers import make_password

from bilim.core.models import AuditLog, Level, OrgKind, OrgUnit, Role, RoleGrant, User

PASSWORD = "Bilim-demo-2026"


def enu() -> OrgUnit:
    return OrgUnit.objects.filter(level=Level.ORGANIZATION, kind=OrgKind.UNIVERSITY, kato__startswith="71").order_by("pk").first()


def kaznu() -> OrgUnit:
    return OrgUnit.objects.filter(level=Level.ORGANIZATION, kind=OrgKind.UNIVERSITY, kato__startswith="75").order_by("pk").first()


def make_user(username: str, role: str, unit: OrgUnit) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"password": make_password(PASSWORD), "last_name": username,
                                                                             "first_name": "Test"})
    RoleGrant.objects.get_or_create(user=user, role=role, org_unit=unit)
    return user


class World:
    """ENU's office: ``officer`` (intl.enu), ``head``; KazNU's officer ``other``; the district and
    ministry officers; a subdivision and a person of ENU."""

    def __init__(self):
        from bilim.cooperation import mobility_services

        self.unit = enu()
        self.officer = User.objects.get(username="intl.enu")
        self.head = make_user("head.enu", Role.ORG_HEAD, self.unit)
        self.other = make_user("intl.kaznu", Role.INTERNATIONAL_OFFICER, kaznu())
        self.district = make_user("district.enu", Role.DISTRICT_OFFICER, self.unit.parent)
        self.ministry = User.objects.get(username="ministry")
        self.subdivision = mobility_services.subdivision_save(org_unit=self.unit, by=self.officer, data={
            "name_kk": "Халықаралық қатынастар факультеті", "name_ru": "Факультет международных отношений", "external_relations": True,
            "address": "Сәтпаев к-сі, 2", "building": "2", "room": "205"})
        self.person = mobility_services.person_save(org_unit=self.unit, by=self.officer, data={
            "last_name": "Жұмабекова", "first_name": "Аружан", "birth_year": 2003, "category": "student", "subdivision": self.subdivision.pk,
            "home_address": "Астана қ., Қабанбай батыр д-лы, 11"})

    def trip_data(self, **changes) -> dict:
        data = {"person": self.person.pk, "subdivision": self.subdivision.pk, "purpose": "study", "country": "DE",
                "host_organization": "Freie Universität Berlin", "city": "Berlin", "starts_on": date(2026, 2, 1), "ends_on": date(2026, 6, 30),
                "funding": "grant"}
        return data | changes


@pytest.fixture
def world(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return World()


def audit_count() -> int:
    return AuditLog.objects.count()
