"""No double booking, enforced by Postgres: two confirmed bookings of one resource never have
overlapping blocked ranges (their time plus the set-up and clean-up buffers). The range is
half-open, so a booking may start the minute the previous one's clean-up ends.

btree_gist lets the GiST index compare the resource id with ``=`` beside the ranges' ``&&``.
SQLite, the embedded default, has no exclusion constraints; there the booking service checks
under the database's write lock (reception/services.py).
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE reception_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist "
    "(resource_id WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&) "
    "WHERE (status = 'confirmed')",
]
DROP = ["ALTER TABLE reception_booking DROP CONSTRAINT IF EXISTS booking_no_overlap"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("reception", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
