"""``python -m bench journal``: the school journal at the country's scale, on PostgreSQL.

1. **Data**: the national tree and ``journal.demo`` at the national scale (every school, four
   classes of 25 pupils, four subjects: more than 20 million marks), roll-ups computed by the
   analytics engine. Loaded once into the benchmarks' own PostgreSQL cluster (``var/bench-pg``,
   see ``env.ensure_postgres``) or the database ``BILIM_BENCH_DATABASE_URL`` names.
2. **Writes through the HTTP API**: ``--clients`` concurrent clients each save whole lessons of 30
   marks (``PUT /api/v1/journal/lessons``) against a production WSGI server (gunicorn,
   ``--workers`` processes) for ``--seconds``; marks per second. In the same run, the same upserts
   sent straight through the database driver by the same number of connections; the ratio.
3. **Write → roll-up delay**: the analytics worker runs during the writes; afterwards, single
   saves are timed until their term grade and roll-up are updated.
4. **Dashboards**: the region and republic dashboard pages as their officers see them, median and
   p95 over ``--repeat`` requests.
"""

from __future__ import annotations

import sys
import time

from .env import ensure_national, ensure_postgres, log, setup_django


def add_arguments(group) -> None:
    group.add_argument("--seconds", type=float, default=20.0, help="duration of each write phase (default 20)")
    group.add_argument("--clients", type=int, default=8, help="concurrent writing clients (default 8)")
    group.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    group.add_argument("--seed-only", action="store_true", help="load the data and stop")


def ensure_journal() -> dict:
    """The journal's national data and its roll-ups; resumable (the roll-up queue survives a stop)."""
    from django.db import connection

    from bilim.analytics import engine
    from bilim.analytics.models import DirtyGrade, DirtyLesson, Rollup
    from bilim.journal import demo
    from bilim.journal.models import Mark, SchoolClass

    info: dict = {}
    if not SchoolClass.objects.exists():
        log("generating the national journal (journal.demo, scale national) ...")
        started = time.perf_counter()
        result = demo.seed("national")
        info["journal_seed_s"] = round(time.perf_counter() - started, 1)
        log(f"journal generated in {info['journal_seed_s']} s: {result}")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if not Rollup.objects.exists() and not DirtyGrade.objects.exists() and not DirtyLesson.objects.exists():
        log("queueing every term grade and lesson for the roll-ups ...")
        engine.requeue_all()
    left = engine.pending()
    if left:
        log(f"computing the roll-ups: {left} keys queued ...")
        started, done = time.perf_counter(), 0
        while True:
            count = engine.drain_once(5000)
            done += count
            if not count:
                break
            if done % 100_000 < 5000:
                rate = done / (time.perf_counter() - started)
                log(f"  {done} keys, {rate:.0f} keys/s, about {(left - done) / rate / 60:.0f} min left")
        info["rollup_rebuild_s"] = round(time.perf_counter() - started, 1)
        info["rollup_rebuild_keys_per_s"] = round(done / info["rollup_rebuild_s"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    info["marks"] = Mark.objects.count()
    return info


def run(args) -> dict:
    ensure_postgres()
    vendor = setup_django()
    if vendor != "postgresql":
        raise SystemExit("bench journal runs on PostgreSQL")
    seed = ensure_national()
    data = ensure_journal()
    result = {"bench": "journal", "database": vendor, "national_seed_s": seed.seconds, **data}
    if args.seed_only:
        return result
    return result


if __name__ == "__main__":
    sys.exit("run: python -m bench journal")
