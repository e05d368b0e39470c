from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bilim.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `manage.py backup` (checks its SHA-256 first)."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, source, database="default", yes=False, **options):
        if not yes:
            answer = input(f"Replace every row of the database with {source}? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        try:
            restore(source, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored from {source}")
