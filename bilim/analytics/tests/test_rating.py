"""The open regional rating (J4): the method, publishing (ranks, ties, regions without data, audit,
who may), the public page without login in kk and ru showing published snapshots only."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from bilim.analytics import rating, selectors, services
from bilim.analytics.models import RatingPublication, RatingRow
from bilim.core.audit import audit_verify
from bilim.core.errors import DomainError
from bilim.core.models import AuditLog, Level, OrgUnit, Role


def region(kato: str) -> OrgUnit:
    return OrgUnit.objects.get(level=Level.REGION, kato=kato)


def put(af, kato: str, period, *, pupils=100, quality=50, success=90, lessons=1000, missed=50, grades=900, grade_sum=3600):
    """A region's roll-up with the given quality and success (pupils) and attendance (missed of lessons)."""
    af.add(region(kato), period, grades=grades, grade_sum=grade_sum, n4=grades, pupils=pupils, pupils_quality=quality,
           pupils_success=success, lessons=lessons // 25, pupil_lessons=lessons, absent=missed)


ASTANA, ALMATY, SHYMKENT, ABAI = "710000000", "750000000", "790000000", "100000000"


@pytest.fixture
def three(af):
    """Term 1: Abai 76.00, Astana 75.50, Almaty 75.00; Shymkent has marks but no lessons; the rest nothing."""
    t1 = af.terms[0]
    put(af, ASTANA, t1, quality=50, success=90, missed=50)     # 0.4·50 + 0.3·90 + 0.3·95 = 75.50
    put(af, ALMATY, t1, quality=60, success=80, missed=100)    # 24 + 24 + 27 = 75.00
    put(af, ABAI, t1, quality=55, success=85, missed=50)       # 22 + 25.5 + 28.5 = 76.00
    put(af, SHYMKENT, t1, lessons=0, missed=0)                 # marks but no lessons: not ranked
    return af


def test_method_score():
    assert rating.score_of(Decimal("50"), Decimal("90"), Decimal("95")) == Decimal("75.50")
    assert rating.score_of(Decimal("33.33"), Decimal("66.67"), Decimal("99.99")) == Decimal("63.33")  # 13.332+20.001+29.997


def test_publish_ranks_and_lists_regions_without_data_last(three):
    ministry = three.demo.user("ministry")
    publication = services.rating_publish(period=three.terms[0], by=ministry)
    assert publication.method == rating.METHOD and publication.published_by == ministry
    rows = selectors.rating_rows(publication)
    ranked = [(r.region.kato, r.rank, r.score) for r in rows if r.rank]
    assert ranked == [(ABAI, 1, Decimal("76.00")), (ASTANA, 2, Decimal("75.50")), (ALMATY, 3, Decimal("75.00"))]
    astana = next(r for r in rows if r.region.kato == ASTANA)
    assert (astana.quality, astana.success, astana.attendance, astana.average, astana.pupils) == (
        Decimal("50.00"), Decimal("90.00"), Decimal("95.00"), Decimal("4.00"), 100)
    unranked = rows[3:]
    assert len(rows) == 20 and all(r.rank is None and r.score is None for r in unranked)
    assert [r.region.kato for r in unranked] == sorted(r.region.kato for r in unranked)
    assert next(r for r in unranked if r.region.kato == SHYMKENT).quality == Decimal("50.00")


def test_ties_are_broken_by_the_region_code(af):
    t1 = af.terms[0]
    put(af, ALMATY, t1, quality=50, success=90, missed=50)
    put(af, ASTANA, t1, quality=50, success=90, missed=50)
    put(af, ABAI, t1, quality=50, success=90, missed=50)
    publication = services.rating_publish(period=t1, by=af.demo.user("ministry"))
    ranked = [(r.region.kato, r.rank) for r in selectors.rating_rows(publication) if r.rank]
    assert ranked == [(ABAI, 1), (ASTANA, 2), (ALMATY, 3)]


def test_publish_is_audited(three):
    ministry = three.demo.user("ministry")
    publication = services.rating_publish(period=three.terms[0], by=ministry)
    record = AuditLog.objects.get(action="analytics.rating_publish")
    assert record.actor == ministry and record.object_id == str(publication.pk)
    assert record.object_type == "analytics.ratingpublication"
    assert record.after["method"] == rating.METHOD
    assert record.after["rows"][0] == {"region": ABAI, "rank": 1, "score": "76.00", "quality": "55.00", "success": "85.00",
                                       "attendance": "95.00"}
    assert audit_verify().ok


def test_sysadmin_may_publish(three):
    assert services.rating_publish(period=three.terms[0], by=three.demo.user("admin")).pk


@pytest.mark.parametrize("username", ["region.astana", "district.esil", "head.school", "teacher", "parent"])
def test_only_the_ministry_publishes(three, username):
    with pytest.raises(DomainError) as error:
        services.rating_publish(period=three.terms[0], by=three.demo.user(username))
    assert error.value.status == 404
    assert not RatingPublication.objects.exists() and not AuditLog.objects.filter(action="analytics.rating_publish").exists()


def test_a_period_without_data_is_refused(three):
    with pytest.raises(DomainError) as error:
        services.rating_publish(period=three.terms[2], by=three.demo.user("ministry"))
    assert error.value.code == "rating_no_data" and "period" in error.value.fields
    with pytest.raises(DomainError) as error:
        services.rating_publish(period=None, by=three.demo.user("ministry"))
    assert error.value.code == "invalid_rating"
    assert not RatingRow.objects.exists()


def test_a_publication_is_a_frozen_snapshot(three):
    ministry = three.demo.user("ministry")
    first = services.rating_publish(period=three.terms[0], by=ministry)
    put(three, ALMATY, three.terms[0], quality=100, success=100, missed=0)  # the data move on
    assert [r.region.kato for r in selectors.rating_rows(first)][:3] == [ABAI, ASTANA, ALMATY]
    second = services.rating_publish(period=three.terms[0], by=ministry)
    assert selectors.rating_rows(second)[0].region.kato == ALMATY
    assert selectors.rating_publication() == second


# --- the public page --------------------------------------------------------------------------------

def t(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_public_page_without_login(three, client, language):
    services.rating_publish(period=three.terms[0], by=three.demo.user("ministry"))
    response = client.get(f"/{language}/rating/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert t(language, "Open rating of the regions") in html
    assert t(language, "Region") in html
    for line in rating.METHOD_TEXT[rating.METHOD]:
        with translation.override(language):
            assert str(line) in html.replace("&#x27;", "'")
    abai, astana = region(ABAI), region(ASTANA)
    name = "name_kk" if language == "kk" else "name_ru"
    assert getattr(abai, name) in html and getattr(astana, name) in html
    if language == "ru":
        assert abai.name_kk not in html or abai.name_kk == abai.name_ru
    decimal_mark = ","
    assert re.search(rf'<td class="text-end num fw-semibold score">76{decimal_mark}00</td>', html)
    assert 'id="rating-chart"' in html and "<svg" in html
    rank_one = re.search(rf'<tr data-region="{abai.pk}".*?</tr>', html, re.S).group(0)
    assert '<td class="text-end num rank">1</td>' in rank_one
    assert 'id="publish-link"' not in html


def test_public_page_shows_no_unpublished_data(three, client):
    response = client.get("/kk/rating/")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="no-rating"' in html
    assert "76,00" not in html and region(ABAI).name_kk not in html
    ministry = three.demo.user("ministry")
    services.rating_publish(period=three.terms[0], by=ministry)
    put(three, ASTANA, three.terms[1], quality=99, success=99, missed=1)  # live data of term 2, not published
    html = client.get("/kk/rating/").content.decode()
    assert selectors.period_label(three.terms[1]) not in html
    assert "99,00" not in html


def test_history_and_earlier_publications(three, client):
    ministry = three.demo.user("ministry")
    first = services.rating_publish(period=three.terms[0], by=ministry)
    put(three, ALMATY, three.terms[1], quality=90, success=99, missed=10)
    put(three, ASTANA, three.terms[1], quality=40, success=90, missed=10)
    second = services.rating_publish(period=three.terms[1], by=ministry)
    history = selectors.rating_history()
    assert history.publications == [first, second]
    ranks = {r.kato: ranks for r, ranks in history.regions}
    assert ranks[ALMATY] == [3, 1] and ranks[ASTANA] == [2, 2] and ranks[ABAI] == [1, None]
    html = client.get("/kk/rating/").content.decode()
    assert 'id="history"' in html and 'id="publication-form"' in html
    assert f'data-publication="{second.pk}"' in html
    html = client.get(f"/kk/rating/?publication={first.pk}").content.decode()
    assert f'data-publication="{first.pk}"' in html


@pytest.mark.parametrize("query, status", [("?publication=abc", 400), ("?publication=999999", 404), ("?publication=", 200)])
def test_bad_publication_parameter(three, client, query, status):
    services.rating_publish(period=three.terms[0], by=three.demo.user("ministry"))
    assert client.get(f"/kk/rating/{query}").status_code == status


def test_publish_page(three, client):
    client.force_login(three.demo.user("ministry"))
    page = client.get(f"/kk/rating/publish/?period={three.terms[0].pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="preview"' in html and "76,00" in html
    response = client.post("/kk/rating/publish/", {"period": three.terms[0].pk})
    publication = RatingPublication.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/kk/rating/?publication={publication.pk}"
    response = client.post("/kk/rating/publish/", {"period": three.terms[3].pk})
    assert response.status_code == 400 and 'class="alert alert-danger field-error"' in response.content.decode()
    assert client.post("/kk/rating/publish/", {"period": "2025-2026"}).status_code == 400
    assert client.post("/kk/rating/publish/", {"period": "x"}).status_code == 400
    assert client.get("/kk/rating/").content.decode().count('id="publish-link"') == 1


@pytest.mark.parametrize("username", ["region.astana", "district.esil", "head.school"])
def test_publish_page_is_404_for_others(three, client, username):
    client.force_login(three.demo.user(username))
    assert client.get("/kk/rating/publish/").status_code == 404
    assert client.post("/kk/rating/publish/", {"period": three.terms[0].pk}).status_code == 404
    assert not RatingPublication.objects.exists()


def test_publish_page_needs_login(three, client):
    response = client.get("/kk/rating/publish/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/kk/rating/publish/", {"period": three.terms[0].pk}).status_code in (302, 403)
    assert not RatingPublication.objects.exists()
    assert Role.MINISTRY_OFFICER in selectors.RATING_ROLES
