"""The REST API at /api/v1/: authentication (session and personal tokens), the caller's scope (404
outside it, on every endpoint), filters and pagination, the error shape and language, and the
deadline rule."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from bilim.core import paths
from bilim.core.models import ApiToken, OrgUnit
from bilim.core.services import token_create, token_revoke

API = "/api/v1"


def message_in(language: str, english: str) -> str:
    """What the catalogue says for ``english`` in ``language`` (the English text until translated)."""
    with translation.override(language):
        return gettext(english)


def subtree_ids(unit: OrgUnit) -> set[int]:
    return set(OrgUnit.objects.filter(path__gte=unit.path, path__lt=paths.upper(unit.path)).values_list("pk", flat=True))


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def logged_in(user) -> Client:
    """A client with the user's session (django-axes guards the password login: force_login)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def esil_officer(demo):
    return logged_in(demo.user("district.esil"))


@pytest.fixture
def ministry(demo):
    return logged_in(demo.user("ministry"))


def get_all(client, url: str, **params) -> dict:
    response = client.get(url, {"limit": 500, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"]), "more than one page: raise the limit of the test"
    return body


# --- authentication -------------------------------------------------------------------------------

def test_me_with_session(esil_officer, demo):
    response = esil_officer.get(f"{API}/me", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "district.esil"
    assert body["full_name"] == demo.user("district.esil").full_name
    assert body["primary_role"] == "district_officer"
    assert body["grants"] == [{
        "role": "district_officer", "role_name": message_in("en", "District officer"),
        "org_unit_id": demo.esil.pk, "org_unit_name": "Esil District",
    }]
    # Names of units follow the request's language.
    kk = esil_officer.get(f"{API}/me", headers={"Accept-Language": "kk"}).json()
    assert kk["grants"][0]["org_unit_name"] == "Есіл ауданы"
    assert kk["grants"][0]["role_name"] == message_in("kk", "District officer")


def test_me_with_token(demo, client):
    user = demo.user("ministry")
    token, secret = token_create(user=user, name="reports")
    assert token.last_used_at is None
    response = client.get(f"{API}/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json()["username"] == "ministry"
    assert response.json()["primary_role"] == "ministry_officer"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_me_without_credentials_is_401(demo, client):
    for language in ("en", "kk", "ru"):
        response = client.get(f"{API}/me", headers={"Accept-Language": language})
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"code": "unauthorized", "message": message_in(language, "Log in or send a valid API token.")}


@pytest.mark.parametrize("header", [
    "Bearer bilim_not-a-real-token",
    "Bearer not-even-our-prefix",
    "Bearer ",
    "Basic bWluaXN0cnk6cGFzc3dvcmQ=",
    "bilim_token-without-scheme",
])
def test_wrong_credentials_are_401(demo, client, header):
    response = client.get(f"{API}/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_revoked_token_is_401(demo, client):
    user = demo.user("district.esil")
    token, secret = token_create(user=user, name="revoke me")
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 200
    token_revoke(token=token, by=user)
    response = client.get(f"{API}/me", headers=bearer(secret))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_expired_token_is_401(demo, client):
    user = demo.user("district.esil")
    token, secret = token_create(user=user, name="short-lived", expires_at=timezone.now() + timedelta(hours=1))
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"{API}/me", headers=bearer(secret))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_token_of_deactivated_user_is_401(demo, client):
    user = demo.user("district.esil")
    _token, secret = token_create(user=user, name="leaver")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 401


def test_every_endpoint_needs_credentials(demo, client):
    for url in [f"{API}/me", f"{API}/org-units", f"{API}/org-units/{demo.esil.pk}",
                f"{API}/org-units/{demo.esil.pk}/children", f"{API}/org-units/{demo.esil.pk}/subtree",
                f"{API}/calendar/deadline?date=2025-01-03"]:
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (401, "unauthorized"), url


# --- the list of org units: scope, filters, pagination --------------------------------------------

def test_district_officer_lists_only_own_district(esil_officer, demo):
    body = get_all(esil_officer, f"{API}/org-units")
    assert {item["id"] for item in body["items"]} == subtree_ids(demo.esil)
    assert body["count"] == len(subtree_ids(demo.esil)) == 1 + OrgUnit.objects.filter(parent=demo.esil).count()
    assert demo.school_in(demo.saryarka).pk not in {item["id"] for item in body["items"]}
    first = body["items"][0]
    assert first["id"] == demo.esil.pk  # ordered by path: the district before its organizations
    assert first["level"] == 2 and first["kind"] == "district_authority" and first["kato"] == demo.esil.kato


def test_ministry_lists_the_whole_tree(ministry):
    assert get_all(ministry, f"{API}/org-units")["count"] == OrgUnit.objects.count()


@pytest.mark.parametrize("query", ["Есіл", "есіл ауданы", "Esil", "esil", "ESIL", "Esıl", "Есиль"])
def test_search_by_name_in_any_script(esil_officer, demo, query):
    ids = {item["id"] for item in get_all(esil_officer, f"{API}/org-units", q=query)["items"]}
    assert demo.esil.pk in ids
    assert ids <= subtree_ids(demo.esil)


def test_search_stays_inside_the_scope(esil_officer, ministry, demo):
    for query in ("Сарыарқа", "Saryarka", demo.saryarka.kato[:4]):
        assert get_all(esil_officer, f"{API}/org-units", q=query)["count"] == 0, query
    ids = {item["id"] for item in get_all(ministry, f"{API}/org-units", q="Сарыарқа")["items"]}
    assert demo.saryarka.pk in ids


def test_search_by_kato_prefix(ministry, demo):
    prefix = demo.esil.kato[:4]
    items = get_all(ministry, f"{API}/org-units", q=prefix)["items"]
    assert items and all(item["kato"].startswith(prefix) for item in items)
    assert {item["id"] for item in items} == subtree_ids(demo.esil)
    assert get_all(ministry, f"{API}/org-units", q=demo.esil.kato)["items"][0]["id"] == demo.esil.pk


@pytest.mark.parametrize("query", ["²", "٣", "１", "7" * 200])
def test_search_with_unusual_digits_does_not_fail(ministry, query):
    response = ministry.get(f"{API}/org-units", {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["items"], list)


def test_filter_by_level_kind_parent_and_active(esil_officer, ministry, demo):
    organizations = set(OrgUnit.objects.filter(parent=demo.esil).values_list("pk", flat=True))
    schools = set(OrgUnit.objects.filter(parent=demo.esil, kind="school").values_list("pk", flat=True))
    assert len(schools) == 3

    def ids(client, **params):
        return {item["id"] for item in get_all(client, f"{API}/org-units", **params)["items"]}

    assert ids(esil_officer, level=3) == organizations
    assert ids(esil_officer, level=2) == {demo.esil.pk}
    assert ids(esil_officer, level=1) == set()
    assert ids(esil_officer, kind="school") == schools
    assert ids(esil_officer, parent=demo.esil.pk) == subtree_ids(demo.esil)
    school = demo.school_in(demo.esil)
    assert ids(esil_officer, parent=school.pk) == {school.pk}
    assert ids(ministry, parent=demo.esil.parent_id, level=3, kind="school", q=demo.esil.kato[:4]) == schools
    assert ids(ministry, parent=demo.esil.parent_id, level=3, kind="school", q="School No. 1") == {
        pk for pk in OrgUnit.objects.filter(parent__parent=demo.esil.parent_id, kind="school", name_en__contains="School No. 1").values_list("pk", flat=True)
    }
    assert ids(ministry, parent=demo.esil.pk, level=3, kind="school") == schools

    OrgUnit.objects.filter(pk=school.pk).update(is_active=False)
    assert ids(esil_officer, active="false") == {school.pk}
    assert ids(esil_officer, active="true") == subtree_ids(demo.esil) - {school.pk}


def test_pagination(ministry):
    everything = get_all(ministry, f"{API}/org-units")
    total = everything["count"]
    assert total > 20
    all_ids = [item["id"] for item in everything["items"]]

    first = ministry.get(f"{API}/org-units").json()
    assert first["count"] == total and len(first["items"]) == min(total, 50)  # default page

    pages = []
    for offset in range(0, total, 7):
        page = ministry.get(f"{API}/org-units", {"limit": 7, "offset": offset}).json()
        assert page["count"] == total
        assert len(page["items"]) == min(7, total - offset)
        pages += [item["id"] for item in page["items"]]
    assert pages == all_ids

    beyond = ministry.get(f"{API}/org-units", {"limit": 7, "offset": total + 10}).json()
    assert beyond == {"items": [], "count": total}
    huge = ministry.get(f"{API}/org-units", {"offset": 2**62}).json()
    assert huge == {"items": [], "count": total}


def test_list_query_count_does_not_grow_with_the_page(ministry, django_assert_max_num_queries):
    for url in [f"{API}/org-units", f"{API}/org-units/{OrgUnit.objects.get(level=0).pk}/subtree",
                f"{API}/org-units/{OrgUnit.objects.get(level=0).pk}/children"]:
        with CaptureQueriesContext(connection) as one:
            assert ministry.get(url, {"limit": 1}).status_code == 200
        with django_assert_max_num_queries(len(one.captured_queries)):
            response = ministry.get(url, {"limit": 500})
        assert response.status_code == 200
        assert len(response.json()["items"]) == min(500, response.json()["count"])
        assert len(response.json()["items"]) > 10, url


# --- one unit, its children, its subtree ----------------------------------------------------------

def test_unit_detail(esil_officer, ministry, demo):
    body = esil_officer.get(f"{API}/org-units/{demo.esil.pk}", headers={"Accept-Language": "en"}).json()
    assert body["id"] == demo.esil.pk and body["name"] == "Esil District" and body["name_kk"] == "Есіл ауданы"
    assert body["level_name"] == message_in("en", "District or city")
    assert body["ancestors"] == []  # the region and the republic are outside the officer's scope
    assert body["child_count"] == OrgUnit.objects.filter(parent=demo.esil).count()

    school = demo.school_in(demo.esil)
    body = esil_officer.get(f"{API}/org-units/{school.pk}").json()
    assert [a["id"] for a in body["ancestors"]] == [demo.esil.pk]
    assert body["child_count"] == 0 and body["parent_id"] == demo.esil.pk and body["kind"] == "school"

    body = ministry.get(f"{API}/org-units/{school.pk}").json()
    assert [a["id"] for a in body["ancestors"]] == [demo.republic.pk, demo.esil.parent_id, demo.esil.pk]


def test_children_and_subtree(esil_officer, ministry, demo):
    children = get_all(esil_officer, f"{API}/org-units/{demo.esil.pk}/children")
    assert {item["id"] for item in children["items"]} == set(OrgUnit.objects.filter(parent=demo.esil).values_list("pk", flat=True))
    subtree = get_all(esil_officer, f"{API}/org-units/{demo.esil.pk}/subtree")
    assert {item["id"] for item in subtree["items"]} == subtree_ids(demo.esil)
    assert subtree["items"][0]["id"] == demo.esil.pk

    region = demo.esil.parent
    children = get_all(ministry, f"{API}/org-units/{region.pk}/children")
    assert {item["id"] for item in children["items"]} == set(OrgUnit.objects.filter(parent=region).values_list("pk", flat=True))
    assert get_all(ministry, f"{API}/org-units/{region.pk}/subtree")["count"] == len(subtree_ids(region))


OUT_OF_SCOPE_URLS = [
    "/org-units/{id}",
    "/org-units/{id}/children",
    "/org-units/{id}/subtree",
    "/org-units?parent={id}",
    "/org-units?parent={id}&level=3&kind=school",
]


@pytest.mark.parametrize("template", OUT_OF_SCOPE_URLS)
@pytest.mark.parametrize("target", ["school in Saryarka", "Saryarka", "the region", "the republic", "no such unit"])
def test_other_districts_units_are_404_on_every_endpoint(esil_officer, demo, template, target):
    unit_id = {
        "school in Saryarka": lambda: demo.school_in(demo.saryarka).pk,
        "Saryarka": lambda: demo.saryarka.pk,
        "the region": lambda: demo.esil.parent_id,
        "the republic": lambda: demo.republic.pk,
        "no such unit": lambda: OrgUnit.objects.order_by("-pk").first().pk + 1000,
    }[target]()
    for language in ("en", "kk"):
        response = esil_officer.get(API + template.format(id=unit_id), headers={"Accept-Language": language})
        assert response.status_code == 404, response.content
        # The same answer whether the unit is someone else's or does not exist.
        assert response.json() == {"code": "not_found", "message": message_in(language, "Not found.")}


@pytest.mark.parametrize("template", OUT_OF_SCOPE_URLS)
def test_own_units_are_found_on_every_endpoint(esil_officer, demo, template):
    for unit in (demo.esil, demo.school_in(demo.esil)):
        assert esil_officer.get(API + template.format(id=unit.pk)).status_code == 200


# --- validation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url, fields", [
    ("/org-units?level=9", ["level"]),
    ("/org-units?level=-1", ["level"]),
    ("/org-units?level=two", ["level"]),
    ("/org-units?limit=-1", ["limit"]),
    ("/org-units?limit=0", ["limit"]),
    ("/org-units?limit=501", ["limit"]),
    ("/org-units?offset=-1", ["offset"]),
    (f"/org-units?offset={2**62 + 1}", ["offset"]),
    ("/org-units?offset=100000000000000000000000", ["offset"]),
    ("/org-units?q=" + "x" * 201, ["q"]),
    ("/org-units?q=%D0%95%00%D1%81", ["q"]),  # a NUL byte: PostgreSQL text cannot hold it
    ("/org-units?kind=castle", ["kind"]),
    ("/org-units?parent=0", ["parent"]),
    ("/org-units?parent=abc", ["parent"]),
    ("/org-units?active=maybe", ["active"]),
    ("/org-units?level=9&limit=-1&q=" + "x" * 201, ["q", "level", "limit"]),
    ("/org-units/0", ["unit_id"]),
    ("/org-units/0/children", ["unit_id"]),
    ("/org-units/0/subtree", ["unit_id"]),
    ("/org-units/-5", ["unit_id"]),
    ("/org-units/abc", ["unit_id"]),
    (f"/org-units/{2**62 + 1}", ["unit_id"]),
    ("/org-units/1/children?limit=-1", ["limit"]),
    ("/org-units/1/subtree?offset=-1", ["offset"]),
    ("/calendar/deadline", ["date"]),
    ("/calendar/deadline?date=2025-13-01", ["date"]),
    ("/calendar/deadline?date=03.01.2025", ["date"]),
    ("/calendar/deadline?date=tomorrow", ["date"]),
])
def test_validation_errors_are_422_with_the_field(esil_officer, url, fields):
    response = esil_officer.get(API + url, headers={"Accept-Language": "en"})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"] == "The request has errors."
    assert sorted(error["field"] for error in body["errors"]) == sorted(fields)
    assert all(error["message"] for error in body["errors"])


def test_validation_messages_follow_the_language(esil_officer):
    for language in ("kk", "ru", "en"):
        response = esil_officer.get(f"{API}/org-units?level=9&limit=-1", headers={"Accept-Language": language})
        body = response.json()
        assert body["message"] == message_in(language, "The request has errors.")
        assert {(e["field"], e["message"]) for e in body["errors"]} == {
            ("level", message_in(language, "The value is too large.")),
            ("limit", message_in(language, "The value is too small.")),
        }
    english = esil_officer.get(f"{API}/org-units?level=9", headers={"Accept-Language": "en"}).json()
    kazakh = esil_officer.get(f"{API}/org-units?level=9", headers={"Accept-Language": "kk"}).json()
    if message_in("kk", "The request has errors.") != "The request has errors.":  # once translated
        assert english["message"] != kazakh["message"]


# --- the deadline rule ----------------------------------------------------------------------------

@pytest.mark.parametrize("day, deadline, working_day", [
    # Friday 3 January 2025 was a day off, moved to Sunday 5 January (a working day instead).
    ("2025-01-03", "2025-01-05T23:59:59.999999+05:00", False),
    # Nauryz 21–23 March 2026; the 21st and 22nd fall on a weekend, so the 24th and 25th are off too.
    ("2026-03-21", "2026-03-26T23:59:59.999999+05:00", False),
    ("2025-01-06", "2025-01-06T23:59:59.999999+05:00", True),  # an ordinary Monday
    ("2025-01-05", "2025-01-05T23:59:59.999999+05:00", True),  # the Sunday that was a working day
    ("1992-01-01", None, False),
    ("2100-12-31", None, True),
])
def test_deadline(esil_officer, day, deadline, working_day):
    response = esil_officer.get(f"{API}/calendar/deadline", {"date": day})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["date"] == day
    assert body["working_day"] is working_day
    if deadline is not None:
        assert body["deadline"] == deadline
    assert body["deadline"].endswith("T23:59:59.999999+05:00")
    assert body["moved"] is (body["deadline"][:10] != day)


@pytest.mark.parametrize("day", ["1800-01-01", "1991-12-31", "2101-01-01", "9999-12-31", "0001-01-01"])
def test_deadline_outside_the_calendar_is_400(esil_officer, day):
    for language in ("en", "kk"):
        response = esil_officer.get(f"{API}/calendar/deadline", {"date": day}, headers={"Accept-Language": language})
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid_date",
            "message": message_in(language, "The date is outside the calendar."),
            "errors": [{"field": "date", "message": message_in(language, "Choose a year from 1992 to 2100.")}],
        }


@pytest.mark.parametrize("method, path, status, code", [
    ("get", "/api/v1/nope", 404, "not_found"),
    ("get", "/api/v1/me/", 404, "not_found"),
    ("post", "/api/v1/me", 405, "method_not_allowed"),
    ("delete", "/api/v1/org-units", 405, "method_not_allowed"),
])
def test_unknown_paths_and_methods_answer_json(ministry, method, path, status, code):
    response = getattr(ministry, method)(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == code
    if status == 405:
        assert "GET" in response["Allow"]
