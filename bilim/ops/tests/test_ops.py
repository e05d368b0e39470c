"""O1: health probe, Prometheus metrics, and backup sets (database + MEDIA_ROOT): a backup → change →
restore round trip on this database, and every way a set can be refused before anything is touched."""

import io
import os
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bilim.core.audit import audit_verify
from bilim.core.models import OrgUnit
from bilim.core.models import User
from bilim.core.services import orgunit_update
from bilim.ops import backup as ops_backup


def test_healthz_reports_the_database(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"]["ok"] is True


def test_healthz_answers_503_when_the_database_is_down(db, client, monkeypatch):
    from bilim.ops import views

    monkeypatch.setattr(views, "_probe", lambda: (False, 0.01, "OperationalError"))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"]["error"] == "OperationalError"


def test_metrics_in_prometheus_format(demo, client):
    client.get("/en/")
    body = client.get("/metrics").content.decode()
    assert "# TYPE bilim_http_requests_total counter" in body
    assert 'bilim_org_units{level="1"} 20.0' in body
    assert "bilim_database_up 1.0" in body
    assert 'route="<lang>/"' not in body  # labels are route patterns, bounded




@pytest.fixture
def media(settings, tmp_path):
    """MEDIA_ROOT in a temporary directory, with an uploaded file in a nested folder."""
    root = tmp_path / "var" / "media"
    (root / "library" / "7" / "12").mkdir(parents=True)
    (root / "library" / "7" / "12" / "ab12-Оқулық.pdf").write_bytes(b"%PDF-1.7 full text\n")
    (root / "cooperation" / "photos").mkdir(parents=True)
    settings.MEDIA_ROOT = str(root)
    settings.BACKUP_DIR = tmp_path / "backups"
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _scratch_left(tmp_path: Path) -> list[str]:
    return [path.name for path in (tmp_path / "var").iterdir() if path.name != "media"]


def _set_paths(target: Path) -> tuple[Path, Path, Path]:
    return target, Path(f"{target}.media.tar"), Path(f"{target}.sha256")


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(tmp_path, media, capsys):
    from bilim.core.demo import seed

    seed("small")
    school = OrgUnit.objects.filter(kind="school").order_by("pk").first()
    original = school.name_ru
    (tmp_path / "outside.txt").write_text("not an upload")
    (media / "link.txt").symlink_to(tmp_path / "outside.txt")  # not an upload: left out
    before = _files(media)
    target = tmp_path / "backups" / "bilim.backup"
    call_command("backup", output=target)
    database, archive, checksums = _set_paths(target)
    assert capsys.readouterr().out.split() == [str(database), str(archive), str(checksums)]
    assert [line.split()[1] for line in checksums.read_text().splitlines()] == ["bilim.backup", "bilim.backup.media.tar"]
    assert sorted(path.name for path in target.parent.iterdir()) == ["bilim.backup", "bilim.backup.media.tar", "bilim.backup.sha256"]
    with tarfile.open(archive) as tar:
        assert "link.txt" not in tar.getnames() and "cooperation/photos" in tar.getnames()

    orgunit_update(unit=school, by=None, name_ru="Изменено после резервной копии")
    OrgUnit.objects.filter(kind="preschool").update(is_active=False)
    (media / "library" / "7" / "12" / "ab12-Оқулық.pdf").write_bytes(b"overwritten")
    (media / "cooperation" / "photos" / "later.jpg").write_bytes(b"uploaded after the backup")

    call_command("restore", str(target), yes=True)
    assert "the database and 1 files" in capsys.readouterr().out
    school.refresh_from_db()
    assert school.name_ru == original
    assert not OrgUnit.objects.filter(kind="preschool", is_active=False).exists()
    assert audit_verify().ok  # the chain came back whole, without the later record
    before.pop("link.txt")
    assert _files(media) == before  # the file is back, the later upload is gone
    assert (media / "cooperation" / "photos").is_dir() and not (media / "link.txt").exists()
    assert _scratch_left(tmp_path) == []  # neither the unpacked copy nor the old tree stays behind


@pytest.mark.django_db(transaction=True)
def test_default_backup_name_and_an_empty_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "absent")
    settings.BACKUP_DIR = tmp_path / "backups"
    target = ops_backup.backup()
    assert target.parent == tmp_path / "backups" and target.suffix in (".sqlite3", ".pgdump")
    with tarfile.open(f"{target}.media.tar") as tar:
        assert tar.getnames() == []
    ops_backup.restore(target)
    assert (tmp_path / "absent").is_dir() and not any((tmp_path / "absent").iterdir())


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_backup(tmp_path, media):
    target = tmp_path / "backups" / "bilim.backup"
    call_command("backup", output=target)
    with target.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00garbage")
    with pytest.raises(CommandError, match="bilim.backup does not match its SHA-256: the file is damaged"):
        call_command("restore", str(target), yes=True)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing"), yes=True)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_altered_media_archive_and_touches_nothing(tmp_path, media):
    target = tmp_path / "backups" / "bilim.backup"
    call_command("backup", output=target)
    User.objects.create_user(username="after-backup", password="x")
    (media / "cooperation" / "photos" / "later.jpg").write_bytes(b"uploaded after the backup")
    files = _files(media)
    archive = Path(f"{target}.media.tar")
    with tarfile.open(archive, "a") as tar:  # a well-formed archive with one file more
        info = tarfile.TarInfo("library/7/12/planted.pdf")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))

    with pytest.raises(CommandError, match=r"bilim.backup.media.tar does not match its SHA-256: the media archive is damaged or altered"):
        call_command("restore", str(target), yes=True)
    assert User.objects.filter(username="after-backup").exists()  # the database was not touched
    assert _files(media) == files and _scratch_left(tmp_path) == []  # nor the files


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_set_with_a_missing_or_unlisted_part(tmp_path, media):
    target = tmp_path / "backups" / "bilim.backup"
    call_command("backup", output=target)
    database, archive, checksums = _set_paths(target)
    User.objects.create_user(username="after-backup", password="x")

    archive.rename(tmp_path / "elsewhere.tar")
    with pytest.raises(CommandError, match="bilim.backup.media.tar is missing: the backup set is incomplete"):
        call_command("restore", str(target), yes=True)
    (tmp_path / "elsewhere.tar").rename(archive)

    lines = checksums.read_text().splitlines()
    checksums.write_text(lines[0] + "\n")  # the archive is there but the checksum file does not name it
    with pytest.raises(CommandError, match="bilim.backup.media.tar is not named in .*bilim.backup.sha256: the backup set is inconsistent"):
        call_command("restore", str(target), yes=True)
    checksums.write_text(lines[0] + "\n" + lines[0] + "\n")
    with pytest.raises(CommandError, match="names more than one database file"):
        call_command("restore", str(target), yes=True)
    checksums.unlink()
    with pytest.raises(CommandError, match="bilim.backup.sha256 is missing: cannot tell whether the backup is intact"):
        call_command("restore", str(target), yes=True)
    assert User.objects.filter(username="after-backup").exists()


@pytest.mark.django_db(transaction=True)
def test_an_old_database_only_backup_is_restored_leaving_the_files(tmp_path, media, capsys):
    target = tmp_path / "backups" / "bilim.backup"
    call_command("backup", output=target)
    database, archive, checksums = _set_paths(target)
    archive.unlink()
    checksums.write_text(checksums.read_text().splitlines()[0] + "\n")  # what backups before O1-media wrote
    User.objects.create_user(username="after-backup", password="x")
    (media / "cooperation" / "photos" / "later.jpg").write_bytes(b"uploaded after the backup")
    files = _files(media)
    capsys.readouterr()

    call_command("restore", str(target), yes=True)
    assert "database-only backup, so the files under" in capsys.readouterr().out
    assert not User.objects.filter(username="after-backup").exists()
    assert _files(media) == files


def test_backups_are_refused_under_media_root_and_in_the_wrong_database_kind(db, tmp_path, media):
    with pytest.raises(CommandError, match="is under MEDIA_ROOT .*: keep backups outside the files they back up"):
        call_command("backup", output=media / "backups" / "bilim.backup")
    assert not (media / "backups").exists()

    stray = tmp_path / "stray.backup"
    stray.write_bytes(b"PK\x03\x04 not a database")
    ops_backup.Path(f"{stray}.sha256").write_text(f"{ops_backup._sha256(stray)}  stray.backup\n")
    with pytest.raises(CommandError, match="stray.backup is neither a SQLite database nor a pg_dump archive"):
        call_command("restore", str(stray), yes=True)
    other = b"PGDMP" if ops_backup.connections["default"].vendor == "sqlite" else b"SQLite format 3\x00"
    stray.write_bytes(other + b"\x00" * 64)
    ops_backup.Path(f"{stray}.sha256").write_text(f"{ops_backup._sha256(stray)}  stray.backup\n")
    with pytest.raises(CommandError, match=r"stray.backup is a (PostgreSQL|SQLite) backup; this database is (SQLite|PostgreSQL)"):
        call_command("restore", str(stray), yes=True)


@pytest.mark.parametrize("member", ["../escape.txt", "/etc/escape.txt", "link"])
def test_an_archive_reaching_outside_media_root_is_refused(tmp_path, member):
    archive = tmp_path / "bad.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo(member)
        if member == "link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        else:
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(ops_backup.BackupError, match="which is not a file or directory under MEDIA_ROOT"):
        ops_backup._check_archive(archive)


def test_a_truncated_archive_is_refused(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.pdf").write_bytes(os.urandom(5000))
    (source / "b.pdf").write_bytes(os.urandom(5000))
    assert ops_backup._archive_media(source, tmp_path / "media.tar") == 2
    assert ops_backup._check_archive(tmp_path / "media.tar") == 2
    (tmp_path / "media.tar").write_bytes((tmp_path / "media.tar").read_bytes()[:8000])
    with pytest.raises(ops_backup.BackupError, match="media.tar is not a readable tar archive"):
        ops_backup._check_archive(tmp_path / "media.tar")


def test_files_are_swapped_entry_by_entry_when_media_root_is_a_mount_point(tmp_path, monkeypatch):
    source = tmp_path / "source"
    (source / "library").mkdir(parents=True)
    (source / "library" / "a.pdf").write_bytes(b"backed up")
    ops_backup._archive_media(source, tmp_path / "media.tar")
    root = tmp_path / "mounted"
    (root / "cooperation").mkdir(parents=True)
    (root / "cooperation" / "b.jpg").write_bytes(b"current")
    real_ismount = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == root or real_ismount(path))

    staging = ops_backup._unpack(tmp_path / "media.tar", root)
    assert staging.parent == root  # unpacked on the mount's own file system
    ops_backup._swap_in(staging, root)
    assert _files(root) == {"library/a.pdf": b"backed up"} and sorted(os.listdir(root)) == ["library"]
