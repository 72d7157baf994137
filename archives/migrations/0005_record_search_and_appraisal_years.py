"""Appraisal years for records filed before the field existed, and a trigram index for the
records' full-text search on Postgres (LIKE '%词%' over the code, title
and metadata, all in search_text).

SQLite, the embedded default, has no such index type and scans its small table.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS record_search_trgm_idx "
    "ON archives_record USING gin (search_text gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS record_search_trgm_idx",
]
YEARS = {"D30": 30, "D10": 10}


def forwards(apps, schema_editor):
    record_model = apps.get_model("archives", "Record")
    for retention, years in YEARS.items():
        for record in record_model.objects.filter(retention=retention, appraisal_year=None):
            record_model.objects.filter(pk=record.pk).update(appraisal_year=record.year + years + 1)
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("archives", "0004_borrowing_appraisal_holds")]
    operations = [migrations.RunPython(forwards, backwards)]
