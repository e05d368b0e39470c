"""Pages: the role home pages, the org tree browser (scope → 404, search, no N+1), the calendar page."""

import pytest

from bilim.core.models import CalendarOverride, Level, OrgUnit


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_landing_in_each_language(db, client, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()


def test_root_redirects_to_a_language(db, client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 302 and response.url == "/ru/"


@pytest.mark.parametrize(
    "username, role",
    [("admin", "sysadmin"), ("ministry", "ministry_officer"), ("region.astana", "region_officer"),
     ("district.esil", "district_officer"), ("head.school", "org_head"), ("head.enu", "org_head"), ("teacher", "teacher"), ("parent", "parent"),
     ("intl.enu", "international_officer"), ("librarian.enu", "librarian"), ("student.enu", "student"),
     ("subscriber.kaznu", "subscriber")],
)
def test_each_role_has_its_home(demo, client, username, role):
    client.force_login(demo.user(username))
    response = client.get("/kk/")
    assert response.status_code == 200
    assert f'data-role="{role}"' in response.content.decode()


def test_ministry_home_counts_the_country(demo, client):
    client.force_login(demo.user("ministry"))
    summary = client.get("/en/").context["summary"]
    assert summary.regions == 20
    assert summary.organizations == OrgUnit.objects.filter(level=Level.ORGANIZATION).count()


def test_org_browser_outside_scope_is_404(demo, client):
    client.force_login(demo.user("district.esil"))
    assert client.get(f"/en/org/{demo.school_in(demo.esil).pk}/").status_code == 200
    assert client.get(f"/en/org/{demo.school_in(demo.saryarka).pk}/").status_code == 404
    assert client.get(f"/en/org/{demo.saryarka.pk}/").status_code == 404
    assert client.get(f"/en/org/{demo.esil.parent_id}/").status_code == 404  # the region above
    assert client.get(f"/en/org/{demo.saryarka.pk}/?q=school").status_code == 404
    assert client.get("/en/org/999999/").status_code == 404


def test_org_browser_needs_login(db, client):
    response = client.get("/en/org/")
    assert response.status_code == 302 and "/en/accounts/login/" in response.url


def test_breadcrumbs_stop_at_the_scope(demo, client):
    client.force_login(demo.user("district.esil"))
    school = demo.school_in(demo.esil)
    crumbs = client.get(f"/en/org/{school.pk}/").context["breadcrumbs"]
    assert [c.pk for c in crumbs] == [demo.esil.pk]


@pytest.mark.parametrize("query", ["Есіл", "есіл", "ЕСІЛ", "Esil", "esil", "Esіl", "Есиль"])
def test_search_by_name_in_any_script(demo, client, query):
    client.force_login(demo.user("region.astana"))
    response = client.get("/en/org/", {"q": query})
    names = [unit.name_kk for unit in response.context["page"]]
    assert "Есіл ауданы" in names, query


def test_search_by_kato_prefix_stays_in_scope(demo, client):
    client.force_login(demo.user("district.esil"))
    school = demo.school_in(demo.saryarka)
    response = client.get("/en/org/", {"q": school.kato})
    assert school not in list(response.context["page"])
    own = demo.school_in(demo.esil)
    assert own in list(client.get("/en/org/", {"q": own.kato}).context["page"])


def test_search_filters_and_bad_filters(demo, client):
    client.force_login(demo.user("ministry"))
    response = client.get("/en/org/", {"level": "1"})
    assert response.context["page"].paginator.count == 20
    bad = client.get("/en/org/", {"level": "9", "kind": "castle"})
    assert bad.status_code == 200 and bad.context["errors"] == ["Unknown level.", "Unknown organization kind."]


def test_htmx_search_returns_the_fragment(demo, client):
    client.force_login(demo.user("ministry"))
    response = client.get("/en/org/", {"q": "Астана"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="units"' in body


def test_list_pages_do_not_grow_queries_with_rows(demo, client, django_assert_max_num_queries):
    client.force_login(demo.user("ministry"))
    republic = demo.republic
    with django_assert_max_num_queries(14):
        client.get(f"/en/org/{republic.pk}/")
    with django_assert_max_num_queries(14):
        client.get("/en/org/", {"level": "3"})


def test_calendar_page_and_moved_day_form(demo, client):
    client.force_login(demo.user("district.esil"))
    response = client.get("/en/calendar/", {"year": "2026", "date": "2026-03-21"})
    assert response.status_code == 200 and response.context["deadline"]["effective"].day == 26
    assert response.context["form"] is None
    assert client.post("/en/calendar/", {"date": "2026-07-03", "kind": "day_off", "reason": "x"}).status_code == 403
    client.force_login(demo.user("admin"))
    bad = client.post("/en/calendar/", {"date": "", "kind": "holiday", "reason": ""})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"date", "kind", "reason"}
    ok = client.post("/en/calendar/", {"date": "2026-07-03", "kind": "day_off", "reason": "Decree (test)"})
    assert ok.status_code == 302 and CalendarOverride.objects.filter(kind="day_off").count() == 1


@pytest.mark.parametrize("params", [{"q": "²"}, {"q": "a\x00b"}, {"level": "²"}, {"level": "٣"}])
def test_org_browser_survives_odd_input(demo, client, params):
    client.force_login(demo.user("ministry"))
    assert client.get("/en/org/", params).status_code == 200


def test_api_docs_are_served_without_a_cdn(db, client):
    body = client.get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr" not in body and "/static/ninja/" in body
