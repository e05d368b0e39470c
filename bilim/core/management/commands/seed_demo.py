import time

from django.apps import apps
from django.db import transaction

from django.core.management.base import BaseCommand

from bilim.core.demo import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Load deterministic demo data: small (seconds, for `make run` and tests) or national (the full tree, for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "national"], default="small")
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument("--skip", nargs="*", default=[], metavar="APP", help="apps whose demo data to leave out (e.g. journal analytics)")

    def handle(self, *args, scale="small", quiet=False, skip=(), **options):
        started = time.perf_counter()
        with transaction.atomic():
            result = seed(scale=scale)
            # every app may add its own demo data on top of the tree and the logins
            for config in apps.get_app_configs():
                if hasattr(config, "seed_demo") and config.label not in skip:
                    config.seed_demo(scale)
        if quiet:
            return
        if not result.created:
            self.stdout.write("demo data already loaded")
        else:
            self.stdout.write(f"demo data ({scale}) loaded in {time.perf_counter() - started:.1f} s: "
                              f"{result.districts} districts, {result.organizations} organizations")
        self.stdout.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, unit in result.logins:
            self.stdout.write(f"  {username:<22} {role:<24} {unit}")
