"""The registers at a million documents: their order read off an index, and the search by a
word or a reference number narrowed by an index of character pairs (two-character Chinese words
have no trigram), with LIKE kept as the final check so results are exactly LIKE's. The pairs
come from ``archives_bigrams`` (archives 0007). Postgres only; SQLite scans its small tables."""

from django.conf import settings
from django.db import migrations, models

CREATE = [
    "ALTER TABLE documents_outgoing ADD COLUMN IF NOT EXISTS search_bigrams tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "
    "archives_bigrams(title || '|' || coalesce(number, '')))) STORED",
    "CREATE INDEX IF NOT EXISTS outgoing_bigram_idx ON documents_outgoing "
    "USING gin (search_bigrams)",
    "ALTER TABLE documents_incoming ADD COLUMN IF NOT EXISTS search_bigrams tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "
    "archives_bigrams(title || '|' || sender))) STORED",
    "CREATE INDEX IF NOT EXISTS incoming_bigram_idx ON documents_incoming "
    "USING gin (search_bigrams)",
]
DROP = [
    "DROP INDEX IF EXISTS outgoing_bigram_idx",
    "ALTER TABLE documents_outgoing DROP COLUMN IF EXISTS search_bigrams",
    "DROP INDEX IF EXISTS incoming_bigram_idx",
    "ALTER TABLE documents_incoming DROP COLUMN IF EXISTS search_bigrams",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_reminders_in_workflows"),
        ("hall", "0012_join_research_fields_and_sign_in"),
        ("workflows", "0009_sent_once"),
        ("archives", "0007_record_bigram_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="incoming",
            index=models.Index(fields=["-received_at", "-id"], name="incoming_received"),
        ),
        migrations.AddIndex(
            model_name="outgoing",
            index=models.Index(fields=["-created_at", "-id"], name="outgoing_created"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
