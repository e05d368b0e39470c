import signal
import time

from django.core.management.base import BaseCommand

from bilim.analytics import engine


class Command(BaseCommand):
    help = ("Keep the journal's roll-ups current: drain the queue of changed term grades and lessons, then "
            "poll every --interval seconds. Run one worker per database. --once drains and exits.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch", type=int, default=engine.BATCH)

    def handle(self, *args, once=False, interval=1.0, batch=engine.BATCH, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while not stopping:
            done = engine.drain(limit=batch, max_seconds=interval * 10)
            if once:
                self.stdout.write(f"{done} keys processed")
                return
            if not done:
                time.sleep(interval)
