"""The roll-up queues become append-only (see engine.py: a writer never waits for the worker), and
on PostgreSQL autovacuum no longer truncates them: truncation takes an ACCESS EXCLUSIVE lock, which
would stop every writer's INSERT into a queue that is emptied and refilled all day."""

from django.db import migrations, models

QUEUES = ("analytics_dirtygrade", "analytics_dirtylesson")


def no_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in QUEUES:
            schema_editor.execute(f"ALTER TABLE {table} SET (vacuum_truncate = false)")


def truncate_again(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in QUEUES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (vacuum_truncate)")


class Migration(migrations.Migration):

    dependencies = [
        ("analytics", "0002_rating_unranked_rollup_index"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="dirtygrade",
            name="dirtygrade_unique",
        ),
        migrations.AlterField(
            model_name="dirtylesson",
            name="lesson_id",
            field=models.IntegerField(),
        ),
        migrations.RunPython(no_truncate, truncate_again),
    ]
