"""The shared cache table (settings.CACHES), created with the schema so that no deployment step can be
forgotten: a fresh database, the test database and every app server get it from `migrate`."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # createcachetable reads CACHES and skips a table that already exists: safe to run again.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
