"""Backup and restore of the whole database (O1, H5): SQLite through its online backup API,
PostgreSQL through pg_dump / pg_restore (custom format). Each backup gets a SHA-256 file beside it,
which restore checks before it touches the database."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _db(alias: str = "default") -> dict:
    return settings.DATABASES[alias] if alias in settings.DATABASES else connections[alias].settings_dict


def _pg_env(db: dict) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", str(db.get("HOST") or "localhost"), "-U", str(db.get("USER") or "postgres")]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
            return str(candidate)
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return found


def backup(target: Path | None = None, alias: str = "default") -> Path:
    connection = connections[alias]
    db = connection.settings_dict
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if connection.vendor == "sqlite":
        target = Path(target or settings.BACKUP_DIR / f"bilim-{stamp}.sqlite3")
        target.parent.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    elif connection.vendor == "postgresql":
        target = Path(target or settings.BACKUP_DIR / f"bilim-{stamp}.pgdump")
        target.parent.mkdir(parents=True, exist_ok=True)
        args, env = _pg_env(db)
        result = subprocess.run([_tool("pg_dump"), *args, "-Fc", "--no-owner", "--no-privileges", "-f", str(target), db["NAME"]],
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    else:
        raise BackupError(f"no backup method for {connection.vendor}")
    Path(f"{target}.sha256").write_text(f"{_sha256(target)}  {target.name}\n")
    return target


def verify(source: Path) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    checksum = Path(f"{source}.sha256")
    if not checksum.is_file():
        raise BackupError(f"{checksum} is missing: cannot tell whether the backup is intact")
    expected = checksum.read_text().split()[0]
    if _sha256(source) != expected:
        raise BackupError(f"{source} does not match its SHA-256: the file is damaged")


def restore(source: Path, alias: str = "default") -> None:
    source = Path(source)
    verify(source)
    connection = connections[alias]
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is not an intact SQLite database")
            connection.ensure_connection()
            check.backup(connection.connection)  # online copy into the live database, page by page
        finally:
            check.close()
    elif connection.vendor == "postgresql":
        connection.close()
        args, env = _pg_env(db)
        result = subprocess.run(
            [_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             "-d", db["NAME"], str(source)],
            env=env, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    else:
        raise BackupError(f"no restore method for {connection.vendor}")
    # in-process caches keyed by database ids describe the database that was just replaced
    from django.apps import apps

    for config in apps.get_app_configs():
        if hasattr(config, "forget_caches"):
            config.forget_caches()
