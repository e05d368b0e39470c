"""The office's pages at the client level: the officer registers a foreigner through the multi-part
form (rows of relatives, education, languages, five years; the reasons' ranks; the photo), errors
come back on their fields and rows with nothing saved; the foreigner's page with who viewed it; the
printable questionnaire in kk and ru; the head reads without the special categories; officers above
see only figures; everyone outside gets 404 on every page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from bilim.core.models import AuditLog
from bilim.cooperation.models import Foreigner

from .conftest import SPECIAL_VALUES, png, questionnaire, register


def form_body(data: dict, photo: bytes | None = None) -> dict:
    """The POST body of the questionnaire form for ``data`` (the service's shape)."""
    body = {}
    for key, value in data.items():
        if key in ("relatives", "education", "languages", "activities", "reasons"):
            continue
        if isinstance(value, bool):
            if value:
                body[key] = "on"
        elif value is not None:
            body[key] = str(value)
    for code, rank in data["reasons"].items():
        body[f"rank_{code}"] = str(rank)
    for prefix in ("relatives", "education", "languages", "activities"):
        rows = data[prefix]
        body[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        body[f"{prefix}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            for key, value in row.items():
                if isinstance(value, list):
                    body[f"{prefix}-{i}-{key}"] = value
                elif value is not None:
                    body[f"{prefix}-{i}-{key}"] = str(value)
    if photo is not None:
        body["photo"] = io.BytesIO(photo)
        body["photo"].name = "photo.png"
    return body


def test_officer_registers_through_the_form(coop, client):
    client.force_login(coop.officer)
    assert client.get(f"/kk/cooperation/org/{coop.enu.pk}/foreigners/new/").status_code == 200
    response = client.post(f"/kk/cooperation/org/{coop.enu.pk}/foreigners/new/", form_body(questionnaire(), png()))
    f = Foreigner.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/kk/cooperation/foreigners/{f.pk}/"
    assert [r["relation"] for r in f.relatives] == ["father", "mother", "brother"]
    assert f.education[0]["types"] == ["state", "secular"] and len(f.languages) == 2 and len(f.activities) == 2
    assert f.reasons == ["quality", "relatives", "other"] and f.photo
    page = client.get(f"/en/cooperation/foreigners/{f.pk}/").content.decode()
    for value in SPECIAL_VALUES:
        assert value in page
    assert 'id="trail-table"' in page and "registered" in page


def test_form_errors_come_back_on_their_fields_and_rows(coop, client):
    client.force_login(coop.officer)
    data = questionnaire(birth_date=timezone.localdate() + timedelta(days=2), reasons={"quality": 1, "contract": 3}, acknowledged=False)
    data["relatives"][2]["birth_year"] = timezone.localdate().year + 1
    data["activities"][0]["date_to"] = data["activities"][0]["date_from"] - timedelta(days=10)
    response = client.post(f"/en/cooperation/org/{coop.enu.pk}/foreigners/new/", form_body(data, b"not an image"))
    assert response.status_code == 200 and not Foreigner.objects.exists()
    form = response.context["form"]
    assert form.errors["birth_date"] == ["Date of birth cannot be in the future."]
    assert form.errors["photo"] == ["Photo: the file is not an image; upload a JPEG or PNG photo."]
    assert form.errors["acknowledged"][0].startswith("Item 17")
    assert response.context["sections"]["reasons"].endswith("2 is missing.")
    relatives = response.context["formsets"]["relatives"]
    assert relatives.forms[2].errors["birth_year"] == ["Relative's year of birth cannot be in the future."]
    assert response.context["formsets"]["activities"].forms[0].errors["date_to"] == [
        "End of the period cannot be earlier than start of the period."]
    body = response.content.decode()
    assert 'id="form-errors"' in body and "2 is missing." in body


def test_deleted_and_empty_rows_are_skipped(coop, client):
    client.force_login(coop.officer)
    body = form_body(questionnaire())
    body["relatives-2-DELETE"] = "on"  # the brother's row removed in the page
    body["education-TOTAL_FORMS"] = "2"  # an added row left empty
    response = client.post(f"/en/cooperation/org/{coop.enu.pk}/foreigners/new/", body)
    assert response.status_code == 302
    f = Foreigner.objects.get()
    assert len(f.relatives) == 2 and len(f.education) == 1


def test_edit_keeps_the_rows_and_saves_changes(coop, client):
    f = register(coop)
    client.force_login(coop.officer)
    page = client.get(f"/en/cooperation/foreigners/{f.pk}/edit/")
    assert page.status_code == 200 and page.context["formsets"]["relatives"].total_form_count() == 3
    assert AuditLog.objects.filter(action="cooperation.foreigner.view", object_id=str(f.pk), after__channel="edit").exists()
    body = form_body(questionnaire(passport_number="E1000000", religion="Ислам"))
    del body["consent"]
    response = client.post(f"/en/cooperation/foreigners/{f.pk}/edit/", body)
    assert response.status_code == 302 and Foreigner.objects.get(pk=f.pk).religion == "Ислам"


def test_departure_from_the_page(coop, client):
    f = register(coop)
    client.force_login(coop.officer)
    response = client.post(f"/en/cooperation/foreigners/{f.pk}/departure/", {
        "departure_date": timezone.localdate().isoformat(), "departure_reason": "completed"})
    assert response.status_code == 302 and Foreigner.objects.get(pk=f.pk).departure_date == timezone.localdate()


def test_the_printable_questionnaire_in_kk_and_ru(coop, client):
    from pypdf import PdfReader

    f = register(coop)
    client.force_login(coop.officer)
    for lang, words in (("kk", ["1-қосымша", "сауалнамасы", "Тегі", "Әкесінің аты", "Ұлты", "Діні", "Туыстары туралы мәлімет",
                                "Әкесі", "жіберген мемлекет", "Қолы", "таныстым", "мемлекеттік, зайырлы"]),
                        ("ru", ["Приложение 1", "Анкета", "Фамилия", "Отчество", "Национальность", "Вероисповедание",
                                "Сведения о родственниках", "Отец", "направление государства", "Подпись", "ознакомлен",
                                "государственная, светская"])):
        response = client.get(f"/en/cooperation/foreigners/{f.pk}/questionnaire-{lang}.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        text = " ".join(text.split())
        for word in words + [SPECIAL_VALUES[0], SPECIAL_VALUES[3], "Нұрланұлы", "1975", "Өлгий қаласының № 5 мектебі"]:
            assert word in text, (lang, word)
    channels = set(AuditLog.objects.filter(action="cooperation.foreigner.view", object_id=str(f.pk)).values_list("after__channel", flat=True))
    assert channels == {"pdf-kk", "pdf-ru"}
    assert client.get(f"/en/cooperation/foreigners/{f.pk}/questionnaire-en.pdf").status_code == 404


def test_the_head_reads_without_the_special_categories(coop, client):
    f = register(coop)
    client.force_login(coop.head)
    registry = client.get(f"/en/cooperation/org/{coop.enu.pk}/foreigners/")
    assert registry.status_code == 200 and "NURLANULY" in registry.content.decode()
    page = client.get(f"/en/cooperation/foreigners/{f.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="special-hidden"' in body and "NURLANULY" in body
    for value in SPECIAL_VALUES:
        assert value not in body
    assert 'id="trail"' not in body and "questionnaire-kk.pdf" not in body
    for url in (f"/en/cooperation/foreigners/{f.pk}/questionnaire-kk.pdf", f"/en/cooperation/foreigners/{f.pk}/edit/",
                f"/en/cooperation/org/{coop.enu.pk}/foreigners/new/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/en/cooperation/foreigners/{f.pk}/departure/", {}).status_code == 404
    view = AuditLog.objects.filter(action="cooperation.foreigner.view", actor=coop.head).get()
    assert view.after == {"channel": "page", "special": False}
    # the officer sees who viewed, when
    client.force_login(coop.officer)
    trail = client.get(f"/en/cooperation/foreigners/{f.pk}/").context["trail"]
    assert [(t.action, t.actor, t.special) for t in trail[:2]] == [("view", coop.officer.full_name, True),
                                                                   ("view", coop.head.full_name, False)]


OUTSIDERS = ["ministry", "region.astana", "district.esil", "district.saryarka", "teacher", "head.school", "student.enu",
             "librarian.enu", "admin"]


@pytest.mark.parametrize("username", OUTSIDERS + ["other_officer"])
def test_everyone_outside_the_organization_gets_404_on_every_page(coop, client, username):
    f = register(coop)
    user = coop.other_officer if username == "other_officer" else coop.user(username)
    client.force_login(user)
    unit = coop.enu.pk
    for url in (f"/en/cooperation/org/{unit}/", f"/en/cooperation/org/{unit}/office/edit/", f"/en/cooperation/org/{unit}/foreigners/",
                f"/en/cooperation/org/{unit}/foreigners/new/", f"/en/cooperation/foreigners/{f.pk}/",
                f"/en/cooperation/foreigners/{f.pk}/edit/", f"/en/cooperation/foreigners/{f.pk}/photo/",
                f"/en/cooperation/foreigners/{f.pk}/questionnaire-kk.pdf", f"/en/cooperation/foreigners/{f.pk}/questionnaire-ru.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/en/cooperation/foreigners/{f.pk}/departure/", {}).status_code == 404
    assert not AuditLog.objects.filter(action="cooperation.foreigner.view").exists()


def test_anonymous_users_are_sent_to_log_in(coop, client):
    f = register(coop)
    response = client.get(f"/en/cooperation/foreigners/{f.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_photo_is_served_to_the_office_and_the_head_only(coop, client):
    from bilim.cooperation import services
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = services.foreigner_register(org_unit=coop.enu, data=questionnaire(), by=coop.officer,
                                    photo=SimpleUploadedFile("p.png", png(), content_type="image/png"))
    for user in (coop.officer, coop.head):
        client.force_login(user)
        response = client.get(f"/en/cooperation/foreigners/{f.pk}/photo/")
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_statistics_for_the_ministry_region_and_district(coop, client):
    register(coop, 1)
    register(coop, 2, citizenship="KG", birth_country="KG", category="teacher", sex="F")
    register(coop, 3, org_unit=coop.kaznu, citizenship="CN", birth_country="CN", is_diaspora=False)
    client.force_login(coop.user("ministry"))
    response = client.get("/en/cooperation/statistics/")
    s = response.context["s"]
    assert response.status_code == 200 and s.total == 3 and s.cis == 1 and s.female == 1 and s.diaspora == 2
    assert {code: n for code, _name, n in s.by_country} == {"MN": 1, "KG": 1, "CN": 1}
    assert {code: n for code, _name, n in s.by_purpose} == {"study": 2, "work": 1}
    assert sorted(n for _u, n in s.children) == [1, 2]  # by region: Astana 2, Almaty 1
    body = response.content.decode()
    assert "NURLANULY" not in body and "Нұрланұлы" not in body  # no names
    client.force_login(coop.user("region.astana"))
    assert client.get("/en/cooperation/statistics/").context["s"].total == 2
    assert client.get("/en/cooperation/statistics/", {"unit": coop.kaznu.pk}).status_code == 404  # another region
    client.force_login(coop.user("district.esil"))  # ENU is in another district of Astana
    assert client.get("/en/cooperation/statistics/").context["s"].total == 0
    assert client.get("/en/cooperation/statistics/", {"unit": coop.enu.pk}).status_code == 404
    client.force_login(coop.other_officer)
    assert client.get("/en/cooperation/statistics/").context["s"].total == 1
    assert client.get("/en/cooperation/statistics/", {"unit": coop.enu.pk}).status_code == 404
    client.force_login(coop.user("teacher"))
    assert client.get("/en/cooperation/statistics/").status_code == 404


def test_organizations_needing_a_service_are_listed_for_the_ministry(coop, client):
    for n in range(10):
        register(coop, n)
    client.force_login(coop.user("ministry"))
    s = client.get("/en/cooperation/statistics/").context["s"]
    assert [(u.pk, n) for u, n in s.without_service] == [(coop.enu.pk, 10)]


def test_malformed_parameters_are_a_400_naming_them(coop, client):
    client.force_login(coop.officer)
    response = client.get(f"/en/cooperation/org/{coop.enu.pk}/foreigners/", {"status": "bogus"})
    assert response.status_code == 400 and response.content.decode().startswith("status:")
    assert client.get(f"/en/cooperation/org/{coop.enu.pk}/foreigners/", {"citizenship": "ZZZ"}).status_code == 400
    assert client.get("/en/cooperation/statistics/", {"on": "2026-13-45"}).content.decode().startswith("on:")
    assert client.get("/en/cooperation/statistics/", {"unit": "x"}).status_code == 400


def test_registry_search_filters_and_query_count(coop, client, django_assert_max_num_queries):
    register(coop, 1)
    register(coop, 2, surname_latin="Wang", given_names_latin="Lei", last_name="", first_name="", citizenship="CN", birth_country="CN")
    client.force_login(coop.officer)
    url = f"/en/cooperation/org/{coop.enu.pk}/foreigners/"
    names = lambda **p: [r["f"].surname_latin for r in client.get(url, p).context["rows"]]  # noqa: E731
    assert names() == ["NURLANULY", "WANG"]
    assert names(q="нұрланұлы") == ["NURLANULY"] and names(q="nurlanuly") == ["NURLANULY"] and names(q="E1000002") == ["WANG"]
    assert names(citizenship="CN") == ["WANG"] and names(category="teacher") == [] and names(status="departed") == []
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(3, 12):
        register(coop, n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_office_pages(coop, client):
    client.force_login(coop.head)
    assert client.get("/en/cooperation/").status_code == 302
    page = client.get(f"/en/cooperation/org/{coop.enu.pk}/")
    assert page.status_code == 200 and 'id="office-missing"' in page.content.decode()
    body = {"kind": "service", "name": "Халықаралық ынтымақтастық бөлімі", "order_number": "7-ж", "order_date": "2025-01-10",
            "staff-TOTAL_FORMS": "2", "staff-INITIAL_FORMS": "0",
            "staff-0-full_name": "Смағұлова Дина", "staff-0-position": "бастық", "staff-0-is_head": "on",
            "staff-1-full_name": "Әлиев Ернар", "staff-1-position": "инспектор"}
    assert client.post(f"/en/cooperation/org/{coop.enu.pk}/office/edit/", {**body, "staff-0-is_head": ""}).status_code == 200
    response = client.post(f"/en/cooperation/org/{coop.enu.pk}/office/edit/", body)
    assert response.status_code == 302
    page = client.get(f"/en/cooperation/org/{coop.enu.pk}/").content.decode()
    assert "Халықаралық ынтымақтастық бөлімі" in page and "Әлиев Ернар" in page
    client.force_login(coop.user("ministry"))
    assert client.get("/en/cooperation/").status_code == 302  # to the figures
