"""R7: the effective deadline — the end of the day (UTC+5), or of the next working day after a day off."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from bilim.core import calendar
from bilim.core.models import CalendarOverride
from bilim.core.services import calendar_override_set
from bilim.core.errors import DomainError

KZ = ZoneInfo("Asia/Almaty")


def end_of(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.max, tzinfo=KZ)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given, expected, why",
    [
        ("2025-07-15", "2025-07-15", "a Tuesday: the day itself (the Appendix 2 report's deadline)"),
        ("2025-07-12", "2025-07-14", "Saturday → Monday"),
        ("2025-07-13", "2025-07-14", "Sunday → Monday"),
        ("2025-03-21", "2025-03-26", "Nauryz 21–23 March 2025 and its moved days off 24–25 March"),
        ("2025-03-08", "2025-03-11", "8 March on a Saturday: the day off moves to Monday 10 March"),
        ("2025-01-03", "2025-01-05", "3 January 2025 made a day off by decree; Sunday 5 January made a working day"),
        ("2025-01-04", "2025-01-05", "Saturday before the moved working Sunday"),
        ("2025-01-01", "2025-01-05", "New Year 1–2 January, then the moved day off and the weekend"),
        ("2025-05-09", "2025-05-12", "Victory Day on a Friday"),
        ("2025-12-16", "2025-12-17", "Independence Day"),
        ("2026-01-01", "2026-01-05", "New Year 2026 on Thursday–Friday, then the weekend"),
        ("2026-01-07", "2026-01-08", "Orthodox Christmas"),
        ("2026-03-21", "2026-03-26", "Nauryz 2026: 21–23 March, with the weekend days moved to 24–25 March"),
        ("2026-05-09", "2026-05-12", "Victory Day on a Saturday: Monday 11 May is the day off"),
        ("2026-07-06", "2026-07-07", "Capital Day on a Monday"),
        ("2026-07-15", "2026-07-15", "a Wednesday"),
        ("2026-10-25", "2026-10-27", "Republic Day on a Sunday: Monday 26 October is the day off"),
    ],
)
def test_effective_deadline(given, expected, why):
    assert calendar.effective_deadline(date.fromisoformat(given)) == end_of(expected), why


@pytest.mark.django_db
def test_deadline_is_end_of_day_in_kazakhstan_time():
    deadline = calendar.effective_deadline(date(2026, 7, 15))
    assert deadline.utcoffset() == timedelta(hours=5)
    assert deadline.astimezone(ZoneInfo("UTC")).hour == 18  # 23:59:59 UTC+5
    assert calendar.is_late(datetime(2026, 7, 15, 23, 59, 0, tzinfo=KZ), date(2026, 7, 15)) is False
    assert calendar.is_late(datetime(2026, 7, 16, 0, 0, 1, tzinfo=KZ), date(2026, 7, 15)) is True
    # 20:00 UTC on the 15th is already 01:00 on the 16th in Kazakhstan
    assert calendar.is_late(datetime(2026, 7, 15, 20, 0, tzinfo=ZoneInfo("UTC")), date(2026, 7, 15)) is True


@pytest.mark.django_db
def test_moved_days_entered_by_an_administrator_win(demo):
    admin = demo.user("admin")
    # The package does not know future decrees. Say a decree makes Friday 2026-07-03 a day off and
    # Saturday 2026-07-11 a working day (test data, not a real decree):
    assert calendar.effective_deadline(date(2026, 7, 3)) == end_of("2026-07-03")
    calendar_override_set(day=date(2026, 7, 3), kind=CalendarOverride.Kind.DAY_OFF, reason="Decree No. X (test)", by=admin)
    assert calendar.effective_deadline(date(2026, 7, 3)) == end_of("2026-07-07")  # weekend, Capital Day 6 July
    assert calendar.effective_deadline(date(2026, 7, 11)) == end_of("2026-07-13")
    calendar_override_set(day=date(2026, 7, 11), kind=CalendarOverride.Kind.WORKING_DAY, reason="Decree No. X (test)", by=admin)
    assert calendar.effective_deadline(date(2026, 7, 11)) == end_of("2026-07-11")
    assert calendar.effective_deadline(date(2026, 7, 10)) == end_of("2026-07-10")
    # an administrator can also cancel a package holiday that a decree moved
    calendar_override_set(day=date(2026, 7, 6), kind=CalendarOverride.Kind.WORKING_DAY, reason="test", by=admin)
    assert calendar.effective_deadline(date(2026, 7, 4)) == end_of("2026-07-06")


@pytest.mark.django_db
def test_override_needs_a_reason_and_a_known_kind(demo):
    admin = demo.user("admin")
    with pytest.raises(DomainError) as error:
        calendar_override_set(day=date(2026, 7, 3), kind="day_off", reason="  ", by=admin)
    assert set(error.value.fields) == {"reason"}
    with pytest.raises(DomainError) as error:
        calendar_override_set(day=date(2026, 7, 3), kind="holiday", reason="x", by=admin)
    assert set(error.value.fields) == {"kind"}
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_days_off_and_reasons():
    off = calendar.days_off(date(2026, 3, 20), date(2026, 3, 27))
    assert off == [date(2026, 3, d) for d in (21, 22, 23, 24, 25)]
    with translation.override("en"):
        assert calendar.day_off_reason(date(2026, 3, 23)) == "Nauryz"
        assert calendar.day_off_reason(date(2026, 3, 24)) == "Nauryz — moved day off"
        assert calendar.day_off_reason(date(2026, 3, 28)) == "Weekend"
        assert calendar.day_off_reason(date(2025, 1, 3)) == "Day off moved by decree"
