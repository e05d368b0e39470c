"""The texts of the notifications outgoing mobility and agreements send, rendered in the reader's
language by ``core.notifications.render``. Registered when the app's models load."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bilim.core import notifications

TEMPLATES = {
    "cooperation.trip_report_overdue": lambda p: _("The report on the trip of %(person)s to %(country)s was due %(due)s and is overdue.") % p,
    "cooperation.trip_plan_submitted": lambda p: _("The plan of foreign trips for %(year)s awaits your approval.") % p,
    "cooperation.agreement_expiring": lambda p: _("The agreement “%(title)s” with %(partner)s expires on %(date)s.") % p,
}


def register() -> None:
    for kind, template in TEMPLATES.items():
        notifications.TEMPLATES.setdefault(kind, template)
