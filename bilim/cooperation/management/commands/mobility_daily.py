"""``manage.py mobility_daily [--date YYYY-MM-DD]``: the international offices' daily run — reminders
of overdue trip reports, agreements in force whose term has ended moved to "expired", and notices of
agreements ending within 30 days. Idempotent: a second run on the same day changes nothing."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Remind of overdue trip reports and expire agreements whose term has ended (run daily; idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for (default: today, Kazakhstan time)")

    def handle(self, *args, **options):
        from bilim.cooperation import agreements_services, mobility_services

        try:
            today = date.fromisoformat(options["date"]) if options.get("date") else timezone.localdate()
        except ValueError:
            raise CommandError("--date: write the date as YYYY-MM-DD") from None
        reminded = mobility_services.trip_reminders_send(today=today)
        expired = agreements_services.agreements_expire(today=today)
        self.stdout.write(f"{today.isoformat()}: {reminded} reminders sent, {expired} agreements expired")
