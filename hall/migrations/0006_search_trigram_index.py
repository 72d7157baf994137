"""A trigram index for the catalogue search on Postgres (LIKE '%word%' on search_text).

SQLite, the embedded default, has no such index type and simply scans its small table.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS service_search_trgm_idx "
    "ON hall_service USING gin (search_text gin_trgm_ops) WHERE is_published",
]
DROP = ["DROP INDEX IF EXISTS service_search_trgm_idx"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("hall", "0005_service_letter_index")]
    operations = [migrations.RunPython(forwards, backwards)]
