"""``manage.py oai_harvest``: harvest OAI-PMH sources into the library's collections.

    manage.py oai_harvest 3                      # the harvest source with id 3, incrementally
    manage.py oai_harvest --all                  # every source, one after another
    manage.py oai_harvest 3 --full               # from the beginning (records already here are updated)
    manage.py oai_harvest --url https://dspace.example.kz/oai/request --collection 12 [--set col_123] \\
        [--type article] [--language ru] [--access open] [--name "…"]
                                                 # register the source (once) and harvest it

Exit status 1 when a run failed (the source's message says why); rejected records do not fail a run
(they are listed on the source and printed here)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from bilim.core.errors import DomainError
from bilim.library import harvest
from bilim.library.models import Access, Collection, HarvestSource, Language, ResourceType


class Command(BaseCommand):
    help = "Harvest Dublin Core records from OAI-PMH repositories into the library's collections, incrementally."

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="*", type=int, help="ids of harvest sources")
        parser.add_argument("--all", action="store_true", help="harvest every source")
        parser.add_argument("--full", action="store_true", help="from the beginning, not from the last run")
        parser.add_argument("--url", help="a repository's OAI-PMH base URL (registered as a source of --collection)")
        parser.add_argument("--collection", help="the target collection: its id, or UNIVERSITY_ID:CODE")
        parser.add_argument("--set", default="", help="harvest only this set (setSpec) of the repository")
        parser.add_argument("--name", default="", help="a name for the new source")
        parser.add_argument("--type", default=ResourceType.ARTICLE, choices=ResourceType.values, help="type of records that name none")
        parser.add_argument("--language", default=Language.KK, choices=Language.values, help="language of records that name none")
        parser.add_argument("--access", default=Access.OPEN, choices=Access.values, help="access level of the imported records")
        parser.add_argument("--retries", type=int, default=3, help="retries of a failed request (503 or a broken connection)")

    def handle(self, *args, **options):
        translation.activate("en")
        sources = self._sources(options)
        failed = 0
        for source in sources:
            self.stdout.write(f"Harvesting {source} (source {source.pk}) into collection {source.collection_id} …")
            try:
                source = harvest.harvest(source=source, full=options["full"], retries=options["retries"])
            except DomainError as error:
                raise CommandError(error.message)
            stats = source.last_stats or {}
            for problem in stats.get("errors", []):
                self.stdout.write(f"  {problem['kind']}: {problem['identifier']} [{problem['field']}] {problem['message']}")
            line = f"  {source.get_status_display()}: {source.message}"
            if source.status == HarvestSource.Status.FAILED:
                failed += 1
                self.stderr.write(line)
            else:
                self.stdout.write(self.style.SUCCESS(line))
        if failed:
            raise CommandError(f"{failed} of {len(sources)} harvests failed")

    def _sources(self, options) -> list[HarvestSource]:
        if options["url"]:
            if options["source"] or options["all"]:
                raise CommandError("give either source ids, --all, or --url with --collection")
            if not options["collection"]:
                raise CommandError("--url needs --collection (the id of the target collection, or UNIVERSITY_ID:CODE)")
            collection = self._collection(options["collection"])
            existing = HarvestSource.objects.filter(collection=collection, base_url=options["url"].strip(),
                                                    set_spec=options["set"].strip()).first()
            if existing is not None:
                return [existing]
            try:
                return [harvest.harvest_source_create(
                    collection=collection, base_url=options["url"], set_spec=options["set"], name=options["name"],
                    default_type=options["type"], default_access=options["access"], default_language=options["language"], by=None)]
            except DomainError as error:
                details = "; ".join(f"{name}: {message}" for name, message in error.fields.items())
                raise CommandError(f"{error.message} {details}".strip())
        if options["all"]:
            return list(HarvestSource.objects.select_related("collection").order_by("pk"))
        if not options["source"]:
            raise CommandError("give the ids of harvest sources, --all, or --url with --collection")
        found = {s.pk: s for s in HarvestSource.objects.filter(pk__in=options["source"]).select_related("collection")}
        missing = [str(pk) for pk in options["source"] if pk not in found]
        if missing:
            raise CommandError(f"no harvest source with id {', '.join(missing)}")
        return [found[pk] for pk in options["source"]]

    @staticmethod
    def _collection(value: str) -> Collection:
        value = value.strip()
        if value.isdigit():
            collection = Collection.objects.filter(pk=int(value)).select_related("university").first()
        elif ":" in value and value.split(":", 1)[0].isdigit():
            university, code = value.split(":", 1)
            collection = Collection.objects.filter(university_id=int(university), code=code).select_related("university").first()
        else:
            raise CommandError("--collection is a collection id or UNIVERSITY_ID:CODE")
        if collection is None:
            raise CommandError(f"no collection {value}")
        return collection
