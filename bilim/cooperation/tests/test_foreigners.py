"""The registry of foreigners through its services (C5, C6): the complete questionnaire is stored with
the consent; the special categories are not readable in the table without the key and never reach
the audit log in clear; every bad input of the issue gets its own localized message on its field and
nothing is saved in part (no row, no audit record, no file); updates, departures and the photo."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation
from django.utils.text import capfirst

from bilim.core.errors import DomainError
from bilim.core.models import AuditLog
from bilim.cooperation import questionnaire as q
from bilim.cooperation import services
from bilim.cooperation.models import Foreigner

from .conftest import SPECIAL_VALUES, png, questionnaire, register


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (their source); the default language is Kazakh."""
    with translation.override("en"):
        yield


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_register_stores_the_complete_questionnaire_and_the_consent(coop):
    f = services.foreigner_register(org_unit=coop.enu, data=questionnaire(), photo=upload(png()), by=coop.officer)
    f = Foreigner.objects.get(pk=f.pk)
    assert (f.surname_latin, f.given_names_latin, f.last_name) == ("NURLANULY", "ASKAR", "Нұрланұлы")
    assert f.passport_number == "E1234567" and f.citizenship == "MN" and not f.is_cis and f.is_diaspora
    assert (f.nationality, f.religion, f.memberships) == SPECIAL_VALUES[:3]
    assert [r["relation"] for r in f.relatives] == ["father", "mother", "brother"] and f.relatives[0]["full_name"] == SPECIAL_VALUES[3]
    assert f.education[0]["types"] == ["state", "secular"] and f.education[0]["year_to"] == 2022
    assert [lang["language"] for lang in f.languages] == ["kk", "mn"]
    assert f.activities[0]["date_from"] == "2022-09-01" and f.activities[1]["date_to"] is None
    assert f.reasons == ["quality", "relatives", "other"] and f.reason_other == "тарихи отан"
    assert f.consent_version == q.CONSENT_VERSION and f.consent_recorded_by == coop.officer
    assert abs((timezone.now() - f.consent_at).total_seconds()) < 60
    assert f.photo.name.endswith(".jpg") and f.status() == "present" and f.purpose == "study"


def test_special_categories_are_not_readable_in_the_table_without_the_key(coop):
    f = register(coop)
    table = connection.ops.quote_name(Foreigner._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT surname_latin, nationality, religion, memberships, relatives FROM {table} WHERE id = %s", [f.pk])
        surname, *special = cursor.fetchone()
    assert surname == "NURLANULY"  # ordinary columns are plain…
    for stored in special:
        assert stored.startswith("fc1$")
        for plain in (*SPECIAL_VALUES, "Ұйғыр", "Буддизм", "father", "1975"):
            assert plain not in stored  # …the special categories are not


def test_the_audit_never_holds_the_special_categories(coop):
    f = register(coop)
    services.foreigner_update(foreigner=f, data=questionnaire(passport_number="E1000000", religion="Ислам"), by=coop.officer)
    rows = AuditLog.objects.filter(object_type="cooperation.foreigner", object_id=str(f.pk)).order_by("pk")
    assert [r.action for r in rows] == ["cooperation.foreigner.create", "cooperation.foreigner.update"]
    text = json.dumps([r.before for r in rows] + [r.after for r in rows], ensure_ascii=False)
    for plain in (*SPECIAL_VALUES, "Ислам"):
        assert plain not in text
    assert rows[1].after["special_changed"] == ["religion"]
    assert set(rows[0].after["special_given"]) == {"nationality", "religion", "memberships", "relatives"}


# --- bad input: one message on the field, nothing saved ---------------------------------------------------

def refused(coop, *, photo=None, **changes) -> dict[str, str]:
    before = (Foreigner.objects.count(), AuditLog.objects.count())
    with pytest.raises(DomainError) as caught:
        services.foreigner_register(org_unit=coop.enu, data=questionnaire(**changes), photo=photo, by=coop.officer)
    assert caught.value.code == "invalid_questionnaire" and caught.value.status == 400
    assert (Foreigner.objects.count(), AuditLog.objects.count()) == before  # nothing saved in part
    return caught.value.fields


def test_birth_date_and_a_relatives_birth_year_in_the_future(coop):
    tomorrow = timezone.localdate() + timedelta(days=1)
    errors = refused(coop, birth_date=tomorrow)
    assert errors["birth_date"] == "Date of birth cannot be in the future."
    relatives = questionnaire()["relatives"]
    relatives[1] = {**relatives[1], "birth_year": timezone.localdate().year + 1}
    errors = refused(coop, relatives=relatives)
    assert errors == {"relatives[1].birth_year": "Relative's year of birth cannot be in the future."}


def test_end_before_start_in_every_period(coop):
    base = questionnaire()
    education = [{**base["education"][0], "year_from": 2015, "year_to": 2012}]
    activities = [{**base["activities"][0], "date_from": date(2023, 6, 1), "date_to": date(2023, 1, 1)}]
    arrival = base["arrival_date"]
    errors = refused(coop, education=education, activities=activities, passport_issued_on=date(2022, 5, 10),
                     passport_expires_on=date(2021, 1, 1), expected_end_date=arrival - timedelta(days=1))
    assert errors["education[0].year_to"] == "Last year of study cannot be earlier than first year of study."
    assert errors["activities[0].date_to"] == "End of the period cannot be earlier than start of the period."
    assert errors["passport_expires_on"] == "Passport valid until cannot be earlier than passport issued on."
    assert errors["expected_end_date"] == "Expected end of the stay cannot be earlier than date of arrival."


def test_the_same_person_twice(coop):
    register(coop, 1)
    errors = refused(coop, passport_number="e 1000001")  # the same number typed differently, the same citizenship
    assert list(errors) == ["passport_number"]
    assert "already registered in this organization" in errors["passport_number"]
    # the same number of another country is another person
    other = register(coop, 1, citizenship="KG", birth_country="KG")
    assert other.passport_number == "E1000001"


@pytest.mark.parametrize("ranks, message", [
    ({"quality": 1, "relatives": 3}, "Reasons for coming: the ranks must be 1, 2, 3… without gaps; 2 is missing."),
    ({"quality": 1, "relatives": 1, "contract": 2}, "Reasons for coming: each rank may be given once; 1 is repeated."),
    ({}, "Reasons for coming: rank at least one reason (1 for the most important)."),
])
def test_a_ranking_of_reasons_with_gaps_or_repeats(coop, ranks, message):
    assert refused(coop, reasons=ranks) == {"reasons": message}


def test_other_reason_needs_its_text(coop):
    assert refused(coop, reason_other="") == {"reason_other": "Other reason: fill this in."}


def test_a_questionnaire_without_the_acknowledgement_or_signature(coop):
    errors = refused(coop, acknowledged=False)
    assert list(errors) == ["acknowledged"] and errors["acknowledged"].startswith("Item 17:")
    assert list(refused(coop, signed=False)) == ["signed"]
    assert refused(coop, acknowledged_on=None) == {"acknowledged_on": "Date of the acknowledgement: fill this in."}


def test_a_photo_that_is_not_an_image(coop, media):
    errors = refused(coop, photo=upload(b"%PDF-1.7 not an image at all", "photo.jpg", "image/jpeg"))
    assert errors == {"photo": "Photo: the file is not an image; upload a JPEG or PNG photo."}
    assert not list(media.rglob("*.jpg"))  # no file left behind
    assert "too small" in refused(coop, photo=upload(png(40, 50)))["photo"]


def test_without_consent_nothing_is_processed(coop):
    assert list(refused(coop, consent=False)) == ["consent"]


def test_messages_follow_the_users_language(coop):
    with translation.override("ru"):
        errors = refused(coop, birth_date=timezone.localdate() + timedelta(days=3))
        expected = capfirst(translation.gettext("%(field)s cannot be in the future.") % {"field": Foreigner._meta.get_field("birth_date").verbose_name})
    assert errors["birth_date"] == expected


def test_many_errors_are_reported_together(coop):
    errors = refused(coop, surname_latin="Нұрланұлы", last_name="Nurlanuly", sex="X", citizenship="KZ", phones="call me",
                     email="not-an-email", category="", course=9)
    assert set(errors) == {"surname_latin", "last_name", "sex", "citizenship", "phones", "email", "category", "course"}
    assert errors["citizenship"] == "Citizenship: a citizen of Kazakhstan is not a foreigner."


def test_bad_rows_name_their_row_and_field(coop):
    base = questionnaire()
    errors = refused(coop, languages=[*base["languages"], {"language": "kk", "spoken": "good", "reading": "good", "writing": "x"}],
                     education=[{**base["education"][0], "types": []}])
    assert errors["languages[2].language"] == "Language: this language is already listed in row 1."
    assert errors["languages[2].writing"] == "Writing: choose one of the listed values."
    assert errors["education[0].types"] == "Type of the education organization: fill this in."


# --- writes allowed to the officer only ---------------------------------------------------------------

@pytest.mark.parametrize("who", ["head", "other_officer"])
def test_only_the_organizations_officer_registers(coop, who):
    with pytest.raises(DomainError) as caught:
        services.foreigner_register(org_unit=coop.enu, data=questionnaire(), by=getattr(coop, who))
    assert caught.value.status == 404


def test_update_replaces_the_answers(coop):
    f = register(coop)
    data = questionnaire(passport_number="E1000000", relatives=[], languages=[], reasons={"contract": 1}, reason_other="")
    saved = services.foreigner_update(foreigner=f, data=data, by=coop.officer)
    saved = Foreigner.objects.get(pk=saved.pk)
    assert saved.relatives == [] and saved.languages == [] and saved.reasons == ["contract"] and saved.reason_other == ""
    assert saved.consent_version == q.CONSENT_VERSION  # the consent stays as recorded


def test_departure(coop):
    f = register(coop)
    with pytest.raises(DomainError) as caught:
        services.foreigner_depart(foreigner=f, departure_date=f.arrival_date - timedelta(days=1), reason="completed", by=coop.officer)
    assert caught.value.fields == {"departure_date": "Date of departure cannot be earlier than date of arrival."}
    with pytest.raises(DomainError) as caught:
        services.foreigner_depart(foreigner=f, departure_date=timezone.localdate(), reason="other", note="", by=coop.officer)
    assert list(caught.value.fields) == ["departure_note"]
    services.foreigner_depart(foreigner=f, departure_date=timezone.localdate(), reason="transferred", by=coop.officer)
    assert Foreigner.objects.get(pk=f.pk).status() == "departed"


def test_photo_is_reencoded_without_its_metadata(coop):
    f = register(coop)
    saved = services.foreigner_photo_set(foreigner=f, upload=upload(png(1200, 1600, exif=True), "p.jpg", "image/jpeg"), by=coop.officer)
    from PIL import Image

    with saved.photo.open("rb") as handle:
        data = handle.read()
    assert b"CameraMaker-GPS-secret" not in data
    with Image.open(saved.photo.path) as image:
        assert image.format == "JPEG" and image.size == (600, 800)
    first = saved.photo.name
    again = services.foreigner_photo_set(foreigner=saved, upload=upload(png()), by=coop.officer)
    assert again.photo.name != first


def test_a_rank_beyond_the_number_of_reasons(coop):
    assert refused(coop, reasons={"quality": 1, "contract": 808583942}) == {
        "reasons.contract": "Reasons for coming: a rank is a whole number from 1 to 8."}
