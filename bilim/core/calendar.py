"""Kazakhstan's working-day calendar and the deadline rule (R7).

Public holidays, their moves off weekends, and the moves known to it come from the ``holidays``
package (country KZ). The government moves days off by decree every year; those the package does
not know are entered by an administrator as ``CalendarOverride`` rows, which always win.

Deadline rule (order No. 1037 §11): a deadline is the end of its day, 23:59:59 in Kazakhstan's time
(UTC+5); when that day is a day off, the end of the next working day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils.translation import gettext_lazy as _

KZ_TZ = ZoneInfo(settings.TIME_ZONE)
_MAX_SCAN = 60  # no run of days off in Kazakhstan is anywhere near this long


@lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    kz = holidays.country_holidays("KZ", years=year)
    workdays = frozenset(d for d in getattr(kz, "weekend_workdays", set()) if d.year == year)
    return frozenset(kz.keys()), workdays


def _overrides(start: date, end: date) -> dict[date, str]:
    from .models import CalendarOverride

    return dict(CalendarOverride.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind"))


def _is_working(day: date, overrides: dict[date, str]) -> bool:
    kind = overrides.get(day)
    if kind is not None:
        return kind == "working_day"
    days_off, moved_workdays = _package_year(day.year)
    if day in days_off:
        return False
    if day in moved_workdays:
        return True
    return day.weekday() < 5


def is_holiday(day: date) -> bool:
    """A public holiday or a day off moved by decree (not a plain weekend)."""
    kind = _overrides(day, day).get(day)
    if kind is not None:
        return kind != "working_day"
    return day in _package_year(day.year)[0]


def is_working_day(day: date) -> bool:
    return _is_working(day, _overrides(day, day))


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    overrides = _overrides(day, day + timedelta(days=_MAX_SCAN))
    for offset in range(_MAX_SCAN):
        candidate = day + timedelta(days=offset)
        if _is_working(candidate, overrides):
            return candidate
    raise ValueError(f"no working day within {_MAX_SCAN} days of {day}")


def effective_deadline(day: date) -> datetime:
    """The moment a deadline set for ``day`` ends: 23:59:59.999999 Kazakhstan time of ``day``, or of
    the next working day when ``day`` is a day off."""
    return datetime.combine(next_working_day(day), time.max, tzinfo=KZ_TZ)


def is_late(submitted_at: datetime, deadline_day: date) -> bool:
    return submitted_at > effective_deadline(deadline_day)


def days_off(start: date, end: date) -> list[date]:
    """Every day off between ``start`` and ``end`` inclusive (weekends, holidays, moved days)."""
    overrides = _overrides(start, end)
    span = (end - start).days
    return [start + timedelta(days=n) for n in range(span + 1) if not _is_working(start + timedelta(days=n), overrides)]


HOLIDAY_NAMES = {
    "New Year's Day": _("New Year"),
    "Orthodox Christmas": _("Orthodox Christmas"),
    "International Women's Day": _("International Women's Day"),
    "Nowruz Holiday": _("Nauryz"),
    "Kazakhstan's People Solidarity Holiday": _("Unity Day of the People of Kazakhstan"),
    "Defender of the Fatherland Day": _("Defender of the Fatherland Day"),
    "Victory Day": _("Victory Day"),
    "Capital Day": _("Capital Day"),
    "Constitution Day": _("Constitution Day"),
    "Republic Day": _("Republic Day"),
    "Independence Day": _("Independence Day"),
    "Eid al-Adha": _("Kurban Ait"),
}


def day_off_reason(day: date) -> str:
    """Why ``day`` is a day off, in the active language: a holiday, its moved day off, a moved day
    from the administrators' table, or the weekend."""
    from .models import CalendarOverride

    override = CalendarOverride.objects.filter(date=day).first()
    if override is not None:
        return override.reason
    name = holidays.country_holidays("KZ", years=day.year, language="en_US").get(day)
    if name is None:
        return str(_("Weekend"))
    names = [part.strip() for part in name.split(";")]
    labels = []
    for part in names:
        base = part.split(" (")[0]
        if base.startswith("Day off"):
            labels.append(str(_("Day off moved by decree")))
        elif "(observed" in part:
            labels.append(str(_("%(holiday)s — moved day off")) % {"holiday": HOLIDAY_NAMES.get(base, base)})
        else:
            labels.append(str(HOLIDAY_NAMES.get(base, base)))
    return "; ".join(labels)
