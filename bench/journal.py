"""``python -m bench journal``: the school journal at the country's scale, on PostgreSQL.

1. **Data**: the national tree and ``journal.demo`` at the national scale (every school, three
   classes of 30 pupils, four subjects: more than 20 million marks), roll-ups computed by the
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

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from .env import REPO_DIR, ensure_national, ensure_postgres, log, setup_django
from .timing import Timing, measure

MARKS_PER_LESSON = 30


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
    rebuilding = False
    if not Rollup.objects.exists() and not DirtyGrade.objects.exists() and not DirtyLesson.objects.exists():
        log("queueing every term grade and lesson for the roll-ups ...")
        engine.requeue_all()
        rebuilding = True
    left = engine.pending()
    if left and not rebuilding:
        log(f"draining {left} keys left in the roll-up queue ...")
        engine.drain()
    elif left:
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
    plans = _writers(args.clients)
    result["write"] = _write_phases(plans, args)
    result["rollup_delay"] = _delays(plans)
    result["dashboards"] = _dashboards(args)
    return result


@dataclass
class Writer:
    """One client: a teacher of one school, a token, and the lessons it writes in turn."""

    teacher_id: int
    token: str
    lessons: list[dict] = field(default_factory=list)  # {cs, lesson, date, number, pupils}


def _writers(clients: int) -> list[Writer]:
    """``clients`` teachers of different schools (their stand-in accounts activated, an API token
    each) with the lessons of the current term they teach, each of a class of 30."""
    from django.db.models import Count

    from bilim.core.models import Role, RoleGrant, User
    from bilim.core.services import token_create
    from bilim.journal.models import ClassSubject, Enrolment, Lesson, StudyPeriod

    today = date.today()
    period = StudyPeriod.objects.filter(kind="term", starts__lte=today, year__code="2026-2027").order_by("-starts").first()
    schools = (ClassSubject.objects.filter(school_class__year=period.year, teacher__username__startswith="demo-teacher-")
               .values("school_class__school_id", "teacher_id").annotate(n=Count("pk")).order_by("school_class__school_id")[:clients])
    writers = []
    for row in schools:
        teacher = User.objects.get(pk=row["teacher_id"])
        if not teacher.is_active:
            teacher.is_active = True
            teacher.save(update_fields=["is_active"])
        RoleGrant.objects.get_or_create(user=teacher, role=Role.TEACHER, org_unit_id=row["school_class__school_id"])
        _token, raw = token_create(user=teacher, name="bench journal")
        writer = Writer(teacher.pk, raw)
        lessons = (Lesson.objects.filter(class_subject__teacher=teacher, class_subject__school_class__year=period.year,
                                         date__gte=period.starts, date__lte=today)
                   .values("pk", "class_subject_id", "class_subject__school_class_id", "date", "number").order_by("date", "number"))
        roll = {}
        for lesson in lessons:
            klass = lesson["class_subject__school_class_id"]
            if klass not in roll:
                roll[klass] = sorted(Enrolment.objects.filter(school_class_id=klass, ends__isnull=True).values_list("pupil_id", flat=True))
            if len(roll[klass]) >= MARKS_PER_LESSON:
                writer.lessons.append({"cs": lesson["class_subject_id"], "lesson": lesson["pk"], "date": lesson["date"].isoformat(),
                                       "number": lesson["number"], "pupils": roll[klass][:MARKS_PER_LESSON]})
        writers.append(writer)
    log(f"{len(writers)} writers, {sum(len(w.lessons) for w in writers)} lessons of {period} to write")
    return writers


def _free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _server(workers: int):
    port = _free_port()
    # as behind the TLS-terminating proxy of production: plain HTTP on the loopback, no redirect
    env = dict(os.environ, BILIM_SSL_REDIRECT="0", PYTHONWARNINGS="ignore::UserWarning")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "bilim.config.wsgi:application", "--workers", str(workers),
                             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=REPO_DIR, env=env)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("bench: gunicorn did not start")


def _body(lesson: dict, round_no: int) -> bytes:
    marks = [{"pupil": pupil, "kind": "formative", "value": 1 + (pupil + round_no) % 10} for pupil in lesson["pupils"]]
    return json.dumps({"date": lesson["date"], "number": lesson["number"], "marks": marks}).encode()


def _run_clients(plans: list[Writer], seconds: float, send) -> dict:
    """Every writer in its own thread sends lessons in turn for ``seconds``; marks per second."""
    stop = time.monotonic() + seconds
    counts, latencies, errors = [0] * len(plans), [[] for _ in plans], []

    def client(index: int, writer: Writer):
        state = send.open(writer)
        round_no = 0
        try:
            while time.monotonic() < stop:
                for lesson in writer.lessons:
                    if time.monotonic() >= stop:
                        break
                    started = time.perf_counter()
                    problem = send.one(state, writer, lesson, round_no)
                    latencies[index].append(time.perf_counter() - started)
                    if problem:
                        errors.append(problem)
                        return
                    counts[index] += MARKS_PER_LESSON
                round_no += 1
        finally:
            send.close(state)

    threads = [threading.Thread(target=client, args=(i, w)) for i, w in enumerate(plans)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    if errors:
        raise SystemExit(f"bench: a write failed: {errors[0]}")
    flat = [x for xs in latencies for x in xs]
    return {"marks_per_s": round(sum(counts) / elapsed), "lessons": len(flat), "seconds": round(elapsed, 1),
            "lesson_latency": Timing(flat).as_dict(1)}


class _Http:
    def __init__(self, port: int):
        self.port = port

    def open(self, writer):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def one(self, conn, writer, lesson, round_no):
        conn.request("PUT", f"/api/v1/journal/class-subjects/{lesson['cs']}/lessons", body=_body(lesson, round_no),
                     headers={"Authorization": f"Bearer {writer.token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read()
        return None if response.status == 200 else f"HTTP {response.status}: {body[:300]!r}"

    def close(self, conn):
        conn.close()


class _Driver:
    """The same upserts straight through psycopg: one INSERT … ON CONFLICT DO UPDATE of 30 rows and
    a commit per lesson — the floor under anything the application adds (checks, audit, queue)."""

    def __init__(self, url: str):
        self.url = url

    def open(self, writer):
        import psycopg

        return psycopg.connect(self.url.replace("postgres://", "postgresql://"))

    def one(self, conn, writer, lesson, round_no):
        rows = [(lesson["lesson"], pupil, "formative", 1 + (pupil + round_no + 1) % 10, writer.teacher_id) for pupil in lesson["pupils"]]
        with conn.cursor() as cursor:
            cursor.execute(
                "INSERT INTO journal_mark (lesson_id, pupil_id, kind, value, max_points, missed, updated_by_id, updated_at) VALUES "
                + ", ".join(["(%s, %s, %s, %s, NULL, FALSE, %s, now())"] * len(rows))
                + " ON CONFLICT (lesson_id, pupil_id, kind) DO UPDATE SET value = excluded.value, max_points = excluded.max_points, "
                "missed = excluded.missed, updated_by_id = excluded.updated_by_id, updated_at = excluded.updated_at",
                [v for row in rows for v in row])
        conn.commit()

    def close(self, conn):
        conn.close()


def _worker(interval: float):
    return subprocess.Popen([sys.executable, "manage.py", "analytics_worker", "--interval", str(interval)], cwd=REPO_DIR,
                            env=dict(os.environ), stdout=subprocess.DEVNULL)


def _write_phases(plans: list[Writer], args) -> dict:
    from bilim.analytics import engine

    log(f"HTTP writes: {args.clients} clients, gunicorn with {args.workers} workers, {args.seconds:.0f} s, analytics worker running ...")
    server, port = _server(args.workers)
    worker = _worker(0.2)
    try:
        _run_clients(plans[:1], 2, _Http(port))  # warm the workers up
        http_result = _run_clients(plans, args.seconds, _Http(port))
        backlog = engine.pending()
        started = time.monotonic()
        while engine.pending():
            time.sleep(0.1)
        http_result["rollup_backlog_after_load"] = backlog
        http_result["rollup_backlog_drained_s"] = round(time.monotonic() - started, 1)
    finally:
        server.terminate()
        server.wait()
        worker.terminate()
        worker.wait()
    log(f"  {http_result['marks_per_s']} marks/s through HTTP")
    log(f"driver upserts: {args.clients} connections, {args.seconds:.0f} s ...")
    driver_result = _run_clients(plans, args.seconds, _Driver(os.environ["BILIM_BENCH_DATABASE_URL"]))
    log(f"  {driver_result['marks_per_s']} marks/s through the driver")
    return {"http": http_result, "driver": driver_result, "clients": args.clients, "gunicorn_workers": args.workers,
            "marks_per_lesson": MARKS_PER_LESSON,
            "http_to_driver_ratio": round(http_result["marks_per_s"] / driver_result["marks_per_s"], 3),
            "target_marks_per_s": 10_000}


def _delays(plans: list[Writer], samples: int = 20) -> dict:
    """Single saves through HTTP with the worker polling as in production (every second): the time
    from the save's response to its term grade being in the roll-ups (its queue entry gone)."""
    from bilim.analytics.models import DirtyGrade

    log("write → roll-up delay ...")
    server, port = _server(1)
    worker = _worker(1.0)
    http = _Http(port)
    delays = []
    try:
        conn = http.open(plans[0])
        for i in range(samples):
            writer = plans[i % len(plans)]
            lesson = writer.lessons[i % len(writer.lessons)]
            problem = http.one(conn, writer, lesson, 1000 + i)
            if problem:
                raise SystemExit(f"bench: {problem}")
            sent = time.perf_counter()
            while DirtyGrade.objects.filter(class_subject_id=lesson["cs"], pupil_id__in=lesson["pupils"]).exists():
                time.sleep(0.01)
            delays.append(time.perf_counter() - sent)
            time.sleep(0.3)
        conn.close()
    finally:
        server.terminate()
        server.wait()
        worker.terminate()
        worker.wait()
    return {"worker_poll_interval_s": 1.0, **Timing(delays).as_dict(1)}


def _dashboards(args) -> dict:
    """The dashboard pages of a region and of the republic as their officers load them (in-process
    client: the view, its queries and the template, without the network)."""
    from django.test import Client
    from django.urls import reverse

    from bilim.core.models import Level, OrgUnit, User
    from bilim.journal.models import StudyPeriod

    today = date.today()
    period = StudyPeriod.objects.filter(kind="term", starts__lte=today, year__code="2026-2027").order_by("-starts").first()
    region = OrgUnit.objects.get(level=Level.REGION, kato="710000000")
    republic = OrgUnit.objects.get(level=Level.REPUBLIC)
    out = {}
    for name, username, unit in (("region", "region.astana", region), ("republic", "ministry", republic)):
        client = Client()
        client.force_login(User.objects.get(username=username))
        url = reverse("analytics:unit", args=[unit.pk]) + f"?period={period.pk}"

        def get(client=client, url=url):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="kk", secure=True)  # as behind the TLS proxy
            assert response.status_code == 200, response.status_code
            return len(response.content)

        timing = measure(get, repeat=min(args.repeat, 100), warmup=min(args.warmup, 5))
        out[name] = timing.as_dict(2)
    return out


if __name__ == "__main__":
    sys.exit("run: python -m bench journal")
