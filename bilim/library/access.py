"""Who may open a record's files (L3). Metadata (record pages, search, OAI-PMH) are public; the
files follow the record's access level and embargo:

* embargo (``embargo_until`` in the future): only the contributing university's people, whatever
  the level;
* open: anyone, without logging in;
* subscribers: the people of an institution with a subscription running today, and the
  contributing university's people;
* contributing university only: its people.

A university's "people" are the users holding a member role (student, staff/teacher, librarian,
subscriber, head, international officer) on it. Officers of the ministry, a region or a district
and system administrators are not readers by their office: they read as anyone else does.

The decision also names the institution the use is counted for (COUNTER-like reports)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core.models import Level, OrgUnit, Role

from .models import Access, Resource, Subscription

MEMBER_ROLES = (Role.STUDENT, Role.TEACHER, Role.LIBRARIAN, Role.SUBSCRIBER, Role.ORG_HEAD, Role.INTERNATIONAL_OFFICER)

# reasons
OPEN, OWN, SUBSCRIBED = "open", "own_university", "subscription"
LOGIN_REQUIRED, NOT_SUBSCRIBED, UNIVERSITY_ONLY, EMBARGO, DELETED = "login_required", "not_subscribed", "university_only", "embargo", "deleted"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    institution_id: int = 0  # the reader's institution the use is counted for (0: none)
    via: OrgUnit | None = None  # the institution whose membership or subscription opened it
    subscription_ends: dt.date | None = None

    @property
    def needs_login(self) -> bool:
        return self.reason == LOGIN_REQUIRED


def memberships(user) -> list[OrgUnit]:
    """The organizations (level 3) where ``user`` holds a member role, cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = user.__dict__.get("_library_memberships")
    if cached is None:
        ids = (user.grants.filter(role__in=MEMBER_ROLES, org_unit__level=Level.ORGANIZATION)
               .order_by("org_unit_id").values_list("org_unit_id", flat=True).distinct())
        cached = list(OrgUnit.objects.filter(pk__in=list(ids)).order_by("pk"))
        user.__dict__["_library_memberships"] = cached
    return cached


def active_subscriptions(units: list[OrgUnit], today: dt.date) -> dict[int, Subscription]:
    """The running subscription (the one ending last) of each of ``units`` that has one."""
    found: dict[int, Subscription] = {}
    if not units:
        return found
    for sub in Subscription.objects.filter(institution__in=units, starts__lte=today, ends__gte=today).order_by("ends"):
        found[sub.institution_id] = sub
    return found


def decide(user, resource: Resource, today: dt.date | None = None) -> Decision:
    """May ``user`` (anonymous allowed) open the files of ``resource`` today?"""
    today = today or timezone.localdate()
    units = memberships(user)
    counted = units[0].pk if units else 0
    if resource.deleted_at is not None:
        return Decision(False, DELETED, counted)
    own = next((u for u in units if u.pk == resource.university_id), None)
    if own is not None:
        return Decision(True, OWN, own.pk, via=own)
    if resource.embargoed(today):
        return Decision(False, EMBARGO if user is not None and user.is_authenticated else LOGIN_REQUIRED, counted)
    if resource.access == Access.OPEN:
        return Decision(True, OPEN, counted)
    if user is None or not user.is_authenticated:
        return Decision(False, LOGIN_REQUIRED)
    if resource.access == Access.SUBSCRIBERS:
        subscriptions = active_subscriptions(units, today)
        for unit in units:
            if unit.pk in subscriptions:
                return Decision(True, SUBSCRIBED, unit.pk, via=unit, subscription_ends=subscriptions[unit.pk].ends)
        return Decision(False, NOT_SUBSCRIBED, counted)
    return Decision(False, UNIVERSITY_ONLY, counted)


def rule_text(resource: Resource, today: dt.date | None = None) -> str:
    """The record's access rule in words, for the record page."""
    today = today or timezone.localdate()
    university = resource.university.name
    if resource.embargoed(today):
        return _("Under embargo until %(date)s: until then only the people of %(university)s may open the files.") % {
            "date": resource.embargo_until.strftime("%d.%m.%Y"), "university": university}
    if resource.access == Access.OPEN:
        return _("Open access: anyone may read and download the files.")
    if resource.access == Access.SUBSCRIBERS:
        return _("For subscribers: the students and staff of subscribing institutions and of %(university)s may open the files "
                 "after logging in with the login and password their library gave them.") % {"university": university}
    return _("Only the people of %(university)s may open the files.") % {"university": university}


def decision_text(decision: Decision) -> str:
    """What the decision means for the reader, for the record page and the refusal page."""
    if decision.reason == OPEN:
        return _("You may open the files.")
    if decision.reason == OWN:
        return _("You may open the files as a member of %(unit)s.") % {"unit": decision.via.name}
    if decision.reason == SUBSCRIBED:
        return _("You may open the files through the subscription of %(unit)s (until %(date)s).") % {
            "unit": decision.via.name, "date": decision.subscription_ends.strftime("%d.%m.%Y")}
    if decision.reason == LOGIN_REQUIRED:
        return _("Log in to open the files.")
    if decision.reason == NOT_SUBSCRIBED:
        return _("Your institution has no running subscription to the library, so you cannot open these files. "
                 "Ask your library about a subscription.")
    if decision.reason == UNIVERSITY_ONLY:
        return _("These files are only for the people of the contributing university.")
    if decision.reason == EMBARGO:
        return _("These files are under embargo; only the contributing university's people may open them until it ends.")
    return _("This record was withdrawn; its files are no longer available.")
