"""``manage.py cooperation_office_check [--date YYYY-MM-DD]``: check C1 for every organization with
international work and warn the heads where a service has become mandatory and none is recorded
(once per occurrence; idempotent). Run daily: the condition changes with time alone."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from bilim.cooperation.services import office_requirement_check_all


class Command(BaseCommand):
    help = "Warn heads of organizations where an international cooperation service has become mandatory (C1)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to check (default: today)")

    def handle(self, *args, **options):
        day = None
        if options.get("date"):
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date: enter a date as YYYY-MM-DD") from None
        count = office_requirement_check_all(on=day)
        self.stdout.write(f"{count} organizations checked")
