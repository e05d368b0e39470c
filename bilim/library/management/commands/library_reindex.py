from django.core.management.base import BaseCommand

from bilim.library import indexing


class Command(BaseCommand):
    help = "Index every live record of the library again (after a restore or a change of the search analyzer)."

    def handle(self, *args, **options):
        self.stdout.write(f"{indexing.reindex_all()} records indexed")
