"""The database table that holds rate-limit counters when no Redis is configured (settings.CACHES)."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    # Makes the table of every database cache in settings.CACHES; does nothing for Redis or memory caches.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps: Any, schema_editor: Any) -> None:
    from django.conf import settings

    table = settings.CACHE_TABLE
    if table in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_sign_in_throttle_to_axes_w14a")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
