"""Fixtures of the cooperation tests: uploaded files under a temporary MEDIA_ROOT; ENU (the demo's
university in Astana) with its international officer ``intl.enu``, its head ``head.enu`` (both demo users),
KazNU's officer ``intl.kaznu`` (another organization); a complete valid questionnaire
(``questionnaire``), a PNG photo (``png``), and the API reached at /api/v1/cooperation/ whether or not
the lead has mounted the router yet (``api_client``)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from bilim.core.models import OrgKind, OrgUnit, Role, RoleGrant, User

SPECIAL_VALUES = ("Ұйғыр", "Буддизм", "«Жасыл әлем» қоғамдық бірлестігі", "Нұрланұлы Бағдат")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_user(username: str, role: str, unit: OrgUnit, last_name: str = "Тестов") -> User:
    user = User.objects.create_user(username=username, password="Bilim-demo-2026", last_name=last_name, first_name="Тест")
    RoleGrant.objects.create(user=user, role=role, org_unit=unit)
    return user


@pytest.fixture
def coop(demo, media):
    demo.enu = OrgUnit.objects.get(kind=OrgKind.UNIVERSITY, kato__startswith="71")
    demo.kaznu = OrgUnit.objects.get(kind=OrgKind.UNIVERSITY, kato__startswith="75")
    demo.officer = demo.user("intl.enu")
    demo.head = demo.user("head.enu")  # a demo user (core.demo.DEMO_USERS)
    demo.other_officer = make_user("intl.kaznu", Role.INTERNATIONAL_OFFICER, demo.kaznu, "Басқаұлы")
    return demo


def png(width: int = 300, height: int = 400, exif: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 180, 160))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "CameraMaker-GPS-secret"  # Make
        image.save(out, format="JPEG", exif=data.tobytes())
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def questionnaire(**changes) -> dict:
    """A complete, valid questionnaire of a Mongolian diaspora student (every item of Appendix 1)."""
    today = timezone.localdate()
    arrival = today - timedelta(days=60)
    data = {
        "surname_latin": "Nurlanuly", "given_names_latin": "Askar", "last_name": "Нұрланұлы", "first_name": "Асқар", "patronymic": "",
        "sex": "M", "citizenship": "MN", "birth_date": date(2004, 3, 15), "birth_country": "MN", "birth_place": "Баян-Өлгий, Өлгий",
        "passport_number": "E 1234567", "passport_issued_on": date(2022, 5, 10), "passport_expires_on": date(2032, 5, 9),
        "passport_issued_by": "Moңғолия ІІМ",
        "nationality": SPECIAL_VALUES[0], "religion": SPECIAL_VALUES[1], "memberships": SPECIAL_VALUES[2],
        "permanent_address": "Өлгий қ., 5-шағынаудан, 12", "phones": "+976 9911 2233", "email": "askar@example.org",
        "marital_status": "single",
        "relatives": [
            {"relation": "father", "full_name": SPECIAL_VALUES[3], "birth_year": 1975, "citizenship": "MN", "occupation": "мұғалім",
             "address": "Өлгий"},
            {"relation": "mother", "full_name": "Серікқызы Гүлнар", "birth_year": 1978, "citizenship": "MN", "occupation": "дәрігер",
             "address": "Өлгий"},
            {"relation": "brother", "full_name": "Нұрланұлы Ерлан", "birth_year": 2008, "citizenship": "", "occupation": "оқушы",
             "address": ""},
        ],
        "education": [{"organization": "Өлгий қаласының № 5 мектебі", "programme": "жалпы орта білім", "year_from": 2011,
                       "year_to": 2022, "types": ["state", "secular"], "document": "аттестат № 123"}],
        "languages": [{"language": "kk", "other_name": "", "spoken": "native", "reading": "native", "writing": "good"},
                      {"language": "mn", "other_name": "", "spoken": "fluent", "reading": "good", "writing": "good"}],
        "activities": [{"date_from": date(2022, 9, 1), "date_to": date(2023, 6, 30), "kind": "work", "description": "кітапханашы, Өлгий"},
                       {"date_from": date(2023, 9, 1), "date_to": None, "kind": "study", "description": "дайындық курсы"}],
        "reasons": {"quality": 1, "relatives": 2, "other": 3}, "reason_other": "тарихи отан",
        "study_purpose": "6B02201 Тарих", "about": "Қазақ тарихын зерттегім келеді",
        "category": "bachelor", "basis": "state_grant", "specialty": "6B02201 Тарих", "course": 1,
        "is_diaspora": True, "is_kandas": False,
        "admission_order_number": "321-ст", "admission_order_date": arrival,
        "arrival_date": arrival, "accommodation": "dormitory", "accommodation_address": "№ 3 жатақхана, 214 бөлме",
        "medical_checkup_on": arrival + timedelta(days=3), "expected_end_date": date(arrival.year + 4, 6, 30),
        "acknowledged": True, "acknowledged_on": arrival, "signed": True, "consent": True,
    }
    data.update(changes)
    return data


def register(coop, n: int = 0, **changes):
    """Register a foreigner with a distinct passport through the service."""
    from bilim.cooperation import services

    unit = changes.pop("org_unit", None) or coop.enu
    data = questionnaire(passport_number=f"E{1000000 + n}", **changes)
    return services.foreigner_register(org_unit=unit, data=data, by=coop.officer if unit == coop.enu else coop.other_officer)


def api_mounted() -> bool:
    from bilim.config.api import api
    from bilim.cooperation.api import router

    return any(mounted is router for _prefix, mounted in api._routers)


@pytest.fixture
def api_client(client, settings):
    """The Django test client with /api/v1/cooperation/ served: through the project's API when the
    router is mounted there, else through an API of the tests with the same auth and error handlers."""
    if not api_mounted():
        settings.ROOT_URLCONF = "bilim.cooperation.tests.api_urls"
    return client
