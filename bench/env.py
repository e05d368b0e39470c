"""Django and database set-up shared by every benchmark.

``setup_django()`` chooses the database — ``BILIM_BENCH_DATABASE_URL`` if set, else the SQLite file
``var/bench-national.sqlite3`` in the repository — exports it as ``BILIM_DATABASE_URL`` and calls
``django.setup()``. ``ensure_national()`` migrates and loads ``seed_demo --scale national`` unless the
national tree is already there. Progress goes to stderr: stdout is kept for the result line."""

from __future__ import annotations

import base64
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from .timing import stopwatch

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = REPO_DIR / "var" / "bench-national.sqlite3"
NATIONAL_MIN_ORGANIZATIONS = 10_000
DEMO_OFFICERS = ("ministry", "region.astana", "district.esil")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def database_url() -> str:
    return os.environ.get("BILIM_BENCH_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"


BENCH_PG_DIR = REPO_DIR / "var" / "bench-pg"
# A production-like server for a 2-core machine with ~20 GB of memory: durable commits (fsync and
# synchronous_commit stay on), memory for the caches and the sorts of a national load.
BENCH_PG_SETTINGS = ("-c shared_buffers=2GB -c effective_cache_size=12GB -c work_mem=64MB -c maintenance_work_mem=1GB "
                     "-c max_wal_size=8GB -c checkpoint_timeout=15min -c max_connections=100")


def ensure_postgres() -> str:
    """The URL of the benchmarks' own PostgreSQL cluster in ``var/bench-pg`` (created with Debian's
    server binaries on first use, started if it is not running, kept between runs), unless
    ``BILIM_BENCH_DATABASE_URL`` names a PostgreSQL database already. Sets the variable."""
    import glob
    import socket
    import subprocess

    url = os.environ.get("BILIM_BENCH_DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        raise SystemExit("bench: PostgreSQL server binaries not found (Debian package postgresql)")
    pgbin = Path(bins[-1]).parent
    data, port_file = BENCH_PG_DIR / "data", BENCH_PG_DIR / "port"
    as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    if not data.exists():
        BENCH_PG_DIR.mkdir(parents=True, exist_ok=True)
        if os.getuid() == 0:
            subprocess.run(["chown", "postgres:postgres", str(BENCH_PG_DIR)], check=True)
        log(f"creating the benchmark PostgreSQL cluster in {data}")
        subprocess.run([*as_pg, str(pgbin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                        "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
    running = subprocess.run([*as_pg, str(pgbin / "pg_ctl"), "-D", str(data), "status"], stdout=subprocess.DEVNULL).returncode == 0
    if not running:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        log(f"starting the benchmark PostgreSQL cluster on port {port}")
        subprocess.run([*as_pg, str(pgbin / "pg_ctl"), "-D", str(data), "-l", str(BENCH_PG_DIR / "server.log"), "-w", "-t", "120",
                        "-o", f"-p {port} -k {BENCH_PG_DIR} -c listen_addresses=127.0.0.1 {BENCH_PG_SETTINGS}", "start"],
                       check=True, stdout=subprocess.DEVNULL)
        port_file.write_text(str(port))
        subprocess.run([*as_pg, str(pgbin / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-qc",
                        "CREATE DATABASE bilim"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"postgres://postgres@127.0.0.1:{port_file.read_text().strip()}/bilim"
    os.environ["BILIM_BENCH_DATABASE_URL"] = url
    return url


def redact(url: str) -> str:
    """The URL without its password, for progress messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


_done = False


def setup_django() -> str:
    """Point Bilim at the benchmark database and set Django up; returns the database vendor.

    Measurements are taken with DEBUG off (unless BILIM_DEBUG is set explicitly): with DEBUG on,
    Django records every query's SQL text in ``connection.queries``, which is not what production
    pays for."""
    global _done
    import django
    from django.conf import settings

    if _done:
        from django.db import connection

        return connection.vendor
    if settings.configured:
        raise RuntimeError("Django was configured before bench.env.setup_django(): the database cannot be chosen any more")
    url = database_url()
    os.environ["BILIM_DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bilim.config.settings"
    os.environ.setdefault("BILIM_DEBUG", "0")
    if os.environ.get("BILIM_DEBUG", "").lower() in {"0", "false", "no", "off"}:
        os.environ.setdefault("BILIM_SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
        # production settings demand the keys of the encrypted personal-data fields; the bench reads none
        os.environ.setdefault("BILIM_FIELD_ENCRYPTION_KEYS", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    if str(REPO_DIR) not in sys.path:
        sys.path.insert(0, str(REPO_DIR))
    django.setup()
    _done = True
    from django.db import connection

    log(f"database: {connection.vendor} {redact(url)}")
    return connection.vendor


@dataclass
class SeedInfo:
    seeded: bool
    seconds: float | None = None
    migrate_seconds: float | None = None


def national_organizations() -> int:
    from bilim.core.models import Level, OrgUnit

    return OrgUnit.objects.filter(level=Level.ORGANIZATION).count()


def ensure_national(skip: tuple[str, ...] = ("journal", "analytics")) -> SeedInfo:
    """Migrate, then load the national demo tree unless ≥ 10,000 organizations are already there.
    The journal's national data (tens of millions of marks) are left to ``bench journal``."""
    from django.core.management import call_command
    from django.db import connection

    with stopwatch() as migrate_sw:
        call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr, stderr=sys.stderr)
    organizations = national_organizations()
    if organizations >= NATIONAL_MIN_ORGANIZATIONS:
        log(f"national tree already loaded ({organizations} organizations)")
        info = SeedInfo(seeded=False, migrate_seconds=migrate_sw.seconds)
    else:
        log(f"loading the national tree (seed_demo --scale national; {organizations} organizations now) ...")
        with stopwatch() as seed_sw:
            call_command("seed_demo", scale="national", skip=list(skip), stdout=sys.stderr, stderr=sys.stderr)
        organizations = national_organizations()
        log(f"seeded in {seed_sw.seconds:.1f} s: {organizations} organizations")
        if organizations < NATIONAL_MIN_ORGANIZATIONS:
            raise SystemExit(
                f"bench: the database holds other demo data ({organizations} organizations after seed_demo --scale national; "
                "seed_demo does nothing once districts exist). Point BILIM_BENCH_DATABASE_URL at an empty database "
                f"or delete {DEFAULT_SQLITE}."
            )
        info = SeedInfo(seeded=True, seconds=seed_sw.seconds, migrate_seconds=migrate_sw.seconds)
    if connection.vendor == "postgresql":
        # What autovacuum would have done by the time anyone queries a freshly loaded table; without
        # it the planner guesses row counts and the plans below would not be the production ones.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return info


def demo_users(usernames=DEMO_OFFICERS) -> dict:
    from bilim.core.models import User

    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    missing = [name for name in usernames if name not in users]
    if missing:
        raise SystemExit(f"bench: demo users missing from the database: {', '.join(missing)}")
    return users


def database_version(connection) -> str:
    """The server's version as it reports it (SQLite's library version on SQLite)."""
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]
