from django.core.management.base import BaseCommand, CommandError

from bilim.core.audit import audit_verify


class Command(BaseCommand):
    help = "Walk the hash chain of the audit log and report the first broken link."

    def handle(self, *args, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(f"audit log broken at record {result.broken_id}: {result.reason} ({result.checked} records intact before it)")
        self.stdout.write(self.style.SUCCESS(f"audit log intact: {result.checked} records"))
