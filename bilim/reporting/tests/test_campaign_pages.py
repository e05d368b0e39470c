"""The form designers' pages: a new campaign or ad-hoc request from an approved form, and its
distribution from the campaign page. 404 for everyone else; 400 with the field's message, nothing saved."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from bilim.core.models import Level, OrgUnit
from bilim.reporting import services
from bilim.reporting.models import Assignment, Campaign, Form

QUESTION = {
    "columns": [{"code": "1", "name_kk": "Мәні", "name_ru": "Значение"}],
    "sections": [{"code": "1", "name_kk": "Дайындық", "name_ru": "Готовность", "rows": [
        {"code": "01", "indicator": "SEATS", "name_kk": "Орын", "name_ru": "Мест"},
    ]}],
}


@pytest.fixture
def rdemo(demo):
    from bilim.reporting.demo import seed

    seed("small")
    demo.d1 = Form.objects.get(code="D-1")
    demo.astana = OrgUnit.objects.get(level=Level.REGION, kato__startswith="71")
    return demo


def url(name, *args):
    with translation.override("en"):
        return reverse(f"reporting:{name}", args=args)


def regional_form(demo, code, region):
    ministry = demo.user("ministry")
    form = services.form_create(definition=QUESTION | {"code": code, "year": "2026-2027", "name_kk": code, "name_ru": code},
                                owner=region, by=ministry)
    return services.form_approve(form=form, order_number="№ 1", order_date=date(2026, 9, 1), by=ministry)


def valid(demo, **changes):
    data = {"form": demo.d1.pk, "kind": "adhoc", "name_kk": "Жылыту", "name_ru": "Отопление", "name_en": "", "period": "2026-11",
            "deadline_organization": "2026-11-28", "deadline_district": "", "deadline_region": "", "owner": demo.republic.pk,
            "level": "3", "kinds": ["school"], "ownership": "", "area_type": "rural"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_ministry_creates_an_adhoc_request_to_rural_schools_and_distributes_it(rdemo, client):
    client.force_login(rdemo.user("ministry"))
    listing = client.get(url("campaigns")).content.decode()
    assert 'id="campaign-new-link"' in listing
    page = client.get(url("campaign_new"))
    assert page.status_code == 200 and 'id="campaign-form"' in page.content.decode()
    response = client.post(url("campaign_new"), valid(rdemo))
    campaign = Campaign.objects.get(name_kk="Жылыту")
    assert response.status_code == 302 and response["Location"] == url("campaign", campaign.pk)
    assert campaign.kind == "adhoc" and campaign.status == "draft" and campaign.owner == rdemo.republic
    assert campaign.participants == {"level": 3, "kinds": ["school"], "area_type": "rural"}
    rural_schools = OrgUnit.objects.filter(level=3, kind="school", area_type="rural", is_active=True).count()
    assert rural_schools > 0
    html = client.get(url("campaign", campaign.pk)).content.decode()
    assert 'id="distribute-form"' in html and f"{rural_schools} participants match" in html
    distributed = client.post(url("campaign_distribute", campaign.pk), follow=True)
    assert distributed.status_code == 200
    assert f"{rural_schools} assignments created" in distributed.content.decode()
    assert Assignment.objects.filter(campaign=campaign).count() == rural_schools
    assert set(Assignment.objects.filter(campaign=campaign).values_list("level", flat=True)) == {3}
    campaign.refresh_from_db()
    assert campaign.status == "open"
    assert 'id="distribute-form"' not in client.get(url("campaign", campaign.pk)).content.decode()
    # a second distribution is refused
    again = client.post(url("campaign_distribute", campaign.pk))
    assert again.status_code == 400 and "already distributed" in again.content.decode()
    assert Assignment.objects.filter(campaign=campaign).count() == rural_schools


def test_region_officer_distributes_only_from_their_region_and_sees_national_and_own_forms(rdemo, client):
    almaty = OrgUnit.objects.get(level=Level.REGION, kato__startswith="75")
    own = regional_form(rdemo, "R-AST", rdemo.astana)
    other = regional_form(rdemo, "R-ALM", almaty)
    client.force_login(rdemo.user("region.astana"))
    response = client.get(url("campaign_new"))
    assert response.status_code == 200
    form = response.context["campaign_form"]
    assert list(form.fields["owner"].queryset) == [rdemo.astana]
    assert 'id="distributor"' in response.content.decode()
    forms = set(form.fields["form"].queryset)
    assert own in forms and rdemo.d1 in forms and other not in forms
    assert set(form.fields["regions"].queryset) == {rdemo.astana}
    # the republic, or another region's form, are not choices
    before = Campaign.objects.count()
    for changes in ({"owner": rdemo.republic.pk}, {"form": other.pk}):
        bad = client.post(url("campaign_new"), valid(rdemo, **changes))
        assert bad.status_code == 400
    assert Campaign.objects.count() == before
    created = client.post(url("campaign_new"), valid(rdemo, form=own.pk, owner=rdemo.astana.pk, area_type=""))
    assert created.status_code == 302
    campaign = Campaign.objects.get(form=own)
    assert campaign.owner == rdemo.astana
    assert client.post(url("campaign_distribute", campaign.pk)).status_code == 302
    schools = OrgUnit.objects.filter(level=3, kind="school", is_active=True, path__startswith=rdemo.astana.path).count()
    assert Assignment.objects.filter(campaign=campaign).count() == schools
    # a national campaign is not the region officer's to distribute
    national = services.campaign_create(form=rdemo.d1, owner=rdemo.republic, period="2027", by=rdemo.user("ministry"),
                                        names={"name_kk": "Ұ", "name_ru": "Н"}, deadline_organization=date(2027, 1, 10))
    assert 'id="distribute-form"' not in client.get(url("campaign", national.pk)).content.decode()
    assert client.post(url("campaign_distribute", national.pk)).status_code == 404
    assert Campaign.objects.get(pk=national.pk).status == "draft"


@pytest.mark.parametrize("username", ["district.esil", "teacher", "head.school"])
def test_others_get_404(rdemo, client, username):
    draft = services.campaign_create(form=rdemo.d1, owner=rdemo.republic, period="2027", by=rdemo.user("ministry"),
                                     names={"name_kk": "Ұ", "name_ru": "Н"}, deadline_organization=date(2027, 1, 10))
    client.force_login(rdemo.user(username))
    before = Campaign.objects.count()
    assert client.get(url("campaign_new")).status_code == 404
    assert client.post(url("campaign_new"), valid(rdemo)).status_code == 404
    assert client.get(url("campaign_distribute", draft.pk)).status_code in (404, 405)
    assert client.post(url("campaign_distribute", draft.pk)).status_code == 404
    assert Campaign.objects.count() == before and not Assignment.objects.filter(campaign=draft).exists()
    assert 'id="campaign-new-link"' not in client.get(url("campaigns")).content.decode()


@pytest.mark.parametrize("changes, field, message", [
    ({"name_kk": ""}, "name_kk", "The title in Kazakh and Russian is required."),
    ({"deadline_district": "2026-11-20"}, "deadline_district", "The district deadline cannot be before the organizations' deadline."),
    ({"kind": "regular", "level": "2"}, "participants", "Only an ad-hoc request can ask districts or regions directly."),
    ({"deadline_organization": ""}, "deadline_organization", "This field is required."),
    ({"deadline_organization": "28.11.2026"}, "deadline_organization", "Enter a date as YYYY-MM-DD."),
])
def test_bad_input_is_400_with_the_fields_message_and_nothing_saved(rdemo, client, changes, field, message):
    client.force_login(rdemo.user("ministry"))
    before = Campaign.objects.count()
    response = client.post(url("campaign_new"), valid(rdemo, **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field="{field}">{message}'.replace("'", "&#x27;") in html
    assert Campaign.objects.count() == before
    assert 'value="Отопление"' in html  # what was typed is kept


def test_distribution_without_matching_participants_is_400_and_creates_nothing(rdemo, client):
    empty = OrgUnit.objects.filter(level=Level.REGION).exclude(
        path__in=[p[:len(rdemo.astana.path)] for p in OrgUnit.objects.filter(level=3).values_list("path", flat=True)]).first()
    assert empty is not None
    client.force_login(rdemo.user("ministry"))
    assert client.post(url("campaign_new"), valid(rdemo, regions=[empty.pk])).status_code == 302
    campaign = Campaign.objects.get(name_kk="Жылыту")
    assert 'id="distribute"' in client.get(url("campaign", campaign.pk)).content.decode()
    response = client.post(url("campaign_distribute", campaign.pk))
    assert response.status_code == 400
    assert "No participant matches the filter." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == "draft" and not Assignment.objects.filter(campaign=campaign).exists()
