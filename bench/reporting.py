"""reporting: statistical reporting at the national scale — a 400-cell form collected from every
organization of the national tree (≈ 11,600), all accepted but the last one.

Set-up (not measured; reused when already there, ``--reload`` to rebuild): the national tree
(``env.ensure_national``), a generated national form BENCH-400 (40 rows × 10 columns of integer
indicators: 39 rows broken down by a generated breakdown and a "Total" row without one), a campaign
distributed to every active organization, and for each organization 400 ``DataValue`` rows and an
accepted ``Submission`` (``bulk_create``); the last organization's submission is left awaiting
review. The consolidated totals (``Aggregate``) are computed with one INSERT … SELECT … GROUP BY per
level: organizations from their values, then districts, regions and the republic each from the
level below. Everything is loaded in one transaction, so a campaign that exists is complete.

Measured — each next to the hand-written SQL that computes the same thing from the same rows, in
the same run, and the ratio of the medians:

* ``accept_last``: ``services.submission_accept`` of the last organization's submission — it moves
  the totals of the organization, its district, region and the republic by the delta, so the
  national totals are current when it returns. After the last timed call the republic's totals are
  checked against ``SUM`` over every accepted organization's values; after each call the
  acceptance is undone (not timed), so every sample starts from "all accepted but the last".
  SQL: that national ``SUM … GROUP BY cell`` from scratch.
* ``grid``: one assignment's 400-cell grid page, GET through Django's test client
  (``/kk/reporting/assignments/<id>/``) when the reporting pages exist; otherwise the grid's context
  (spec + current values + explanations). ``mode`` says which. SQL: the same 400 values by one
  ``SELECT … WHERE assignment_id = …``.
* ``national_report``: ``reports.summary_data`` + ``reports.to_xlsx`` for the republic as the
  ministry officer. SQL: the totals of each region and cell (``GROUP BY`` region, cell) over every
  accepted organization's values — the numbers the report shows.

Also, once each: the national PDF and the national SDMX-CSV (districts and above)."""

from __future__ import annotations

import gc
import hashlib
import json
import platform
import sys
import time
from datetime import date
from decimal import Decimal

from . import env
from .timing import Timing, measure, ratio, stopwatch

FORM_CODE = "BENCH-400"
YEAR = "2026-2027"
DETAIL_ROWS = 39  # + one total row = 40 rows
COLUMNS = 10
BREAKDOWN = "bench_row"
INDICATOR_PREFIX = "BENCH_C"
CHUNK = 200  # organizations per bulk_create round
REVIEWER = "bench.district"
HEAD = "bench.head"


def add_arguments(parser) -> None:
    parser.add_argument("--accept-repeat", type=int, default=10, help="timed acceptances of the last submission (default 10)")
    parser.add_argument("--grid-repeat", type=int, default=50, help="timed grid pages (default 50)")
    parser.add_argument("--report-repeat", type=int, default=5, help="timed national reports (default 5)")
    parser.add_argument("--sql-repeat", type=int, default=5, help="timed runs of each national SQL aggregate (default 5)")
    parser.add_argument("--reload", action="store_true", help="delete the bench campaign's data and load it again")


def value_of(org_id: int, row: int, column: int) -> int:
    """A deterministic count for one organization's detail cell."""
    return 1 + (org_id * 7 + row * 13 + column * 31) % 40


def org_values(org_id: int) -> dict[str, int]:
    values = {}
    for column in range(1, COLUMNS + 1):
        total = 0
        for row in range(1, DETAIL_ROWS + 1):
            v = value_of(org_id, row, column)
            values[f"r{row:02d}c{column}"] = v
            total += v
        values[f"r{DETAIL_ROWS + 1:02d}c{column}"] = total
    return values


def definition() -> dict:
    total_row = f"{DETAIL_ROWS + 1:02d}"
    return {
        "code": FORM_CODE, "year": YEAR, "version": 1,
        "name_kk": "Бенчмарк: 400 ұяшықты ұлттық нысан", "name_ru": "Бенчмарк: национальная форма на 400 ячеек",
        "name_en": "Benchmark: a national form of 400 cells",
        "columns": [{"code": str(c), "indicator": f"{INDICATOR_PREFIX}{c:02d}", "name_kk": f"{c}-көрсеткіш",
                     "name_ru": f"Показатель {c}", "name_en": f"Indicator {c}"} for c in range(1, COLUMNS + 1)],
        "sections": [{"code": "1", "name_kk": "1-бөлім", "name_ru": "Раздел 1", "name_en": "Section 1", "rows": [
            *[{"code": f"{r:02d}", "breakdown": [[BREAKDOWN, f"{r:02d}"]], "name_kk": f"{r}-жол", "name_ru": f"Строка {r}",
               "name_en": f"Row {r}"} for r in range(1, DETAIL_ROWS + 1)],
            {"code": total_row, "name_kk": "Барлығы", "name_ru": "Всего", "name_en": "Total", "breakdown": []},
        ]}],
        "rules": [{"code": f"TOTAL{c}", "expression": f"r{total_row}c{c} = sum(r01c{c}:r{DETAIL_ROWS:02d}c{c})",
                   "message_kk": f"{c}-баған: барлығы", "message_ru": f"Графа {c}: итог", "message_en": f"Column {c}: total"}
                  for c in range(1, COLUMNS + 1)],
    }


# --- set-up ---------------------------------------------------------------------------------------

def _catalogue(republic):
    from bilim.reporting.models import Breakdown, BreakdownItem, Indicator

    breakdown, _ = Breakdown.objects.get_or_create(code=BREAKDOWN, defaults={"name_kk": "Бенчмарк жолы", "name_ru": "Строка бенчмарка",
                                                                             "name_en": "Benchmark row"})
    for r in range(1, DETAIL_ROWS + 1):
        BreakdownItem.objects.get_or_create(breakdown=breakdown, code=f"{r:02d}", defaults={"order": r, "name_kk": str(r), "name_ru": str(r), "name_en": str(r)})
    for c in range(1, COLUMNS + 1):
        Indicator.objects.get_or_create(code=f"{INDICATOR_PREFIX}{c:02d}", defaults={
            "name_kk": f"Бенчмарк көрсеткіші {c}", "name_ru": f"Показатель бенчмарка {c}", "name_en": f"Benchmark indicator {c}",
            "value_type": "integer", "unit_kk": "адам", "unit_ru": "чел.", "unit_en": "persons", "aggregation": "sum", "owner": republic})


def _user(username: str, role: str, unit):
    from bilim.core.models import RoleGrant, User
    from bilim.core.scope import Scope

    user, created = User.objects.get_or_create(username=username, defaults={"first_name": "Bench", "last_name": role})
    if created:
        user.set_unusable_password()
        user.save()
    RoleGrant.objects.filter(user=user).exclude(org_unit=unit).delete()
    RoleGrant.objects.get_or_create(user=user, role=role, org_unit=unit)
    Scope.forget(user)
    return user


def _delete_campaign(campaign) -> None:
    """Plain DELETEs: Django's cascade would load millions of rows into Python first."""
    from django.db import connection

    from bilim.reporting.models import Aggregate, Assignment, DataValue, Submission

    with connection.cursor() as cursor:
        assignments = f"SELECT id FROM {Assignment._meta.db_table} WHERE campaign_id = %s"
        cursor.execute(f"DELETE FROM {Aggregate._meta.db_table} WHERE campaign_id = %s", [campaign.pk])
        cursor.execute(f"DELETE FROM {DataValue._meta.db_table} WHERE assignment_id IN ({assignments})", [campaign.pk])
        cursor.execute(f"DELETE FROM {Submission._meta.db_table} WHERE assignment_id IN ({assignments})", [campaign.pk])
        cursor.execute(f"DELETE FROM {Assignment._meta.db_table} WHERE campaign_id = %s", [campaign.pk])
    campaign.delete()


def _load(campaign, spec, ministry, reviewer) -> dict:
    from django.db import connection
    from django.utils import timezone

    from bilim.core.models import Level, OrgUnit
    from bilim.reporting import services
    from bilim.reporting.models import Aggregate, Assignment, DataValue, Submission

    now = timezone.now()
    assignments = list(Assignment.objects.filter(campaign=campaign, level=Level.ORGANIZATION).select_related("org_unit")
                       .order_by("org_unit__path"))
    last = assignments[-1]
    cell_ids = {key: cell.id for key, cell in spec.cells.items()}
    data_values = submissions = 0
    for start in range(0, len(assignments), CHUNK):
        rows, subs = [], []
        for assignment in assignments[start:start + CHUNK]:
            assignment.campaign = campaign
            values = org_values(assignment.org_unit_id)
            rows.extend(DataValue(assignment_id=assignment.pk, cell_id=cell_ids[key], number=Decimal(v), updated_at=now)
                        for key, v in values.items())
            content = services.canonical_content(assignment, values)
            accepted = assignment.pk != last.pk
            subs.append(Submission(
                assignment_id=assignment.pk, number=1, content=content, digest=hashlib.sha256(content.encode()).hexdigest(),
                values={key: str(v) for key, v in values.items()}, submitted_by=ministry, submitted_at=now, head_name="Bench",
                head_confirmed=True, status=Submission.Status.ACCEPTED if accepted else Submission.Status.SUBMITTED,
                reviewed_by=reviewer if accepted else None, reviewed_at=now if accepted else None,
            ))
        DataValue.objects.bulk_create(rows, batch_size=5000)
        Submission.objects.bulk_create(subs, batch_size=500)
        data_values += len(rows)
        submissions += len(subs)
        if (start // CHUNK) % 10 == 0:
            env.log(f"  values of {start + len(subs)} / {len(assignments)} organizations")
    organizations = Assignment.objects.filter(campaign=campaign, level=Level.ORGANIZATION)
    organizations.update(status=Assignment.Status.ACCEPTED, current_version=1, accepted_version=1, submitted_at=now,
                         first_submitted_at=now, is_late=False, accepted_at=now)
    Assignment.objects.filter(pk=last.pk).update(status=Assignment.Status.SUBMITTED, accepted_version=0, accepted_at=None)

    aggregate, orgunit = Aggregate._meta.db_table, OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {aggregate} (campaign_id, org_unit_id, cell_id, total, weight, contributors) "
            f"SELECT a.campaign_id, a.org_unit_id, dv.cell_id, SUM(dv.number), 0, COUNT(*) "
            f"FROM {DataValue._meta.db_table} dv JOIN {Assignment._meta.db_table} a ON a.id = dv.assignment_id "
            f"WHERE a.campaign_id = %s AND a.level = %s AND a.status = %s AND dv.number IS NOT NULL "
            f"GROUP BY a.campaign_id, a.org_unit_id, dv.cell_id",
            [campaign.pk, Level.ORGANIZATION, Assignment.Status.ACCEPTED])
        for level in (Level.ORGANIZATION, Level.DISTRICT, Level.REGION):  # each level from the one below it
            cursor.execute(
                f"INSERT INTO {aggregate} (campaign_id, org_unit_id, cell_id, total, weight, contributors) "
                f"SELECT ag.campaign_id, ou.parent_id, ag.cell_id, SUM(ag.total), SUM(ag.weight), SUM(ag.contributors) "
                f"FROM {aggregate} ag JOIN {orgunit} ou ON ou.id = ag.org_unit_id "
                f"WHERE ag.campaign_id = %s AND ou.level = %s GROUP BY ag.campaign_id, ou.parent_id, ag.cell_id",
                [campaign.pk, level])
    return {"data_values": data_values, "submissions": submissions}


def ensure_campaign(reload: bool) -> dict:
    """The bench form and its campaign with every organization's values; built once, then reused."""
    from django.db import connection, transaction

    from bilim.core.models import Level, OrgUnit, Role
    from bilim.reporting import services
    from bilim.reporting.models import Aggregate, Assignment, Campaign, DataValue, Form, Submission
    from bilim.reporting.specs import spec_for

    republic = OrgUnit.objects.get(level=Level.REPUBLIC)
    ministry = env.demo_users(("ministry",))["ministry"]
    campaign = Campaign.objects.filter(form__code=FORM_CODE, form__year=YEAR, period=YEAR).first()
    if campaign is not None and reload:
        env.log("--reload: deleting the bench campaign ...")
        with transaction.atomic():
            _delete_campaign(campaign)
        campaign = None
    loaded_now = campaign is None
    with stopwatch() as sw:
        if campaign is None:
            env.log("loading the bench campaign: 400 cells × every organization (one transaction) ...")
            with transaction.atomic():
                _catalogue(republic)
                form = Form.objects.filter(code=FORM_CODE, year=YEAR, version=1).first()
                if form is None:
                    form = services.form_create(definition=definition(), owner=republic, by=ministry)
                    services.form_approve(form=form, order_number="BENCH", order_date=date(2026, 8, 14), by=ministry)
                campaign = services.campaign_create(
                    form=form, owner=republic, period=YEAR, by=ministry, deadline_organization=date(2026, 11, 14),
                    names={"name_kk": "Бенчмарк: 400 ұяшық, барлық ұйымдар", "name_ru": "Бенчмарк: 400 ячеек, все организации",
                           "name_en": "Benchmark: 400 cells, every organization"})
                services.campaign_distribute(campaign=campaign, by=ministry)
                spec = spec_for(form.pk, fresh=True)
                last = Assignment.objects.filter(campaign=campaign, level=Level.ORGANIZATION).order_by("-org_unit__path").first()
                reviewer = _user(REVIEWER, Role.DISTRICT_OFFICER, last.org_unit.parent)
                counts = _load(campaign, spec, ministry, reviewer)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
    spec = spec_for(campaign.form_id)
    organizations = Assignment.objects.filter(campaign=campaign, level=Level.ORGANIZATION)
    last = organizations.select_related("org_unit").order_by("-org_unit__path").first()
    first = organizations.select_related("org_unit").order_by("org_unit__path").first()
    reviewer = _user(REVIEWER, Role.DISTRICT_OFFICER, last.org_unit.parent)
    head = _user(HEAD, Role.ORG_HEAD, first.org_unit)
    if not loaded_now:
        counts = {"data_values": DataValue.objects.filter(assignment__campaign=campaign).count(),
                  "submissions": Submission.objects.filter(assignment__campaign=campaign).count()}
    info = {
        "loaded_now": loaded_now, "seconds": round(sw.seconds, 1) if loaded_now else None, "campaign": campaign.pk,
        "form": f"{FORM_CODE} ({YEAR})", "cells": len(spec.cells), "organizations": organizations.count(),
        "aggregates": Aggregate.objects.filter(campaign=campaign).count(), **counts,
    }
    if len(spec.cells) != (DETAIL_ROWS + 1) * COLUMNS:
        raise SystemExit(f"bench: the bench form has {len(spec.cells)} cells, not {(DETAIL_ROWS + 1) * COLUMNS}: run with --reload")
    return {"info": info, "campaign": campaign, "spec": spec, "last": last, "first": first, "reviewer": reviewer,
            "head": head, "ministry": ministry, "republic": republic}


def _undo_accept(assignment, spec, values) -> None:
    """Back to "awaiting review": subtract the organization's values from the three nodes above it,
    drop its own totals, reopen its submission (set-up between samples, not timed)."""
    from django.db import transaction

    from bilim.reporting import services
    from bilim.reporting.models import Aggregate, Assignment, Submission

    with transaction.atomic():
        services._apply(assignment, spec, {}, values)
        Aggregate.objects.filter(campaign_id=assignment.campaign_id, org_unit_id=assignment.org_unit_id).delete()
        Submission.objects.filter(assignment=assignment, number=1).update(status=Submission.Status.SUBMITTED, reviewed_by=None,
                                                                         reviewed_at=None, review_comment="")
        Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.SUBMITTED, accepted_at=None, accepted_version=0,
                                                           review_comment="")


# --- hand-written SQL -----------------------------------------------------------------------------

def _sql(campaign_id: int) -> dict[str, tuple[str, list]]:
    from bilim.core.models import Level, OrgUnit
    from bilim.reporting.models import Assignment, DataValue

    dv, a, ou = DataValue._meta.db_table, Assignment._meta.db_table, OrgUnit._meta.db_table
    accepted = [campaign_id, Level.ORGANIZATION, Assignment.Status.ACCEPTED]
    return {
        "national_sum": (
            f"SELECT dv.cell_id, SUM(dv.number) FROM {dv} dv JOIN {a} a ON a.id = dv.assignment_id "
            f"WHERE a.campaign_id = %s AND a.level = %s AND a.status = %s GROUP BY dv.cell_id", accepted),
        "region_sums": (
            f"SELECT substr(ou.path, 1, 20) AS region, dv.cell_id, SUM(dv.number), COUNT(*) FROM {dv} dv "
            f"JOIN {a} a ON a.id = dv.assignment_id JOIN {ou} ou ON ou.id = a.org_unit_id "
            f"WHERE a.campaign_id = %s AND a.level = %s AND a.status = %s GROUP BY substr(ou.path, 1, 20), dv.cell_id", accepted),
        "assignment_values": (f"SELECT cell_id, number, text FROM {dv} WHERE assignment_id = %s", []),
    }


def _run_sql(sql: str, params: list) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _republic_totals(campaign, republic, spec) -> dict[int, Decimal]:
    from bilim.reporting.models import Aggregate

    return {cid: Decimal(total) for cid, total in Aggregate.objects.filter(campaign=campaign, org_unit=republic).values_list("cell_id", "total")}


def _same_totals(aggregates: dict[int, Decimal], sums: list) -> bool:
    by_sql = {cid: Decimal(str(total)) for cid, total in sums}
    return set(aggregates) == set(by_sql) and all(aggregates[cid] == by_sql[cid] for cid in by_sql)


# --- the benchmark --------------------------------------------------------------------------------

def run(args) -> dict:
    started = time.perf_counter()
    vendor = env.setup_django()
    seed = env.ensure_national()

    import django
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import Resolver404, resolve

    from bilim.reporting import reports, services
    from bilim.reporting.models import Assignment, Submission
    from bilim.reporting.specs import spec_for

    state = ensure_campaign(args.reload)
    campaign, spec, last, first = state["campaign"], state["spec"], state["last"], state["first"]
    republic, ministry, reviewer = state["republic"], state["ministry"], state["reviewer"]
    env.log(f"set-up: {json.dumps(state['info'], ensure_ascii=False)}")
    last_values = Submission.objects.get(assignment=last, number=1).values
    if last.status == Assignment.Status.ACCEPTED:  # an earlier run stopped between an acceptance and its undo
        env.log("the last organization was left accepted: undoing it first")
        _undo_accept(last, spec, last_values)
    sql = _sql(campaign.pk)

    result: dict = {
        "bench": "reporting", "vendor": vendor, "database_version": env.database_version(connection), "django": django.get_version(),
        "python": platform.python_version(), "debug": bool(settings.DEBUG),
        "seeded": seed.seeded, "seed_seconds": None if seed.seconds is None else round(seed.seconds, 2),
        "setup": state["info"],
    }

    # Set-up check: the totals loaded by INSERT … SELECT equal the hand-written sum before anything is timed.
    if not _same_totals(_republic_totals(campaign, republic, spec), _run_sql(*sql["national_sum"])):
        raise RuntimeError("the loaded republic totals differ from the SQL sum of the accepted organizations' values")

    # (a) accept the last organization's submission: the national totals are current when it returns.
    env.log(f"(a) accepting the last organization's submission ({args.accept_repeat} timed, each undone) ...")
    samples, verified, sql_national = [], False, None
    rounds = 1 + args.accept_repeat
    for index in range(rounds):
        assignment = Assignment.objects.select_related("org_unit", "campaign").get(pk=last.pk)
        gc.collect()
        t0 = time.perf_counter()
        services.submission_accept(assignment=assignment, by=reviewer)
        elapsed = time.perf_counter() - t0
        if index > 0:  # the first one warms the caches
            samples.append(elapsed)
        if index == rounds - 1:
            totals = _republic_totals(campaign, republic, spec)
            sums = _run_sql(*sql["national_sum"])
            verified = _same_totals(totals, sums)
            if not verified:
                raise RuntimeError("after the acceptance the republic's totals differ from the SQL sum over the accepted organizations")
            sql_national = measure(lambda: _run_sql(*sql["national_sum"]), repeat=args.sql_repeat, warmup=1)
            total_key = f"r{DETAIL_ROWS + 1:02d}c1"
            republic_total = totals[spec.cells[total_key].id]
        _undo_accept(assignment, spec, last_values)
    accept = Timing(samples=samples, last_result=None)
    result["accept_last"] = {
        **accept.as_dict(), "organization": last.org_unit_id, "nodes_updated": 4, "cells": len(spec.cells),
        "verified_against_sql_sum": verified, "republic_total": {total_key: str(republic_total.normalize())},
        "sql_national_sum": sql_national.as_dict(), "ratio": ratio(accept, sql_national),
        "sql": "SELECT cell_id, SUM(number) over the accepted organizations' data values GROUP BY cell (from scratch)",
    }
    env.log(f"    accept: median {accept.median_ms:.1f} ms; SQL national SUM: median {sql_national.median_ms:.1f} ms; "
            f"ratio {result['accept_last']['ratio']}")

    # (b) the 400-cell grid of one organization's report.
    env.log(f"(b) the grid page of one assignment ({args.grid_repeat} timed) ...")
    url = f"/kk/reporting/assignments/{first.pk}/"
    mode, note = "context", None
    try:
        resolve(url)
    except Resolver404:
        note = "bilim/reporting/urls.py has no assignment page: the grid's context was measured"
    else:
        host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")), "localhost")
        client = Client(HTTP_HOST=host)
        client.force_login(state["head"])
        response = client.get(url, secure=True)  # HTTPS, as in production (SECURE_SSL_REDIRECT when DEBUG is off)
        if response.status_code == 200:
            mode = "page"
        else:
            note = f"GET {url} answered {response.status_code}: the grid's context was measured instead"
    if mode == "page":
        def grid():
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}: {response.status_code}")
            return len(response.content)
    else:
        assignment_obj = Assignment.objects.select_related("campaign", "org_unit").get(pk=first.pk)

        def grid():
            grid_spec = spec_for(assignment_obj.campaign.form_id)
            values = services.current_values(assignment_obj, grid_spec)
            explanations = services.explanations_of(assignment_obj, grid_spec)
            rows = [[(cell.key, values.get(cell.key), explanations.get(cell.key)) if cell else None
                     for cell in (grid_spec.cell(row.code, column.code) for column in grid_spec.columns)] for row in grid_spec.rows]
            return sum(1 for row in rows for cell in row if cell and cell[1] is not None)
    gc.collect()
    grid_timing = measure(grid, repeat=args.grid_repeat, warmup=3)
    grid_sql_text, _params = sql["assignment_values"]
    grid_sql = measure(lambda: _run_sql(grid_sql_text, [first.pk]), repeat=args.grid_repeat, warmup=3)
    if len(grid_sql.last_result) != len(spec.cells):
        raise RuntimeError(f"the assignment has {len(grid_sql.last_result)} values, not {len(spec.cells)}")
    with stopwatch() as cold:
        spec_for(campaign.form_id, fresh=True)
    result["grid"] = {
        "mode": mode, **({"url": url, "bytes": grid_timing.last_result} if mode == "page" else {"filled_cells": grid_timing.last_result}),
        **grid_timing.as_dict(), "sql_assignment_values": grid_sql.as_dict(), "ratio": ratio(grid_timing, grid_sql),
        "spec_build_cold_ms": round(cold.seconds * 1000, 3), "assignment": first.pk,
        "sql": "SELECT cell_id, number, text FROM the data values WHERE assignment_id = … (the same 400 rows)",
        **({"note": note} if note else {}),
    }
    env.log(f"    grid ({mode}): median {grid_timing.median_ms:.1f} ms; SQL: median {grid_sql.median_ms:.2f} ms; "
            f"ratio {result['grid']['ratio']}")

    # (c) the national consolidated report.
    env.log(f"(c) the national report: summary_data + to_xlsx ({args.report_repeat} timed) ...")

    def national():
        report = reports.summary_data(ministry, campaign, republic)
        return report, reports.to_xlsx(report, "kk")

    gc.collect()
    both = measure(national, repeat=args.report_repeat, warmup=1)
    report, xlsx = both.last_result
    data_only = measure(lambda: reports.summary_data(ministry, campaign, republic), repeat=args.report_repeat, warmup=0)
    xlsx_only = measure(lambda: reports.to_xlsx(report, "kk"), repeat=args.report_repeat, warmup=0)
    regions = measure(lambda: _run_sql(*sql["region_sums"]), repeat=args.sql_repeat, warmup=1)
    by_region: dict[int, Decimal] = {}
    for _region, cell_id, total, _count in regions.last_result:
        by_region[cell_id] = by_region.get(cell_id, Decimal(0)) + Decimal(str(total))
    report_ok = all(report.values[key] == by_region[cell.id] for key, cell in spec.cells.items())
    if not report_ok:
        raise RuntimeError("the national report's values differ from the SQL sums")
    result["national_report"] = {
        **both.as_dict(), "summary_data": data_only.as_dict(), "to_xlsx": xlsx_only.as_dict(), "xlsx_bytes": len(xlsx),
        "children": len(report.children), "expected": report.completeness.expected, "accepted": report.completeness.accepted,
        "verified_against_sql_sum": report_ok,
        "sql_region_sums": regions.as_dict(), "ratio": ratio(both, regions),
        "sql": "SELECT region, cell_id, SUM(number), COUNT(*) over the accepted organizations' data values GROUP BY region, cell",
    }
    env.log(f"    report: median {both.median_ms:.1f} ms (data {data_only.median_ms:.1f}, xlsx {xlsx_only.median_ms:.1f}); "
            f"SQL region sums: median {regions.median_ms:.1f} ms; ratio {result['national_report']['ratio']}")

    # once each, for information
    with stopwatch() as pdf_cold:
        reports.to_pdf(report, "kk")  # the first PDF of a process also loads WeasyPrint and the fonts
    with stopwatch() as pdf_sw:
        pdf = reports.to_pdf(report, "kk")
    with stopwatch() as sdmx_sw:
        sdmx = reports.to_sdmx_csv(ministry, campaign, republic)
    result["once"] = {"national_pdf_first_ms": round(pdf_cold.seconds * 1000, 1), "national_pdf_ms": round(pdf_sw.seconds * 1000, 1),
                      "pdf_bytes": len(pdf),
                      "national_sdmx_ms": round(sdmx_sw.seconds * 1000, 1), "sdmx_rows": sdmx.count(b"\n") - 1}
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(f"[bench] reporting done in {result['total_seconds']} s", file=sys.stderr)
    return result

