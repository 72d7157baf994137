"""The archive event log is append-only, enforced by the database: UPDATE and DELETE raise.

Postgres only: the embedded SQLite default does not enforce it (its test flushes delete rows).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION archives_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'archive events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS archives_event_append_only ON archives_archiveevent;
CREATE TRIGGER archives_event_append_only
    BEFORE UPDATE OR DELETE ON archives_archiveevent
    FOR EACH ROW EXECUTE FUNCTION archives_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS archives_event_append_only ON archives_archiveevent;
DROP FUNCTION IF EXISTS archives_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("archives", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
