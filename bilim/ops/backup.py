"""Backup and restore of the whole system (O1, H5): the database and the uploaded files under
MEDIA_ROOT, as one set of three files side by side::

    bilim-<time>.sqlite3 | .pgdump        the database (SQLite online backup API, or pg_dump -Fc)
    bilim-<time>.….media.tar              MEDIA_ROOT as a plain tar (stdlib tarfile, PAX)
    bilim-<time>.….sha256                 SHA-256 of both, in `sha256sum -c` format

Every part is written under a temporary name and renamed when complete; the checksum file is
written last, so a set without it is an unfinished one. The database is dumped first and the files
archived after it: an upload during the backup leaves at most a file no row refers to, never a row
without its file (a file deleted in that window is the one exception; stop writers for a perfect set).

Restore checks every checksum and reads the whole archive before it touches anything, unpacks the
files into a sibling of MEDIA_ROOT, restores the database (SQLite backup API, or pg_restore --clean
--single-transaction) and only then swaps the unpacked directory in place of MEDIA_ROOT. A backup
made before files were backed up (a lone database file whose checksum file names only it) is still
restored: the database alone, MEDIA_ROOT left as it is."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections

MEDIA_SUFFIX = ".media.tar"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupSet:
    """The parts of one backup, checked against the checksum file (``media`` is None for a
    database-only backup made before files were backed up)."""

    database: Path
    media: Path | None
    checksums: Path

    @property
    def parts(self) -> list[Path]:
        return [self.database] + ([self.media] if self.media else [])


@dataclass(frozen=True)
class RestoreResult:
    backup: BackupSet
    media_files: int | None  # None: MEDIA_ROOT was left as it was (database-only backup)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def _inside(path: Path, root: Path) -> bool:
    path = path.resolve()
    return path == root or root in path.parents


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")


def _unlink(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


# --- backup -----------------------------------------------------------------------------------------


def backup(target: Path | None = None, alias: str = "default") -> Path:
    """Write a backup set and return the path of its database file (the name restore takes)."""
    connection = connections[alias]
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}.get(connection.vendor)
    if suffix is None:
        raise BackupError(f"no backup method for {connection.vendor}")
    target = Path(target or settings.BACKUP_DIR / f"bilim-{stamp}{suffix}").absolute()
    media_root = _media_root()
    if _inside(target.parent, media_root):
        raise BackupError(f"{target} is under MEDIA_ROOT ({media_root}): keep backups outside the files they back up")
    target.parent.mkdir(parents=True, exist_ok=True)
    media = Path(f"{target}{MEDIA_SUFFIX}")
    checksums = Path(f"{target}.sha256")
    database_part, media_part, checksums_part = _temporary(target), _temporary(media), _temporary(checksums)
    try:
        _dump_database(connection, database_part)
        _archive_media(media_root, media_part)
        checksums_part.write_text(f"{_sha256(database_part)}  {target.name}\n{_sha256(media_part)}  {media.name}\n")
        for part in (database_part, media_part, checksums_part):
            _fsync(part)
        _unlink(checksums)  # an older set under this name stops being a valid set before its parts are replaced
        os.replace(database_part, target)
        os.replace(media_part, media)
        os.replace(checksums_part, checksums)  # last: a set without its checksum file is unfinished
    finally:
        _unlink(database_part, media_part, checksums_part)
    return target


def _dump_database(connection, target: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:
        db = connection.settings_dict
        args, env = _pg_env(db)
        result = subprocess.run([_tool("pg_dump"), *args, "-Fc", "--no-owner", "--no-privileges", "-f", str(target), db["NAME"]],
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def _archive_media(media_root: Path, target: Path) -> int:
    """Every directory and regular file under MEDIA_ROOT, by path relative to it, in sorted order.
    Symbolic links and special files are not uploads and are left out; a file deleted while the
    archive is written is left out too."""
    count = 0
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        if not media_root.is_dir():
            return 0
        for directory, subdirectories, files in os.walk(media_root):
            subdirectories.sort()
            here = Path(directory)
            for name in subdirectories:
                path = here / name
                if not path.is_symlink():
                    archive.add(path, arcname=path.relative_to(media_root).as_posix(), recursive=False)
            for name in sorted(files):
                path = here / name
                try:
                    info = archive.gettarinfo(path, arcname=path.relative_to(media_root).as_posix())
                    if not info.isreg():
                        continue
                    with path.open("rb") as handle:
                        archive.addfile(info, handle)
                except FileNotFoundError:
                    continue
                count += 1
    return count


# --- verification ----------------------------------------------------------------------------------


def verify(source: Path) -> BackupSet:
    """Check that every part of the set exists and matches its SHA-256; raise BackupError naming
    the part that is missing or altered. Nothing is touched."""
    source = Path(source).absolute()
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    checksums = Path(f"{source}.sha256")
    if not checksums.is_file():
        raise BackupError(f"{checksums} is missing: cannot tell whether the backup is intact")
    expected: dict[str, str] = {}
    for number, line in enumerate(checksums.read_text(errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.strip().partition(" ")
        name = name.strip().lstrip("*")
        if len(digest) != 64 or not name:
            raise BackupError(f"{checksums}, line {number}, is not a SHA-256 line: the checksum file is damaged")
        kind = "media" if name.endswith(MEDIA_SUFFIX) else "database"
        if kind in expected:
            raise BackupError(f"{checksums} names more than one {kind} file: the checksum file is damaged")
        expected[kind] = digest.lower()
    if "database" not in expected:
        raise BackupError(f"{checksums} names no database file: the checksum file is damaged")
    media = Path(f"{source}{MEDIA_SUFFIX}")
    if "media" in expected:
        if not media.is_file():
            raise BackupError(f"{media} is missing: the backup set is incomplete (the uploaded files are in it)")
    elif media.exists():
        raise BackupError(f"{media} is not named in {checksums}: the backup set is inconsistent")
    found = BackupSet(database=source, media=media if "media" in expected else None, checksums=checksums)
    if _sha256(source) != expected["database"]:
        raise BackupError(f"{source} does not match its SHA-256: the file is damaged")
    if found.media and _sha256(found.media) != expected["media"]:
        raise BackupError(f"{found.media} does not match its SHA-256: the media archive is damaged or altered")
    return found


def _check_dump_kind(source: Path, vendor: str) -> None:
    with source.open("rb") as handle:
        head = handle.read(len(_SQLITE_MAGIC))
    kind = "sqlite" if head.startswith(_SQLITE_MAGIC) else "postgresql" if head.startswith(_PGDUMP_MAGIC) else None
    if kind is None:
        raise BackupError(f"{source} is neither a SQLite database nor a pg_dump archive")
    if kind != vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"{source} is a {names[kind]} backup; this database is {names.get(vendor, vendor)}")


def _check_archive(media: Path) -> int:
    """Read the whole archive (a truncated or unreadable one fails here, before anything is
    touched) and accept only directories and regular files at relative paths inside MEDIA_ROOT."""
    count = 0
    try:
        with tarfile.open(media, "r:") as archive:
            for member in archive:
                path = PurePosixPath(member.name)
                if path.is_absolute() or ".." in path.parts or not (member.isdir() or member.isreg()):
                    raise BackupError(f"{media} holds {member.name!r}, which is not a file or directory under MEDIA_ROOT")
                count += member.isreg()
    except tarfile.TarError as exc:
        raise BackupError(f"{media} is not a readable tar archive: {exc}") from exc
    return count


# --- restore ---------------------------------------------------------------------------------------


def restore(source: Path, alias: str = "default") -> RestoreResult:
    connection = connections[alias]
    found = verify(source)
    _check_dump_kind(found.database, connection.vendor)
    media_root = _media_root()
    if _inside(found.database, media_root):
        raise BackupError(f"{found.database} is under MEDIA_ROOT ({media_root}), which the restore replaces: move it out first")
    staging = None
    count = None
    if found.media:
        count = _check_archive(found.media)
        staging = _unpack(found.media, media_root)
    try:
        _restore_database(connection, found.database)
    except BaseException:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    _forget_caches()
    if staging:
        _swap_in(staging, media_root)
    return RestoreResult(backup=found, media_files=count)


def _scratch(media_root: Path, kind: str) -> Path:
    """A fresh name for a scratch directory on MEDIA_ROOT's file system: beside it, or inside it
    when it is a mount point (a container volume cannot be renamed)."""
    where = media_root if os.path.ismount(media_root) else media_root.parent
    return where / f".{media_root.name}.{kind}-{secrets.token_hex(4)}"


def _unpack(media: Path, media_root: Path) -> Path:
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = _scratch(media_root, "restore")
    staging.mkdir()
    try:
        with tarfile.open(media, "r:") as archive:
            archive.extractall(staging, filter="data")
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, (OSError, tarfile.TarError)):
            raise BackupError(f"cannot unpack {media} beside {media_root}: {exc}; nothing was changed") from exc
        raise
    return staging


def _restore_database(connection, source: Path) -> None:
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
        db = connection.settings_dict
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


def _forget_caches() -> None:
    # in-process caches keyed by database ids describe the database that was just replaced
    from django.apps import apps

    for config in apps.get_app_configs():
        if hasattr(config, "forget_caches"):
            config.forget_caches()


def _swap_in(staging: Path, media_root: Path) -> None:
    """Put the unpacked files in place of MEDIA_ROOT: two renames in the same parent directory, the
    old tree removed afterwards. When MEDIA_ROOT is a mount point (it cannot be renamed) its entries
    are exchanged one by one instead, inside it."""
    old = _scratch(media_root, "old")
    try:
        if not media_root.exists():
            os.rename(staging, media_root)
            return
        if staging.parent == media_root:
            old.mkdir()
            for entry in os.listdir(media_root):
                if entry not in (old.name, staging.name):
                    os.rename(media_root / entry, old / entry)
            for entry in os.listdir(staging):
                os.rename(staging / entry, media_root / entry)
            staging.rmdir()
        else:
            os.rename(media_root, old)
            try:
                os.rename(staging, media_root)
            except OSError:
                os.rename(old, media_root)
                raise
    except OSError as exc:
        raise BackupError(
            f"the database was restored, but the files could not be put in place of {media_root}: {exc}. "
            f"The restored files are in {staging}; move them there by hand."
        ) from exc
    shutil.rmtree(old, ignore_errors=True)
