import time

from django.core.management.base import BaseCommand

from bilim.analytics import engine


class Command(BaseCommand):
    help = "Recompute every roll-up of the journal from scratch (after a restore or a change of the rule set)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        done = engine.rebuild()
        self.stdout.write(f"{done} keys recomputed in {time.perf_counter() - started:.1f} s")
