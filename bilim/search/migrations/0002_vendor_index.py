"""The vendor-specific half of the index (``bilim.search.backends``): SQLite's FTS5 table over the
analysed terms with the triggers that keep it current; PostgreSQL's tsvector column and GIN index."""

from django.db import migrations


def install(apps, schema_editor):
    from bilim.search import backends

    backends.install(schema_editor.connection)


def remove(apps, schema_editor):
    from bilim.search import backends

    backends.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
