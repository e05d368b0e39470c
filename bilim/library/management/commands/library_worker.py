import signal
import time

from django.core.management.base import BaseCommand

from bilim.library import worker


class Command(BaseCommand):
    help = ("Run the library's background work: extract the text of uploaded files (and re-index their records), "
            "advance bulk imports, prune old raw usage events; then poll every --interval seconds. "
            "Several workers may run (tasks are claimed with a lease). --once drains and exits.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args, once=False, interval=2.0, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while not stopping:
            done = worker.drain(max_seconds=interval * 30)
            if once:
                self.stdout.write(f"{done} tasks processed")
                return
            if not done:
                time.sleep(interval)
