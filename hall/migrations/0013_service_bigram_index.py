"""An index for Chinese words of two characters in the catalogue search (报销, 出国, 护照):
LIKE '%报销%' has no trigram to use, so it read every published service. The service's search
text as overlapping character pairs in a generated tsvector column with a GIN index, like the
archives' record search (archives/migrations/0007_record_bigram_index.py; hall imports no other
app, so the function is the hall's own). The search asks it for the word's pairs in order
(``phraseto_tsquery``) and keeps LIKE as the final check, so results are exactly LIKE's.

Postgres only; SQLite, the embedded default, scans its small table.
"""

from django.db import migrations

CREATE = [
    # Whitespace and the field separator go first; pairs then also span neighbouring terms,
    # which only ever adds candidates that LIKE drops.
    r"""
    CREATE OR REPLACE FUNCTION hall_bigrams(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(string_agg(substr(s, i, 2), ' ' ORDER BY i), '')
        FROM (SELECT regexp_replace(coalesce(t, ''), '[[:space:]|]+', '', 'g') AS s) AS x,
             generate_series(1, length(s) - 1) AS i
    $$
    """,
    "ALTER TABLE hall_service ADD COLUMN IF NOT EXISTS search_bigrams tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, hall_bigrams(search_text))) STORED",
    "CREATE INDEX IF NOT EXISTS service_search_bigram_idx "
    "ON hall_service USING gin (search_bigrams) WHERE is_published",
]
DROP = [
    "DROP INDEX IF EXISTS service_search_bigram_idx",
    "ALTER TABLE hall_service DROP COLUMN IF EXISTS search_bigrams",
    "DROP FUNCTION IF EXISTS hall_bigrams(text)",
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
    dependencies = [("hall", "0012_join_research_fields_and_sign_in")]
    operations = [migrations.RunPython(forwards, backwards)]
