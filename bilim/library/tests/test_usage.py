"""COUNTER-like usage: double clicks within 30 s count once, unique counts are per session, and the
monthly report (page, CSV, XLSX) has the right numbers per resource, institution and month, for a
university's librarian (their university only) and for the association (all)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.http import Http404
from django.utils import timezone

from bilim.library import services, usage
from bilim.library.models import UsageCount, UsageEvent

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 3, 10, 10, 0, 0))


def use(item, action, session, at, institution=0):
    return services.usage_record(resource=item, action=action, session=session, at=at, institution_id=institution)


def test_double_click_counts_once_and_unique_per_session(lib):
    item = lib.record()
    s1 = services.session_id(user=lib.subscriber, at=T0)
    assert use(item, "record", s1, T0, lib.kaznu.pk)
    assert not use(item, "record", s1, T0 + dt.timedelta(seconds=20), lib.kaznu.pk)  # double click
    assert not use(item, "record", s1, T0 + dt.timedelta(seconds=45), lib.kaznu.pk)  # 25 s after the last click: still one
    assert use(item, "record", s1, T0 + dt.timedelta(seconds=90), lib.kaznu.pk)
    assert use(item, "download", s1, T0 + dt.timedelta(seconds=95), lib.kaznu.pk)
    assert use(item, "read", s1, T0 + dt.timedelta(seconds=96), lib.kaznu.pk)
    s2 = services.session_id(user=None, client="1.2.3.4|Firefox", at=T0)
    assert use(item, "read", s2, T0 + dt.timedelta(seconds=5))
    row = UsageCount.objects.get(resource=item, institution_key=lib.kaznu.pk, month=dt.date(2026, 3, 1))
    assert (row.record_views, row.reads, row.downloads) == (2, 1, 1)
    assert (row.investigations, row.requests, row.unique_investigations, row.unique_requests) == (4, 2, 1, 1)
    assert row.university_key == lib.enu.pk
    guest = UsageCount.objects.get(resource=item, institution_key=0)
    assert (guest.investigations, guest.requests, guest.unique_investigations, guest.unique_requests) == (1, 1, 1, 1)


def test_a_new_hour_is_a_new_session(lib):
    item = lib.record()
    for hour in (0, 1):
        at = T0 + dt.timedelta(hours=hour)
        use(item, "download", services.session_id(user=lib.student, at=at), at, lib.enu.pk)
    row = UsageCount.objects.get(resource=item)
    assert (row.requests, row.unique_requests, row.unique_investigations) == (2, 2, 2)


def test_prune_keeps_counts(lib):
    item = lib.record()
    use(item, "record", "s", timezone.now() - dt.timedelta(days=3))
    assert services.usage_prune() == 1 and not UsageEvent.objects.exists() and UsageCount.objects.get().investigations == 1


def _report_data(lib):
    enu_item = lib.record(title="ENU book")
    kaznu_item = lib.record(collection=lib.kaznu_collection, title="KazNU book")
    march, april = T0, T0 + dt.timedelta(days=31)
    use(enu_item, "record", "a", march, lib.kaznu.pk)
    use(enu_item, "download", "a", march + dt.timedelta(minutes=1), lib.kaznu.pk)
    use(enu_item, "read", "b", april, lib.enu.pk)
    use(kaznu_item, "download", "c", april, lib.kaznu.pk)
    return enu_item, kaznu_item


def test_report_numbers_for_a_university_and_the_association(lib):
    enu_item, kaznu_item = _report_data(lib)
    first, last = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
    report = usage.build(lib.librarian, first=first, last=last)
    assert [r.resource for r in report.rows] == [enu_item, enu_item]  # only ENU's resources
    by_institution = {r.institution_id: r for r in report.rows}
    kaznu_row = by_institution[lib.kaznu.pk]
    assert kaznu_row.by_month["investigations"] == {dt.date(2026, 3, 1): 2, dt.date(2026, 4, 1): 0}
    assert kaznu_row.by_month["requests"][dt.date(2026, 3, 1)] == 1 and kaznu_row.total("unique_investigations") == 1
    assert by_institution[lib.enu.pk].by_month["requests"] == {dt.date(2026, 3, 1): 0, dt.date(2026, 4, 1): 1}
    assert report.total("investigations") == 3 and report.total("requests") == 2

    everything = usage.build(lib.ministry, first=first, last=last)
    assert {r.resource for r in everything.rows} == {enu_item, kaznu_item} and everything.total("requests") == 3
    only_kaznu = usage.build(lib.ministry, first=first, last=last, university=lib.kaznu)
    assert [r.resource for r in only_kaznu.rows] == [kaznu_item]


def test_report_scope(lib):
    _report_data(lib)
    first = dt.date(2026, 3, 1)
    with pytest.raises(Http404):
        usage.build(lib.librarian, first=first, last=first, university=lib.kaznu)
    for outsider in (lib.student, lib.subscriber, lib.teacher):
        with pytest.raises(Http404):
            usage.build(outsider, first=first, last=first)


def test_csv_and_xlsx_exports(lib):
    enu_item, _kaznu_item = _report_data(lib)
    report = usage.build(lib.librarian, first=dt.date(2026, 3, 1), last=dt.date(2026, 4, 1))
    data = usage.to_csv(report)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Report_Name", rows[0][1]] and ["Report_ID", "IR"] in rows
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "Item")
    assert rows[header_at][-3:] == ["Reporting_Period_Total", "2026-03", "2026-04"]
    lines = [r for r in rows[header_at + 1:] if r[8] == lib.kaznu.name]
    investigations = next(r for r in lines if r[9] == "Total_Item_Investigations")
    assert investigations[0] == "ENU book" and investigations[-3:] == ["2", "2", "0"]
    assert len(rows) - header_at - 1 == 2 * len(usage.METRICS)

    book = openpyxl.load_workbook(io.BytesIO(usage.to_xlsx(report)))
    sheet = book["IR"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header_row = next(i for i, r in enumerate(values) if r[0] == "Item")
    requests = next(r for r in values[header_row + 1:] if r[8] == lib.kaznu.name and r[9] == "Total_Item_Requests")
    assert requests[10:] == [1, 1, 0]
