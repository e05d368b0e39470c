from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bilim.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the whole database and the uploaded files under MEDIA_ROOT with a backup set made by "
        "`manage.py backup` (every checksum is checked first; nothing is touched if a part is missing or altered)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the database file of the set (the first line `backup` printed)")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, source, database="default", yes=False, **options):
        if not yes:
            answer = input(f"Replace every row of the database and every file under {settings.MEDIA_ROOT} "
                           f"with the backup {source}? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        try:
            result = restore(source, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.media_files is None:
            self.stdout.write(f"restored the database from {source}; it is a database-only backup, "
                              f"so the files under {settings.MEDIA_ROOT} were left as they were")
        else:
            self.stdout.write(f"restored from {source}: the database and {result.media_files} files under {settings.MEDIA_ROOT}")
