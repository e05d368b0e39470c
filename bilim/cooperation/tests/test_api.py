"""The cooperation API (/api/v1/cooperation/): registering with the full questionnaire, reading it
(special categories for the office only, every read audited), the bad inputs as 400 naming the
fields, departure and photo, the office and C1, the aggregates; 404 for everyone outside on every
endpoint, 401 without credentials."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from bilim.core.models import AuditLog
from bilim.cooperation.models import Foreigner

from .conftest import SPECIAL_VALUES, png, questionnaire, register

BASE = "/api/v1/cooperation"


def as_json(data: dict) -> dict:
    return json.loads(json.dumps(data, default=lambda v: v.isoformat()))


def post(client, url, data, **headers):
    return client.post(url, json.dumps(as_json(data)), content_type="application/json", **headers)


def put(client, url, data):
    return client.put(url, json.dumps(as_json(data)), content_type="application/json")


def test_register_read_and_audit(coop, api_client):
    api_client.force_login(coop.officer)
    response = post(api_client, f"{BASE}/organizations/{coop.enu.pk}/foreigners", questionnaire())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["surname_latin"] == "NURLANULY" and body["special"]["religion"] == SPECIAL_VALUES[1]
    assert body["reasons"] == ["quality", "relatives", "other"] and body["consent_version"] == "2026.1"
    pk = body["id"]
    detail = api_client.get(f"{BASE}/foreigners/{pk}").json()
    assert detail["special"]["relatives"][0]["full_name"] == SPECIAL_VALUES[3]
    api_client.force_login(coop.head)
    detail = api_client.get(f"{BASE}/foreigners/{pk}").json()
    assert detail["special"] is None and detail["surname_latin"] == "NURLANULY"
    assert all(v not in json.dumps(detail, ensure_ascii=False) for v in SPECIAL_VALUES)
    assert api_client.get(f"{BASE}/foreigners/{pk}/views").status_code == 404
    api_client.force_login(coop.officer)
    trail = api_client.get(f"{BASE}/foreigners/{pk}/views").json()
    assert [(t["action"], t["channel"], t["special"]) for t in trail] == [
        ("view", "api", False), ("view", "api", True), ("create", "", False)]
    listing = api_client.get(f"{BASE}/organizations/{coop.enu.pk}/foreigners", {"q": "askar"}).json()
    assert listing["count"] == 1 and listing["items"][0]["status"] == "present" and "special" not in listing["items"][0]


def test_bad_input_is_a_400_naming_the_fields(coop, api_client):
    api_client.force_login(coop.officer)
    data = questionnaire(birth_date=timezone.localdate() + timedelta(days=1), reasons={"quality": 2}, acknowledged=False)
    response = post(api_client, f"{BASE}/organizations/{coop.enu.pk}/foreigners", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_questionnaire"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert set(fields) == {"birth_date", "reasons", "acknowledged"}
    assert fields["reasons"] == "Reasons for coming: the ranks must be 1, 2, 3… without gaps; 1 is missing."
    assert not Foreigner.objects.exists()
    # the same person twice
    register(coop, 5)
    response = post(api_client, f"{BASE}/organizations/{coop.enu.pk}/foreigners", questionnaire(passport_number="E1000005"))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "passport_number"
    # the schema's own checks: 422
    assert post(api_client, f"{BASE}/organizations/{coop.enu.pk}/foreigners", {"sex": "M"}).status_code == 422


def test_messages_in_the_callers_language(coop, api_client):
    api_client.force_login(coop.officer)
    response = api_client.post(f"{BASE}/organizations/{coop.enu.pk}/foreigners", json.dumps(as_json(questionnaire(signed=False))),
                               content_type="application/json", HTTP_ACCEPT_LANGUAGE="ru")
    from django.utils import translation

    with translation.override("ru"):
        expected = translation.gettext("Item 17: the questionnaire must be signed by the foreigner.")
    assert response.json()["errors"] == [{"field": "signed", "message": expected}]


def test_update_departure_and_photo(coop, api_client):
    f = register(coop)
    api_client.force_login(coop.officer)
    data = questionnaire(passport_number="E1000000", nationality="")
    data.pop("consent")
    response = put(api_client, f"{BASE}/foreigners/{f.pk}", data)
    assert response.status_code == 200 and response.json()["special"]["nationality"] == ""
    response = post(api_client, f"{BASE}/foreigners/{f.pk}/departure", {"departure_date": f.arrival_date - timedelta(days=1),
                                                                        "departure_reason": "completed"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "departure_date"
    response = post(api_client, f"{BASE}/foreigners/{f.pk}/departure", {"departure_date": timezone.localdate(),
                                                                        "departure_reason": "completed"})
    assert response.json()["status"] == "departed"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_client.post(f"{BASE}/foreigners/{f.pk}/photo", {"file": SimpleUploadedFile("x.png", b"GIF89a nope", "image/png")})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "photo"
    response = api_client.post(f"{BASE}/foreigners/{f.pk}/photo", {"file": SimpleUploadedFile("x.png", png(), "image/png")})
    assert response.status_code == 200 and response.json()["has_photo"]


def test_office_and_c1(coop, api_client):
    for n in range(10):
        register(coop, n)
    api_client.force_login(coop.head)
    status = api_client.get(f"{BASE}/organizations/{coop.enu.pk}/office").json()
    assert status["foreigners"] == 10 and status["service_mandatory"] and status["warning"] and status["office"] is None
    office = {"kind": "service", "name": "Халықаралық бөлім", "order_number": "5", "order_date": date(2025, 1, 5),
              "staff": [{"full_name": "Смағұлова Дина", "position": "бастық", "is_head": True}]}
    response = put(api_client, f"{BASE}/organizations/{coop.enu.pk}/office", {**office, "staff": []})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "staff"
    response = put(api_client, f"{BASE}/organizations/{coop.enu.pk}/office", office)
    assert response.status_code == 200 and not response.json()["warning"]
    assert response.json()["office"]["staff"][0]["full_name"] == "Смағұлова Дина"


def test_statistics(coop, api_client):
    register(coop, 1)
    register(coop, 2, org_unit=coop.kaznu, citizenship="TJ", birth_country="TJ", category="researcher")
    api_client.force_login(coop.user("ministry"))
    body = api_client.get(f"{BASE}/statistics").json()
    assert body["total"] == 2 and body["cis"] == 1
    assert {c["code"]: c["count"] for c in body["by_purpose"]} == {"study": 1, "research": 1}
    assert "NURLANULY" not in json.dumps(body)
    api_client.force_login(coop.user("region.astana"))
    assert api_client.get(f"{BASE}/statistics").json()["total"] == 1
    assert api_client.get(f"{BASE}/statistics", {"unit": coop.kaznu.pk}).status_code == 404
    assert api_client.get(f"{BASE}/statistics", {"on": "2020-01-01"}).json()["total"] == 0


@pytest.mark.parametrize("username", ["ministry", "region.astana", "district.esil", "teacher", "head.school", "admin", "other"])
def test_outsiders_get_404_on_every_endpoint(coop, api_client, username):
    f = register(coop)
    api_client.force_login(coop.other_officer if username == "other" else coop.user(username))
    unit = coop.enu.pk
    for url in (f"{BASE}/organizations/{unit}/foreigners", f"{BASE}/foreigners/{f.pk}", f"{BASE}/foreigners/{f.pk}/views",
                f"{BASE}/organizations/{unit}/office"):
        response = api_client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    assert post(api_client, f"{BASE}/organizations/{unit}/foreigners", questionnaire(passport_number="N1")).status_code == 404
    data = questionnaire()
    data.pop("consent")
    assert put(api_client, f"{BASE}/foreigners/{f.pk}", data).status_code == 404
    assert post(api_client, f"{BASE}/foreigners/{f.pk}/departure",
                {"departure_date": timezone.localdate(), "departure_reason": "completed"}).status_code == 404
    assert put(api_client, f"{BASE}/organizations/{unit}/office", {"kind": "service", "name": "x", "order_number": "1",
                                                                   "order_date": date(2025, 1, 1), "staff": []}).status_code == 404
    assert not AuditLog.objects.filter(action="cooperation.foreigner.view").exists()


def test_the_head_cannot_write(coop, api_client):
    f = register(coop)
    api_client.force_login(coop.head)
    assert post(api_client, f"{BASE}/organizations/{coop.enu.pk}/foreigners", questionnaire(passport_number="N2")).status_code == 404
    assert post(api_client, f"{BASE}/foreigners/{f.pk}/departure",
                {"departure_date": timezone.localdate(), "departure_reason": "completed"}).status_code == 404


def test_without_credentials_401(coop, api_client):
    f = register(coop)
    assert api_client.get(f"{BASE}/foreigners/{f.pk}").status_code == 401
    assert api_client.get(f"{BASE}/statistics").status_code == 401
