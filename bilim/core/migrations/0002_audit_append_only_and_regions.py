"""The audit log refuses UPDATE, DELETE and TRUNCATE at the database level, and the reference tree —
the republic, 17 regions and 3 cities of republican significance — is loaded into every database."""

from django.db import migrations


def guard_install(apps, schema_editor):
    from bilim.core import audit_guard

    audit_guard.install(schema_editor.connection)


def guard_remove(apps, schema_editor):
    from bilim.core import audit_guard

    audit_guard.remove(schema_editor.connection)


def load_regions(apps, schema_editor):
    from bilim.core.reference import load_regions as load

    load(apps.get_model("core", "OrgUnit"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(guard_install, guard_remove),
        migrations.RunPython(load_regions, migrations.RunPython.noop),
    ]
