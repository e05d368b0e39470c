from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bilim.ops.backup import MEDIA_SUFFIX, BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the whole system as one set: the database (SQLite online backup or pg_dump), the uploaded "
        "files under MEDIA_ROOT (FILE.media.tar) and the SHA-256 of both (FILE.sha256)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path,
                            help="database file to write; the archive and checksums go beside it "
                                 "(default: BILIM_BACKUP_DIR/bilim-<time>.sqlite3 or .pgdump)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, output=None, database="default", **options):
        try:
            path = backup(output, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))  # first line: the name to give `restore`
        self.stdout.write(f"{path}{MEDIA_SUFFIX}")
        self.stdout.write(f"{path}.sha256")
