"""The home page's widget of outgoing mobility and the annual report (included by part A's
``CooperationConfig.home_widgets``): overdue trip reports, plans awaiting the head's approval and
the Appendix 2 deadline, for each organization whose office the user works in or heads."""

from __future__ import annotations

from django.utils import timezone

from bilim.core import calendar

from . import annual_report_services
from . import mobility_common as common
from . import mobility_selectors
from .models import TripPlan


def home_widgets(request) -> dict:
    user = request.user
    today = timezone.localdate()
    cards = []
    for unit in common.office_units(user)[:5]:
        year = common.last_finished_year(today)
        assignment = annual_report_services.assignment_for(unit, year)
        cards.append({
            "unit": unit, "overdue": mobility_selectors.overdue_reports(user, unit, today=today).count(),
            "abroad": mobility_selectors.people_abroad(unit, today),
            "awaiting": list(mobility_selectors.plans(user, unit).filter(status=TripPlan.Status.DRAFT)) if common.can_approve(user, unit) else [],
            "report_year": year, "assignment": assignment,
            "deadline": calendar.effective_deadline(assignment.effective_due_date if assignment else common.report_deadline(year)),
        })
    if not cards:
        return {}
    return {"cooperation_mobility_template": "cooperation/mobility/_home.html", "cooperation_mobility_cards": cards}
