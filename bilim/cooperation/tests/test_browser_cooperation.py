"""The issue's browser test, in a real headless Chromium against the live server: the international
officer of ENU logs in, registers a foreigner with the full questionnaire through the page (photo;
rows of relatives, education, languages and the last five years added with the page's buttons; the
reasons ranked — first with a gap, refused next to the ranking with nothing saved, then right),
prints the questionnaire (the PDF responses in kk and ru); a district officer and a ministry officer
cannot open the foreigner nor the PDF (404); back as the officer, the audit on the foreigner's page
shows the officer's views. Screenshots of every page go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bilim.conftest import ARTIFACTS, screenshot
from bilim.cooperation.models import Foreigner

from .conftest import SPECIAL_VALUES, png

pytestmark = pytest.mark.browser


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/kk/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Bilim-demo-2026")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1#home-title")).to_be_visible()


def fill_row(page, prefix: str, index: int, values: dict) -> None:
    for key, value in values.items():
        selector = f"#id_{prefix}-{index}-{key}"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def test_officer_registers_prints_and_the_audit_shows_the_views(live_server, coop, page, tmp_path):
    base = live_server.url
    today = timezone.localdate()
    arrival = today - timedelta(days=30)
    photo = tmp_path / "photo.png"
    photo.write_bytes(png())

    log_in(page, base, "intl.enu")
    card = page.locator(f".cooperation-office[data-unit='{coop.enu.pk}']")
    expect(card).to_be_visible()
    screenshot(page, "cooperation-home-officer")
    card.locator(f"a[href$='/cooperation/org/{coop.enu.pk}/foreigners/']").click()
    expect(page.locator("#registry-title")).to_be_visible()
    page.locator("#register-link").click()
    expect(page.locator("#questionnaire")).to_be_visible()

    # identity, passport, special categories, address and family
    page.set_input_files("#id_photo", str(photo))
    for field, value in {"surname_latin": "Nurlanuly", "given_names_latin": "Askar", "last_name": "Нұрланұлы", "first_name": "Асқар",
                         "birth_date": "2004-03-15", "birth_place": "Баян-Өлгий, Өлгий", "passport_number": "E1234567",
                         "passport_issued_on": "2022-05-10", "passport_expires_on": "2032-05-09",
                         "nationality": SPECIAL_VALUES[0], "religion": SPECIAL_VALUES[1], "memberships": SPECIAL_VALUES[2],
                         "permanent_address": "Өлгий қ., 5-шағынаудан, 12", "phones": "+976 9911 2233",
                         "study_purpose": "6B02201 Тарих", "about": "Қазақ тарихын зерттегім келеді", "specialty": "6B02201 Тарих",
                         "course": "1", "admission_order_number": "321-ст", "admission_order_date": arrival.isoformat(),
                         "arrival_date": arrival.isoformat(), "expected_end_date": f"{arrival.year + 4}-06-30",
                         "accommodation_address": "№ 3 жатақхана", "medical_checkup_on": arrival.isoformat(),
                         "acknowledged_on": arrival.isoformat(), "reason_other": "тарихи отан"}.items():
        page.fill(f"#id_{field}", value)
    for field, value in {"sex": "M", "citizenship": "MN", "birth_country": "MN", "marital_status": "single", "category": "bachelor",
                         "basis": "state_grant", "accommodation": "dormitory"}.items():
        page.select_option(f"#id_{field}", value)
    page.check("#id_is_diaspora")

    # rows added with the page's buttons
    relatives = [{"relation": "father", "full_name": SPECIAL_VALUES[3], "birth_year": "1975", "citizenship": "MN", "occupation": "мұғалім"},
                 {"relation": "mother", "full_name": "Серікқызы Гүлнар", "birth_year": "1978", "occupation": "дәрігер"},
                 {"relation": "sister", "full_name": "Нұрланқызы Аяулым", "birth_year": "2010"}]
    for index, row in enumerate(relatives):
        page.locator("#add-relative").click()
        fill_row(page, "relatives", index, row)
    page.locator("#add-relative").click()  # one too many: removed again
    page.locator("#part-relatives .formset-row").nth(3).locator(".formset-remove").click()
    page.locator("#add-education").click()
    fill_row(page, "education", 0, {"organization": "Өлгий қаласының № 5 мектебі", "programme": "жалпы орта білім",
                                    "year_from": "2011", "year_to": "2022", "document": "аттестат № 123"})
    page.check("#id_education-0-types_0")  # state
    page.check("#id_education-0-types_3")  # secular
    for index, (code, spoken) in enumerate((("kk", "native"), ("mn", "fluent"))):
        page.locator("#add-language").click()
        fill_row(page, "languages", index, {"language": code, "spoken": spoken, "reading": "good", "writing": "good"})
    page.locator("#add-activity").click()
    fill_row(page, "activities", 0, {"date_from": "2022-09-01", "date_to": "2023-06-30", "kind": "work", "description": "кітапханашы, Өлгий"})
    page.locator("#add-activity").click()
    fill_row(page, "activities", 1, {"date_from": "2023-09-01", "kind": "study", "description": "дайындық курсы"})

    # reasons with a gap: refused, nothing saved
    page.fill("#id_rank_quality", "1")
    page.fill("#id_rank_relatives", "3")
    page.check("#id_acknowledged")
    page.check("#id_signed")
    page.check("#id_consent")
    screenshot(page, "cooperation-questionnaire-form")
    page.locator("#save").click()
    expect(page.locator("#reasons-error")).to_contain_text("2")
    expect(page.locator("#form-errors")).to_be_visible()
    assert not Foreigner.objects.exists()
    screenshot(page, "cooperation-questionnaire-errors")
    # the rows came back as typed; the photo has to be chosen again
    expect(page.locator("#id_relatives-2-full_name")).to_have_value("Нұрланқызы Аяулым")
    page.fill("#id_rank_relatives", "2")
    page.fill("#id_rank_other", "3")
    page.set_input_files("#id_photo", str(photo))
    page.locator("#save").click()
    expect(page.locator("#foreigner-name")).to_have_text("NURLANULY ASKAR")
    expect(page.locator("#special-religion")).to_have_text(SPECIAL_VALUES[1])
    expect(page.locator("#photo")).to_be_visible()
    f = Foreigner.objects.get()
    assert [r["relation"] for r in f.relatives] == ["father", "mother", "sister"]
    assert f.education[0]["types"] == ["state", "secular"] and len(f.languages) == 2 and len(f.activities) == 2
    assert f.reasons == ["quality", "relatives", "other"] and f.photo
    screenshot(page, "cooperation-foreigner-page")

    # print: the PDF responses in kk and ru
    for lang in ("kk", "ru"):
        href = page.locator(f"#pdf-{lang}").get_attribute("href")
        response = page.context.request.get(base + href)
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert response.body()[:5] == b"%PDF-"
        (ARTIFACTS / f"cooperation-browser-questionnaire-{lang}.pdf").write_bytes(response.body())
    foreigner_url = page.url
    page.locator("#nav-foreigners").click()
    expect(page.locator(f"#foreigners tr[data-foreigner='{f.pk}']")).to_be_visible()
    screenshot(page, "cooperation-registry")
    page.locator("#nav-office").click()
    expect(page.locator("#count-foreigners")).to_have_text("1")
    screenshot(page, "cooperation-office")

    # a district officer and a ministry officer cannot open it
    for username in ("district.esil", "ministry"):
        log_in(page, base, username)
        assert page.goto(foreigner_url).status == 404
        assert page.context.request.get(f"{foreigner_url}questionnaire-kk.pdf").status == 404
        assert page.goto(f"{base}/kk/cooperation/org/{coop.enu.pk}/foreigners/").status == 404
    page.goto(f"{base}/kk/cooperation/statistics/")
    expect(page.locator("#stat-total")).to_have_text("1")  # the ministry sees the count, no name
    assert "NURLANULY" not in page.content()
    screenshot(page, "cooperation-statistics-ministry")

    # back as the officer: the audit shows the officer's views (page, both PDFs), no one else's
    log_in(page, base, "intl.enu")
    page.goto(foreigner_url)
    trail = page.locator("#trail-table tbody tr")
    expect(trail.first).to_be_visible()
    actions = trail.evaluate_all("rows => rows.map(r => [r.dataset.action, r.querySelector('.trail-actor').textContent.trim(),"
                                 " r.cells[2].textContent.trim()])")
    officer = coop.officer.full_name
    views = [a for a in actions if a[0] == "view"]
    assert {a[1] for a in views} == {officer}
    assert sum("(kk)" in a[2] for a in views) == 1 and sum("(ru)" in a[2] for a in views) == 1
    assert len([a for a in views if a[2] not in ("", ) and "(" not in a[2]]) >= 2  # the page, before and now
    assert actions[-1][0] == "create"
    page.locator("#trail").scroll_into_view_if_needed()
    screenshot(page, "cooperation-foreigner-trail")
