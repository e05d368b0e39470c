"""``manage.py fieldcrypt_rotate``: re-encrypt every encrypted column of every model with the first
key of FIELD_ENCRYPTION_KEYS (core.fieldcrypt). Run after putting a new key first; then the old keys
can be removed from the setting. Idempotent; stops with the column's name on a value no key opens."""

from django.core.management.base import BaseCommand

from bilim.core import fieldcrypt


class Command(BaseCommand):
    help = "Re-encrypt the encrypted fields with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        for label, count in fieldcrypt.rotate_all().items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
