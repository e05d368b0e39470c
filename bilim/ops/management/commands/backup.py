from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bilim.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database (SQLite online backup or pg_dump) with a SHA-256 beside it."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="file to write (default: BILIM_BACKUP_DIR/bilim-<time>.…)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, output=None, database="default", **options):
        try:
            path = backup(output, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
