"""Reporting API: a third-party school system fills, checks, signs and submits; the district reviews;
scope (404) on every endpoint; bad input answered with the field and the reason, nothing saved."""

import json
import random
from datetime import date

import pytest
from django.test import Client

from bilim.core.services import token_create
from bilim.reporting.demo_forms import school_values
from bilim.reporting.models import Assignment, Campaign, DataValue, Form, Submission

API = "/api/v1/reporting"


@pytest.fixture
def rdemo(demo):
    from bilim.reporting.demo import seed

    seed("small")
    demo.campaign = Campaign.objects.get(form__code="D-1")
    demo.school = demo.school_in(demo.esil)
    demo.assignment = Assignment.objects.get(campaign=demo.campaign, org_unit=demo.school)
    return demo


def client_for(demo, username, lang="en"):
    _token, secret = token_create(user=demo.user(username), name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=lang)


def put(client, url, body, **headers):
    return client.put(url, json.dumps(body), content_type="application/json", **headers)


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def test_school_system_fills_submits_and_district_accepts(rdemo):
    school = client_for(rdemo, "head.school")
    a = rdemo.assignment.pk
    mine = school.get(f"{API}/assignments").json()
    assert [x["id"] for x in mine] == [a] and mine[0]["effective_deadline"].endswith("23:59:59.999999+05:00")
    form = school.get(f"{API}/assignments/{a}/form").json()
    assert form["code"] == "D-1" and len(form["cells"]) == 69
    values = {k: (v if isinstance(v, bool) else str(v)) for k, v in school_values(random.Random(5)).items()}
    assert put(school, f"{API}/assignments/{a}/values", {"values": values}).json()["changed"] == len(values)
    check = school.get(f"{API}/assignments/{a}/check").json()
    assert check["ok"] and check["errors"] == []
    canonical = school.get(f"{API}/assignments/{a}/canonical").json()
    first = post(school, f"{API}/assignments/{a}/submit", {"head_name": "Ахметова С.", "head_confirmed": True}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and first.json()["digest"] == canonical["digest"]
    retry = post(school, f"{API}/assignments/{a}/submit", {"head_name": "Ахметова С.", "head_confirmed": True}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert retry.status_code == 201 and retry.json()["id"] == first.json()["id"]
    assert Submission.objects.filter(assignment_id=a).count() == 1
    district = client_for(rdemo, "district.esil")
    assert district.get(f"{API}/assignments/{a}").json()["can_review"] is True
    accepted = post(district, f"{API}/assignments/{a}/accept", {"comment": "OK"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    consolidated = district.get(f"{API}/campaigns/{rdemo.campaign.pk}/consolidated", {"unit": rdemo.esil.pk}).json()
    assert int(consolidated["values"]["r13c1"]) >= int(values["r13c1"])
    drill = district.get(f"{API}/campaigns/{rdemo.campaign.pk}/drill", {"unit": rdemo.esil.pk, "cell": "r13c1"}).json()
    assert {"org_unit_id": rdemo.school.pk, "value": values["r13c1"]}.items() <= next(r for r in drill if r["org_unit_id"] == rdemo.school.pk).items()
    completeness = district.get(f"{API}/campaigns/{rdemo.campaign.pk}/completeness").json()
    assert completeness["total"]["expected"] == 3


@pytest.mark.parametrize("body, field, code", [
    ({"values": {"r01c1": "many"}}, "r01c1", "invalid_values"),
    ({"values": {"r01c1": -1}}, "r01c1", "invalid_values"),
    ({"values": {"r01c9": 1}}, "r01c9", "invalid_values"),
    ({"values": {"r24c1": "perhaps"}}, "r24c1", "invalid_values"),
])
def test_bad_values_name_the_cell_in_the_callers_language(rdemo, body, field, code):
    for lang in ("kk", "ru", "en"):
        response = put(client_for(rdemo, "head.school", lang), f"{API}/assignments/{rdemo.assignment.pk}/values", body)
        assert response.status_code == 400 and response.json()["code"] == code
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not DataValue.objects.filter(assignment=rdemo.assignment).exists()


def test_submit_errors(rdemo):
    school = client_for(rdemo, "head.school")
    a = rdemo.assignment.pk
    empty = post(school, f"{API}/assignments/{a}/submit", {"head_name": "X", "head_confirmed": True})
    assert empty.status_code == 400 and empty.json()["code"] == "empty_report"
    put(school, f"{API}/assignments/{a}/values", {"values": {k: str(v) for k, v in school_values(random.Random(5)).items() if not isinstance(v, bool)}})
    unconfirmed = post(school, f"{API}/assignments/{a}/submit", {"head_name": "", "head_confirmed": False})
    assert unconfirmed.status_code == 400 and {e["field"] for e in unconfirmed.json()["errors"]} == {"head_name", "head_confirmed"}
    bad_signature = post(school, f"{API}/assignments/{a}/submit", {"head_name": "X", "head_confirmed": True, "signature": "%%%"})
    assert bad_signature.status_code == 400 and bad_signature.json()["code"] == "signature_malformed"
    garbage = post(school, f"{API}/assignments/{a}/submit", {"head_name": "X", "head_confirmed": True, "signature": "bm90IGEgc2lnbmF0dXJl"})
    assert garbage.status_code == 400 and garbage.json()["code"] == "signature_malformed"
    missing = post(school, f"{API}/assignments/{a}/submit", {"head_confirmed": True})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "head_name"
    assert not Submission.objects.filter(assignment_id=a).exists()
    ok = post(school, f"{API}/assignments/{a}/submit", {"head_name": "X", "head_confirmed": True})
    assert ok.status_code == 201
    twice = post(school, f"{API}/assignments/{a}/submit", {"head_name": "X", "head_confirmed": True})
    assert twice.status_code == 409 and twice.json()["code"] == "already_submitted"
    district = client_for(rdemo, "district.esil")
    no_comment = post(district, f"{API}/assignments/{a}/return", {"comment": ""})
    assert no_comment.status_code == 400 and no_comment.json()["errors"][0]["field"] == "comment"
    post(district, f"{API}/assignments/{a}/accept")
    correction = post(school, f"{API}/assignments/{a}/submit", {"head_name": "X", "head_confirmed": True})
    assert correction.status_code == 400 and correction.json()["errors"][0]["field"] == "correction_reason"


def endpoints(demo):
    a = demo.assignment.pk
    c = demo.campaign.pk
    return [
        ("get", f"{API}/assignments/{a}", None), ("get", f"{API}/assignments/{a}/form", None),
        ("get", f"{API}/assignments/{a}/values", None), ("put", f"{API}/assignments/{a}/values", {"values": {"r01c1": 1}}),
        ("get", f"{API}/assignments/{a}/check", None), ("get", f"{API}/assignments/{a}/canonical", None),
        ("post", f"{API}/assignments/{a}/submit", {"head_name": "X", "head_confirmed": True}),
        ("get", f"{API}/assignments/{a}/submissions", None), ("post", f"{API}/assignments/{a}/accept", {}),
        ("post", f"{API}/assignments/{a}/return", {"comment": "x"}),
        ("post", f"{API}/assignments/{a}/extension", {"until": "2026-12-31", "reason": "x"}),
        ("get", f"{API}/campaigns/{c}/completeness?unit={demo.esil.pk}", None),
        ("get", f"{API}/campaigns/{c}/consolidated?unit={demo.esil.pk}", None),
        ("get", f"{API}/campaigns/{c}/drill?unit={demo.esil.pk}&cell=r13c1", None),
        ("post", f"{API}/campaigns/{c}/distribute", None),
        ("post", f"{API}/forms/{demo.campaign.form_id}/clone", {"year": "2030-2031"}),
        ("post", f"{API}/forms/{demo.campaign.form_id}/approve", {"order_number": "1", "order_date": "2026-01-05"}),
    ]


def test_another_districts_officer_gets_404_everywhere(rdemo):
    other = client_for(rdemo, "district.saryarka")
    for method, url, body in endpoints(rdemo):
        if method == "get":
            response = other.get(url)
        else:
            response = getattr(other, method)(url, json.dumps(body or {}), content_type="application/json")
        assert response.status_code == 404, (method, url, response.status_code, response.content[:200])
        assert response.json()["code"] == "not_found"
    assert Submission.objects.filter(assignment=rdemo.assignment).count() == 0


def test_a_parent_of_the_same_school_cannot_see_its_report(rdemo):
    parent = client_for(rdemo, "parent")
    assert parent.get(f"{API}/assignments/{rdemo.assignment.pk}").json()["can_submit"] is False
    assert put(parent, f"{API}/assignments/{rdemo.assignment.pk}/values", {"values": {"r01c1": 1}}).status_code == 404


def test_ministry_sends_an_adhoc_request_to_filtered_participants(rdemo):
    ministry = client_for(rdemo, "ministry")
    definition = {
        "code": "Q-HEAT", "year": "2026-2027", "name_kk": "Жылыту маусымына дайындық", "name_ru": "Готовность к отопительному сезону",
        "columns": [{"code": "1", "name_kk": "Мәні", "name_ru": "Значение"}],
        "sections": [{"code": "1", "name_kk": "Дайындық", "name_ru": "Готовность", "rows": [
            {"code": "01", "indicator": "SEATS", "name_kk": "Орын", "name_ru": "Мест"},
            {"code": "02", "indicator": "INTERNET", "name_kk": "Интернет", "name_ru": "Интернет"},
        ]}],
    }
    created = post(ministry, f"{API}/forms", {"owner_id": rdemo.republic.pk, "definition": definition})
    assert created.status_code == 201, created.content
    form_id = created.json()["id"]
    assert post(ministry, f"{API}/forms/{form_id}/approve", {"order_number": "№ 15-ш", "order_date": "2026-11-20"}).status_code == 200
    bad = post(ministry, f"{API}/campaigns", {"form_id": form_id, "owner_id": rdemo.republic.pk, "kind": "regular", "period": "2026-11",
                                              "name_kk": "С", "name_ru": "З", "deadline_organization": "2026-11-27",
                                              "participants": {"level": 2}})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "participants"
    campaign = post(ministry, f"{API}/campaigns", {
        "form_id": form_id, "owner_id": rdemo.republic.pk, "kind": "adhoc", "period": "2026-11", "name_kk": "Жылыту", "name_ru": "Отопление",
        "deadline_organization": "2026-11-28", "participants": {"level": 3, "kinds": ["school"], "area_type": "rural"},
    })
    assert campaign.status_code == 201, campaign.content
    distributed = post(ministry, f"{API}/campaigns/{campaign.json()['id']}/distribute")
    rural_schools = rdemo.republic.__class__.objects.filter(level=3, kind="school", area_type="rural").count()
    assert distributed.status_code == 200 and distributed.json()["assignments"] == rural_schools
    adhoc = Campaign.objects.get(pk=campaign.json()["id"])
    assert set(Assignment.objects.filter(campaign=adhoc).values_list("level", flat=True)) == {3}
    assert date.fromisoformat("2026-11-28") == Assignment.objects.filter(campaign=adhoc).first().due_date
    # districts asked directly enter their own answer
    to_districts = post(ministry, f"{API}/campaigns", {
        "form_id": form_id, "owner_id": rdemo.republic.pk, "kind": "adhoc", "period": "2026-12", "name_kk": "Аудандар", "name_ru": "Районы",
        "deadline_organization": "2026-12-04", "participants": {"level": 2}})
    post(ministry, f"{API}/campaigns/{to_districts.json()['id']}/distribute")
    esil = Assignment.objects.get(campaign_id=to_districts.json()["id"], org_unit=rdemo.esil)
    assert esil.entered is True
    officer = client_for(rdemo, "district.esil")
    assert put(officer, f"{API}/assignments/{esil.pk}/values", {"values": {"r01c1": 120, "r02c1": True}}).status_code == 200
    assert post(officer, f"{API}/assignments/{esil.pk}/submit", {"head_name": "Омарова", "head_confirmed": True}).status_code == 201
    assert post(client_for(rdemo, "region.astana"), f"{API}/assignments/{esil.pk}/accept").status_code == 200


def test_only_designers_create_forms(rdemo):
    district = client_for(rdemo, "district.esil")
    response = post(district, f"{API}/forms", {"owner_id": rdemo.republic.pk, "definition": {"code": "X"}})
    assert response.status_code == 404
    assert not Form.objects.filter(code="X").exists()
