"""Who may open a record's files (L3): the access matrix over anonymous visitors, the contributing
university's people, a subscriber of a subscribing institution, a student of an institution without
a subscription, officers, and the embargo; and the institution each use is counted for."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from bilim.library import access, services

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def who(lib):
    return {"anonymous": AnonymousUser(), "enu_student": lib.student, "enu_librarian": lib.librarian, "kaznu_subscriber": lib.subscriber,
            "yassawi_student": lib.outsider, "ministry": lib.ministry, "school_teacher": lib.teacher}


# (access, embargoed) → the readers who may open the files
MATRIX = {
    ("open", False): {"anonymous", "enu_student", "enu_librarian", "kaznu_subscriber", "yassawi_student", "ministry", "school_teacher"},
    ("subscribers", False): {"enu_student", "enu_librarian", "kaznu_subscriber"},
    ("university", False): {"enu_student", "enu_librarian"},
    ("open", True): {"enu_student", "enu_librarian"},
    ("subscribers", True): {"enu_student", "enu_librarian"},
    ("university", True): {"enu_student", "enu_librarian"},
}


@pytest.mark.parametrize("level, embargoed", list(MATRIX))
def test_access_matrix(lib, level, embargoed):
    embargo = timezone.localdate() + dt.timedelta(days=30) if embargoed else None
    item = lib.record(access=level, embargo_until=embargo)
    allowed = {name for name, user in who(lib).items() if access.decide(user, item).allowed}
    assert allowed == MATRIX[(level, embargoed)]


def test_reasons(lib):
    item = lib.record(access="subscribers")
    assert access.decide(AnonymousUser(), item).reason == access.LOGIN_REQUIRED
    assert access.decide(AnonymousUser(), item).needs_login
    assert access.decide(lib.outsider, item).reason == access.NOT_SUBSCRIBED
    decision = access.decide(lib.subscriber, item)
    assert decision.reason == access.SUBSCRIBED and decision.via == lib.kaznu and decision.subscription_ends == lib.subscription.ends
    assert access.decide(lib.student, item).reason == access.OWN
    closed = lib.record(access="university")
    assert access.decide(lib.subscriber, closed).reason == access.UNIVERSITY_ONLY
    embargoed = lib.record(access="open", embargo_until=timezone.localdate() + dt.timedelta(days=1))
    assert access.decide(lib.subscriber, embargoed).reason == access.EMBARGO
    assert access.decide(AnonymousUser(), embargoed).reason == access.LOGIN_REQUIRED


def test_embargo_ends_on_its_date(lib):
    day = timezone.localdate() + dt.timedelta(days=10)
    item = lib.record(access="open", embargo_until=day)
    assert not access.decide(AnonymousUser(), item, today=day - dt.timedelta(days=1)).allowed
    assert access.decide(AnonymousUser(), item, today=day).allowed


def test_subscription_outside_its_dates_does_not_open(lib):
    item = lib.record(access="subscribers")
    assert not access.decide(lib.subscriber, item, today=lib.subscription.ends + dt.timedelta(days=1)).allowed
    assert not access.decide(lib.subscriber, item, today=lib.subscription.starts - dt.timedelta(days=1)).allowed
    assert access.decide(lib.subscriber, item, today=lib.subscription.ends).allowed


def test_deleted_record_opens_for_no_one(lib):
    item = lib.record()
    services.resource_delete(resource=item, by=lib.librarian)
    item.refresh_from_db()
    assert not access.decide(lib.librarian, item).allowed and access.decide(lib.librarian, item).reason == access.DELETED


def test_the_use_is_counted_for_the_readers_institution(lib):
    item = lib.record(access="open")
    assert access.decide(AnonymousUser(), item).institution_id == 0
    assert access.decide(lib.subscriber, item).institution_id == lib.kaznu.pk
    assert access.decide(lib.student, item).institution_id == lib.enu.pk
    assert access.decide(lib.ministry, item).institution_id == 0  # an office, not an institution of readers


def test_texts_explain_the_rule(lib):
    item = lib.record(access="subscribers")
    assert lib.enu.name in access.rule_text(item)
    assert lib.kaznu.name in access.decision_text(access.decide(lib.subscriber, item))
