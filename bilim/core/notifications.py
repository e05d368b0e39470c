"""Notifications: created in bulk by services, rendered in the reader's language."""

from __future__ import annotations

from typing import Iterable

from django.utils.translation import gettext as _

from .models import Notification, Role, RoleGrant, User

TEMPLATES = {
    "reporting.assigned": lambda p: _("New report to submit: %(campaign)s, due %(due)s.") % p,
    "reporting.submitted": lambda p: _("%(unit)s submitted %(campaign)s.") % p,
    "reporting.returned": lambda p: _("%(campaign)s was returned for correction: %(comment)s") % p,
    "reporting.accepted": lambda p: _("%(campaign)s was accepted.") % p,
    "reporting.extended": lambda p: _("The deadline of %(campaign)s was extended to %(due)s.") % p,
}


def render(notification: Notification) -> str:
    template = TEMPLATES.get(notification.kind)
    if template is None:
        return notification.kind
    try:
        return template({key: _localized(value) for key, value in notification.params.items()})
    except (KeyError, TypeError, ValueError):
        return notification.kind


def _localized(value):
    """Params may carry {"kk": …, "ru": …, "en": …} so names follow the reader's language."""
    if isinstance(value, dict) and {"kk", "ru"} & set(value):
        from .models import Multilingual

        holder = Multilingual()
        holder.name_kk, holder.name_ru, holder.name_en = value.get("kk", ""), value.get("ru", ""), value.get("en", "")
        return holder.name
    return value


def users_with_roles(org_unit_ids: Iterable[int], roles: Iterable[str]) -> dict[int, list[int]]:
    """user ids holding one of ``roles`` directly on each of the org units."""
    result: dict[int, list[int]] = {}
    for unit_id, user_id in RoleGrant.objects.filter(org_unit_id__in=list(org_unit_ids), role__in=list(roles),
                                                      user__is_active=True).values_list("org_unit_id", "user_id"):
        result.setdefault(unit_id, []).append(user_id)
    return result


def notify(user_ids: Iterable[int], kind: str, params: dict, link: str = "") -> int:
    rows = [Notification(user_id=user_id, kind=kind, params=params, link=link) for user_id in set(user_ids)]
    Notification.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def names(obj) -> dict[str, str]:
    return {"kk": obj.name_kk, "ru": obj.name_ru, "en": getattr(obj, "name_en", "")}


OFFICER_ROLE_FOR_LEVEL = {0: Role.MINISTRY_OFFICER, 1: Role.REGION_OFFICER, 2: Role.DISTRICT_OFFICER}
SUBMITTER_ROLES = (Role.ORG_HEAD,)
