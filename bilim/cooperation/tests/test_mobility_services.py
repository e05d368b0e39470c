"""Outgoing mobility's services: plans, trips, checklist, return, report and its working-day due
date, reminders, the C1 count — and what each bad input gets (a localized error naming the field,
nothing saved in part)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation

from bilim.cooperation import mobility_common as common
from bilim.cooperation import mobility_selectors, mobility_services as services
from bilim.cooperation.models import ReserveCandidate, Trip, TripPlan, TripPlanItem, TripReminder
from bilim.core.errors import DomainError
from bilim.core.models import CalendarOverride, Notification

from .test_mobility_support import audit_count, world  # noqa: F401

pytestmark = pytest.mark.django_db


def approved_plan(w, year="2025-2026", **item):
    plan = services.trip_plan_create(org_unit=w.unit, year=year, by=w.officer)
    row = {"subdivision": w.subdivision.pk, "purpose": "study", "country": "DE", "host_organization": "Freie Universität Berlin",
           "starts_on": date(2026, 2, 1), "ends_on": date(2026, 6, 30), "participants": 2, "funding": "grant"} | item
    entry = services.trip_plan_item_save(plan=plan, data=row, by=w.officer)
    services.trip_plan_approve(plan=plan, by=w.head)
    return plan, entry


def travelled(w, **changes) -> Trip:
    trip = services.trip_create(org_unit=w.unit, data=w.trip_data(**changes), by=w.officer)
    for document in trip.documents.all():
        services.trip_document_set(trip=trip, document=document, done=True, done_on=date(2026, 1, 20), by=w.officer)
    services.trip_depart(trip=trip, by=w.officer)
    return trip


# --- the working-day rule of the report -------------------------------------------------------------

def test_report_due_counts_working_days_only(world):
    # back on Friday 19 June 2026: ten working days are 22–26 June and 29 June – 3 July
    assert common.add_working_days(date(2026, 6, 19), 10) == date(2026, 7, 3)
    # a holiday inside the span moves it a day: Capital Day, Monday 6 July 2026
    assert common.add_working_days(date(2026, 6, 26), 10) == date(2026, 7, 13)
    # a day moved off by decree (the administrators' table) counts as a day off too
    CalendarOverride.objects.create(date=date(2026, 6, 23), kind="day_off", reason="test decree")
    assert common.add_working_days(date(2026, 6, 19), 10) == date(2026, 7, 6 + 1)


def test_return_sets_report_due_and_report_closes_trip(world):
    trip = travelled(world)
    trip = services.trip_return(trip=trip, returned_on=date(2026, 6, 19), by=world.officer)
    assert trip.status == Trip.Status.RETURNED
    assert trip.report_due == common.add_working_days(date(2026, 6, 19), common.report_working_days())
    report = services.trip_report_submit(trip=trip, summary="Семестр оқылды", results="30 ECTS", by=world.officer)
    assert Trip.objects.get(pk=trip.pk).status == Trip.Status.REPORTED
    assert report.is_late  # today (the test's clock) is long after 3 July 2026


# --- bad input --------------------------------------------------------------------------------------

def test_trip_end_before_start_is_refused_and_nothing_saved(world):
    before_trips, before_audit = Trip.objects.count(), audit_count()
    with translation.override("en"), pytest.raises(DomainError) as error:
        services.trip_create(org_unit=world.unit, data=world.trip_data(starts_on=date(2026, 3, 1), ends_on=date(2026, 2, 1)), by=world.officer)
    assert error.value.code == "invalid_trip"
    assert error.value.fields == {"ends_on": "The end date cannot be before the start date."}
    assert (Trip.objects.count(), audit_count()) == (before_trips, before_audit)


def test_trip_outside_the_approved_plans_year_is_refused(world):
    _plan, item = approved_plan(world)
    with translation.override("en"), pytest.raises(DomainError) as error:
        services.trip_create(org_unit=world.unit, data=world.trip_data(plan_item=item.pk, starts_on=date(2026, 8, 20), ends_on=date(2026, 9, 20)),
                             by=world.officer)
    assert "starts_on" in error.value.fields
    assert "2025-2026" in error.value.fields["starts_on"]
    assert not Trip.objects.exists()
    # inside the year it is accepted, and linked to the item
    trip = services.trip_create(org_unit=world.unit, data=world.trip_data(plan_item=item.pk), by=world.officer)
    assert trip.plan_item_id == item.pk


def test_trip_under_a_draft_plan_is_refused(world):
    plan = services.trip_plan_create(org_unit=world.unit, year="2025-2026", by=world.officer)
    item = services.trip_plan_item_save(plan=plan, by=world.officer, data={
        "subdivision": world.subdivision.pk, "purpose": "study", "country": "DE", "host_organization": "FU Berlin",
        "starts_on": date(2026, 2, 1), "ends_on": date(2026, 6, 30), "funding": "grant"})
    with pytest.raises(DomainError) as error:
        services.trip_create(org_unit=world.unit, data=world.trip_data(plan_item=item.pk), by=world.officer)
    assert set(error.value.fields) == {"plan_item"}


def test_report_for_a_trip_not_yet_returned_is_refused(world):
    trip = travelled(world)
    with translation.override("ru"), pytest.raises(DomainError) as error:
        services.trip_report_submit(trip=trip, summary="x", results="y", by=world.officer)
    assert error.value.code == "trip_not_returned"
    assert "returned_on" in error.value.fields
    assert not hasattr(Trip.objects.get(pk=trip.pk), "report") or Trip.objects.get(pk=trip.pk).status == Trip.Status.ABROAD


def test_plan_item_end_before_start_and_outside_year(world):
    plan = services.trip_plan_create(org_unit=world.unit, year="2025-2026", by=world.officer)
    with pytest.raises(DomainError) as error:
        services.trip_plan_item_save(plan=plan, by=world.officer, data={
            "subdivision": world.subdivision.pk, "purpose": "research", "country": "KZ", "host_organization": "X",
            "starts_on": date(2027, 2, 1), "ends_on": date(2027, 1, 1), "funding": "grant", "participants": 0})
    assert set(error.value.fields) == {"ends_on", "country", "starts_on", "participants"}
    assert not TripPlanItem.objects.exists()


def test_missing_and_invalid_fields_of_a_trip(world):
    with pytest.raises(DomainError) as error:
        services.trip_create(org_unit=world.unit, data={"purpose": "holiday", "country": "ZZ", "funding": "grant"}, by=world.officer)
    fields = error.value.fields
    assert {"person", "subdivision", "host_organization", "city", "starts_on", "ends_on", "purpose", "country"} <= set(fields)


# --- plans: approval, read-only, versions -----------------------------------------------------------

def test_only_the_head_approves_and_approved_plan_is_read_only(world):
    plan = services.trip_plan_create(org_unit=world.unit, year="2025-2026", by=world.officer)
    services.trip_plan_item_save(plan=plan, by=world.officer, data={
        "subdivision": world.subdivision.pk, "purpose": "study", "country": "DE", "host_organization": "FU Berlin",
        "starts_on": date(2026, 2, 1), "ends_on": date(2026, 6, 30), "funding": "grant"})
    with pytest.raises(DomainError) as error:
        services.trip_plan_approve(plan=plan, by=world.officer)
    assert error.value.status == 404
    services.trip_plan_approve(plan=plan, by=world.head)
    with pytest.raises(DomainError) as error:
        services.trip_plan_item_save(plan=plan, by=world.officer, data={})
    assert error.value.code == "plan_read_only"


def test_new_version_replaces_the_approved_plan_and_trips_follow(world):
    plan, item = approved_plan(world)
    trip = services.trip_create(org_unit=world.unit, data=world.trip_data(plan_item=item.pk), by=world.officer)
    with pytest.raises(DomainError) as error:
        services.trip_plan_new_version(plan=plan, reason=" ", by=world.officer)
    assert "change_reason" in error.value.fields
    draft = services.trip_plan_new_version(plan=plan, reason="Қосымша сапар", by=world.officer)
    assert draft.version == 2 and draft.items.count() == 1
    assert TripPlan.objects.get(pk=plan.pk).status == TripPlan.Status.APPROVED  # in force until v2 is approved
    services.trip_plan_approve(plan=draft, by=world.head)
    assert TripPlan.objects.get(pk=plan.pk).status == TripPlan.Status.SUPERSEDED
    assert Trip.objects.get(pk=trip.pk).plan_item.plan_id == draft.pk


def test_depart_needs_every_document(world):
    trip = services.trip_create(org_unit=world.unit, data=world.trip_data(), by=world.officer)
    with translation.override("en"), pytest.raises(DomainError) as error:
        services.trip_depart(trip=trip, by=world.officer)
    assert error.value.code == "documents_missing" and "Visa" in error.value.message
    visa = trip.documents.get(code="visa")
    services.trip_document_set(trip=trip, document=visa, done=False, remove=True, by=world.officer)
    for document in trip.documents.all():
        services.trip_document_set(trip=trip, document=document, done=True, by=world.officer)
    assert services.trip_depart(trip=trip, by=world.officer).status == Trip.Status.ABROAD


def test_reserve_languages_and_countries_are_checked(world):
    with pytest.raises(DomainError) as error:
        services.reserve_save(org_unit=world.unit, person=world.person, subdivision=world.subdivision.pk,
                              languages=[{"language": "xx", "level": "D1"}], countries=["ZZ"], by=world.officer)
    assert set(error.value.fields) == {"languages.0.language", "languages.0.level", "countries.0"}
    entry = services.reserve_save(org_unit=world.unit, person=world.person, subdivision=world.subdivision.pk,
                                  languages=[{"language": "en", "level": "c1"}], countries=["de", "AT"], by=world.officer)
    assert entry.languages == [{"language": "en", "level": "C1", "certificate": ""}] and entry.countries == ["DE", "AT"]
    travelled(world)
    assert ReserveCandidate.objects.get(pk=entry.pk).status == ReserveCandidate.Status.SENT


def test_people_abroad_counts_study_work_research_on_the_day(world):
    travelled(world)  # study, 1 Feb – 30 Jun 2026
    travelled(world, purpose="conference", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 5))
    assert mobility_selectors.people_abroad(world.unit, date(2026, 3, 2)) == 1  # the conference does not count; one person
    assert mobility_selectors.people_abroad(world.unit, date(2026, 7, 1)) == 0
    assert mobility_selectors.people_abroad(world.unit, date(2026, 1, 31)) == 0


def test_only_the_office_writes(world):
    for user in (world.head, world.other, world.district, world.ministry):
        with pytest.raises(DomainError) as error:
            services.trip_create(org_unit=world.unit, data=world.trip_data(), by=user)
        assert error.value.status == 404


# --- reminders --------------------------------------------------------------------------------------

def test_overdue_reminders_are_idempotent_and_weekly(world):
    world.person.user = world.head  # the traveller has an account: reminded too
    world.person.save()
    trip = travelled(world)
    services.trip_return(trip=trip, returned_on=date(2026, 6, 19), by=world.officer)
    due = Trip.objects.get(pk=trip.pk).report_due
    assert services.trip_reminders_send(today=due) == 0  # due today: not overdue yet
    first = services.trip_reminders_send(today=due + timedelta(days=1))
    assert first == 2  # the officer and the traveller
    assert services.trip_reminders_send(today=due + timedelta(days=1)) == 0
    assert services.trip_reminders_send(today=due + timedelta(days=5)) == 0
    assert services.trip_reminders_send(today=due + timedelta(days=8)) == 2
    assert TripReminder.objects.filter(trip=trip).count() == 2
    note = Notification.objects.filter(user=world.officer, kind="cooperation.trip_report_overdue").first()
    from bilim.core.notifications import render

    with translation.override("en"):
        assert "Germany" in render(note) and world.person.full_name in render(note)
