"""The audit log refuses UPDATE and DELETE at the database level, and the reference tree — the
republic, 17 regions and 3 cities of republican significance — is loaded into every database."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog
       BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END""",
    """CREATE TRIGGER core_auditlog_no_delete BEFORE DELETE ON core_auditlog
       BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS core_auditlog_no_update", "DROP TRIGGER IF EXISTS core_auditlog_no_delete"]

PG_UP = [
    """CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'core_auditlog is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditlog_no_change BEFORE UPDATE OR DELETE ON core_auditlog
       FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only()""",
    """CREATE TRIGGER core_auditlog_no_truncate BEFORE TRUNCATE ON core_auditlog
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditlog_append_only()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditlog_no_change ON core_auditlog",
    "DROP TRIGGER IF EXISTS core_auditlog_no_truncate ON core_auditlog",
    "DROP FUNCTION IF EXISTS core_auditlog_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


def load_regions(apps, schema_editor):
    from bilim.core.reference import load_regions as load

    load(apps.get_model("core", "OrgUnit"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE_UP, "postgresql": PG_UP}), _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN})),
        migrations.RunPython(load_regions, migrations.RunPython.noop),
    ]
