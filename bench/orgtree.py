"""orgtree: subtree listing, scope checks and search on the national org tree, through the real
selectors and the real demo officers (``ministry``, ``region.astana``, ``district.esil``).

Measured (each ``--repeat`` times after ``--warmup`` untimed calls; median and p95 in ms):

* ``subtree_republic`` / ``subtree_region`` / ``subtree_district``: ``selectors.orgunit_subtree`` —
  ``count()`` and the first page ``list(qs[:50])``, separately and together (one page view). The
  republic and the region with the most organizations as the ministry officer; the district
  officer's own district as that officer.
* ``scope_get_inside`` / ``scope_get_outside``: ``selectors.orgunit_get`` by the district officer for
  an organization in their district, and for the first one just outside it (must raise Http404).
* ``search_text`` / ``search_kato``: ``selectors.orgunit_search`` by the ministry officer, first 50.
* ``raw_region_count`` / ``raw_region_page``: the region subtree through ``connection.cursor()`` with
  hand-written SQL (one ``path`` range); ``orm_sql_region_*``: the exact statement the ORM sends
  (scope range AND subtree range), also through the cursor; ``orm_region_*``: the selector. Ratios of
  the medians: ``orm_raw_ratio_*`` (selector / hand-written) = ``orm_sql_raw_ratio_*`` (what the
  database pays for the ORM's statement) × the ORM's own Python overhead.
* ``explain``: the database's plan for the subtree queries as the ORM sends them, and whether the
  index on ``path`` answers them (``uses_index``; false if any of them scans the whole table)."""

from __future__ import annotations

import gc
import platform
import re
import sys
import time

from . import env
from .timing import measure, ratio

PAGE = 50
TEXT_QUERY = "мектеп"
PLAN_LINES = 12


def add_arguments(parser) -> None:
    parser.add_argument("--text-query", default=TEXT_QUERY, help=f"orgunit_search text query (default {TEXT_QUERY!r})")


# --- plans ----------------------------------------------------------------------------------------

def _capture(fn):
    """Run ``fn`` and return the (sql, params) of the queries it sent."""
    from django.db import connection

    seen: list[tuple[str, tuple]] = []

    def wrapper(execute, sql, params, many, context):
        seen.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return seen


def _plan(sql: str, params) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            rows = cursor.fetchall()
            depth: dict[int, int] = {}
            lines = []
            for node_id, parent, _unused, detail in rows:
                depth[node_id] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node_id] + detail)
            return lines
        cursor.execute("EXPLAIN " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def _path_indexes() -> set[str]:
    """Names of the indexes whose first column is ``core_orgunit.path``."""
    from django.db import connection

    from bilim.core.models import OrgUnit

    table = OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Django's introspection gives the inline UNIQUE a made-up name; the plan names the autoindex.
            cursor.execute(f"PRAGMA index_list({connection.ops.quote_name(table)})")
            names = [row[1] for row in cursor.fetchall()]
            found = set()
            for name in names:
                cursor.execute(f"PRAGMA index_info({connection.ops.quote_name(name)})")
                columns = [row[2] for row in sorted(cursor.fetchall())]
                if columns[:1] == ["path"]:
                    found.add(name)
            return found
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name for name, c in constraints.items() if (c.get("index") or c.get("unique")) and (c.get("columns") or [None])[0] == "path"}


_FULL_SCAN = {
    "sqlite": re.compile(r"^\s*SCAN (TABLE )?core_orgunit\b"),  # a SCAN, even "USING INDEX", reads every row
    "postgresql": re.compile(r"Seq Scan on core_orgunit\b"),
}


def _judge(vendor: str, plan: list[str], path_indexes: set[str]) -> dict:
    full_scan = any(_FULL_SCAN.get(vendor, re.compile(r"$^")).search(line) for line in plan)
    named = any(name in line for line in plan for name in path_indexes)
    return {"plan": plan[:PLAN_LINES], "uses_index": bool(named and not full_scan), "full_scan": full_scan}


def _explain(label: str, fn, vendor: str, path_indexes: set[str]) -> dict:
    queries = _capture(fn)
    if len(queries) != 1:
        raise RuntimeError(f"{label}: expected one query, the selector sent {len(queries)}")
    sql, params = queries[0]
    return _judge(vendor, _plan(sql, params), path_indexes)


# --- the benchmark ----------------------------------------------------------------------------------

def _subtree(selectors, user, unit, repeat: int, warmup: int) -> dict:
    gc.collect()
    count = measure(lambda: selectors.orgunit_subtree(user, unit).count(), repeat=repeat, warmup=warmup)
    page = measure(lambda: list(selectors.orgunit_subtree(user, unit)[:PAGE]), repeat=repeat, warmup=warmup)

    def page_view():
        qs = selectors.orgunit_subtree(user, unit)
        return qs.count(), list(qs[:PAGE])

    both = measure(page_view, repeat=repeat, warmup=warmup)
    total, rows = both.last_result
    return {
        **both.as_dict(), "rows": total, "page_rows": len(rows),
        "count": count.as_dict(), "page": page.as_dict(),
        "unit": {"pk": unit.pk, "level": unit.level, "name": unit.name_en or unit.name_ru, "kato": unit.kato}, "user": user.username,
    }


def run(args) -> dict:
    started = time.perf_counter()
    repeat, warmup = args.repeat, args.warmup
    vendor = env.setup_django()
    seed = env.ensure_national()

    import django
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.http import Http404

    from bilim.core import paths, selectors
    from bilim.core.models import Level, OrgUnit, RoleGrant

    users = env.demo_users()
    ministry, region_officer, district_officer = users["ministry"], users["region.astana"], users["district.esil"]

    levels = dict(OrgUnit.objects.values_list("level").annotate(n=Count("id")).order_by())
    units = {label.lower(): levels.get(value, 0) for value, label in ((l.value, l.name) for l in Level)}
    units["total"] = sum(levels.values())

    root = OrgUnit.objects.get(parent__isnull=True)
    regions = list(OrgUnit.objects.filter(level=Level.REGION).order_by("path"))
    org_counts = {
        r.pk: OrgUnit.objects.filter(level=Level.ORGANIZATION, path__gte=r.path, path__lt=paths.upper(r.path)).count() for r in regions
    }
    region = max(regions, key=lambda r: (org_counts[r.pk], -r.pk))
    district = RoleGrant.objects.select_related("org_unit").get(user=district_officer, role="district_officer").org_unit
    inside = OrgUnit.objects.filter(level=Level.ORGANIZATION, path__gte=district.path, path__lt=paths.upper(district.path)).order_by("path").first()
    outside = OrgUnit.objects.filter(level=Level.ORGANIZATION, path__gte=paths.upper(district.path)).order_by("path").first() \
        or OrgUnit.objects.filter(level=Level.ORGANIZATION, path__lt=district.path).order_by("-path").first()
    first_district = OrgUnit.objects.filter(level=Level.DISTRICT, path__gte=region.path, path__lt=paths.upper(region.path)).order_by("path").first()
    kato_query = first_district.kato[:4]
    env.log(f"units {units}; biggest region {region.name_en} ({org_counts[region.pk]} organizations); "
            f"district {district.name_en}; repeat {repeat}, warm-up {warmup}")

    result: dict = {
        "bench": "orgtree", "vendor": vendor, "database_version": env.database_version(connection),
        "django": django.get_version(), "python": platform.python_version(),
        "debug": bool(settings.DEBUG),
        "repeat": repeat, "warmup": warmup, "units": units,
        "seeded": seed.seeded, "seed_seconds": None if seed.seconds is None else round(seed.seconds, 2),
    }

    # 1. subtree listing
    env.log("subtree listing ...")
    result["subtree_republic"] = _subtree(selectors, ministry, root, repeat, warmup)
    result["subtree_region"] = _subtree(selectors, ministry, region, repeat, warmup)
    result["subtree_region"]["organizations"] = org_counts[region.pk]
    result["subtree_district"] = _subtree(selectors, district_officer, district, repeat, warmup)
    if result["subtree_republic"]["rows"] != units["total"]:
        raise RuntimeError(f"the ministry officer sees {result['subtree_republic']['rows']} of {units['total']} units")

    # 2. scope checks
    env.log("scope checks ...")
    got = measure(lambda: selectors.orgunit_get(district_officer, inside.pk), repeat=repeat, warmup=warmup)
    if got.last_result.pk != inside.pk:
        raise RuntimeError("orgunit_get returned the wrong unit")

    def probe_outside() -> bool:
        try:
            selectors.orgunit_get(district_officer, outside.pk)
        except Http404:
            return True
        return False

    refused = measure(probe_outside, repeat=repeat, warmup=warmup)
    if not refused.last_result:
        raise RuntimeError(f"the district officer could read unit {outside.pk} outside their district")
    result["scope_get_inside"] = {**got.as_dict(), "pk": inside.pk, "found": True}
    result["scope_get_outside"] = {**refused.as_dict(), "pk": outside.pk, "http404": True}

    # 3. search
    env.log("search ...")
    gc.collect()
    for key, query in (("search_text", args.text_query), ("search_kato", kato_query)):
        timing = measure(lambda q=query: list(selectors.orgunit_search(ministry, query=q)[:PAGE]), repeat=repeat, warmup=warmup)
        result[key] = {**timing.as_dict(), "query": query, "page_rows": len(timing.last_result),
                       "matches": selectors.orgunit_search(ministry, query=query).count()}

    # 4. the same region subtree with hand-written SQL
    env.log("raw SQL comparison ...")
    table = connection.ops.quote_name(OrgUnit._meta.db_table)
    low, high = region.path, paths.upper(region.path)

    def raw_count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE path >= %s AND path < %s", [low, high])
            return cursor.fetchone()[0]

    def raw_page() -> list:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table} WHERE path >= %s AND path < %s ORDER BY path LIMIT {PAGE}", [low, high])
            return cursor.fetchall()

    def orm_count() -> int:
        return selectors.orgunit_subtree(ministry, region).count()

    def orm_page() -> list:
        return list(selectors.orgunit_subtree(ministry, region)[:PAGE])

    def same_sql(fn):
        """The exact statement the ORM sends for ``fn``, run through the cursor: ORM overhead only."""
        (sql, params), = _capture(fn)

        def call():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        return call

    gc.collect()
    raw_c = measure(raw_count, repeat=repeat, warmup=warmup)
    sql_c = measure(same_sql(orm_count), repeat=repeat, warmup=warmup)
    orm_c = measure(orm_count, repeat=repeat, warmup=warmup)
    raw_p = measure(raw_page, repeat=repeat, warmup=warmup)
    sql_p = measure(same_sql(orm_page), repeat=repeat, warmup=warmup)
    orm_p = measure(orm_page, repeat=repeat, warmup=warmup)
    if not raw_c.last_result == sql_c.last_result[0][0] == orm_c.last_result:
        raise RuntimeError(f"counts differ: raw {raw_c.last_result}, ORM SQL {sql_c.last_result}, ORM {orm_c.last_result}")
    result["raw_region_count"] = {**raw_c.as_dict(), "rows": raw_c.last_result}
    result["orm_sql_region_count"] = sql_c.as_dict()
    result["orm_region_count"] = orm_c.as_dict()
    result["orm_raw_ratio_count"] = ratio(orm_c, raw_c)
    result["orm_sql_raw_ratio_count"] = ratio(sql_c, raw_c)
    result["raw_region_page"] = {**raw_p.as_dict(), "rows": len(raw_p.last_result)}
    result["orm_sql_region_page"] = sql_p.as_dict()
    result["orm_region_page"] = orm_p.as_dict()
    result["orm_raw_ratio_page"] = ratio(orm_p, raw_p)
    result["orm_sql_raw_ratio_page"] = ratio(sql_p, raw_p)

    slow = result["orm_sql_raw_ratio_count"]
    if slow is not None and slow > 3:
        result.setdefault("notes", []).append(
            f"the database takes {slow}x longer for the ORM's region count than for the hand-written one (same rows): the "
            "selector ANDs the scope's path range with the subtree's, and the index scan is bounded by the wider one")

    # plans
    env.log("query plans ...")
    indexes = _path_indexes()
    explain = {
        "region_page": _explain("region page", lambda: list(selectors.orgunit_subtree(ministry, region)[:PAGE]), vendor, indexes),
        "region_count": _explain("region count", lambda: selectors.orgunit_subtree(ministry, region).count(), vendor, indexes),
        "district_page": _explain("district page", lambda: list(selectors.orgunit_subtree(district_officer, district)[:PAGE]), vendor, indexes),
        "raw_region_count": _explain("raw count", raw_count, vendor, indexes),
    }
    search_plan = _plan(*_capture(lambda: list(selectors.orgunit_search(ministry, query=args.text_query)[:PAGE]))[0])
    result["explain"] = {"path_indexes": sorted(indexes), **explain, "search_text": {"plan": search_plan[:PLAN_LINES]}}
    result["uses_index"] = all(item["uses_index"] for item in explain.values())
    if not result["uses_index"]:
        result["warning"] = "a subtree query does not use the index on path (see explain)"
        env.log(result["warning"])

    # the region officer, for completeness: their own region's page view
    result["subtree_region_officer"] = _subtree(
        selectors, region_officer, RoleGrant.objects.select_related("org_unit").get(user=region_officer, role="region_officer").org_unit,
        repeat, warmup,
    )
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(f"[bench] orgtree done in {result['total_seconds']} s", file=sys.stderr)
    return result

