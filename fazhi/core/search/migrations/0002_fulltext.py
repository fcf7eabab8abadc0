"""The full-text structures of each backend; nothing on a backend that is neither.

The SQL is written out here, not imported, so this migration keeps meaning what it meant when it
ran. `fazhi.core.search.backends.ensure_structures` holds the same statements (idempotent) for
repairs by `fazhi search_rebuild`.
"""

from django.db import migrations

SQLITE_FORWARD = [
    # External content: the index stores only the tokens; the text lives in the table itself.
    # unicode61 splits on spaces and punctuation, so pre-segmented Chinese indexes word by word.
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "segmented, content='search_searchdocument', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(rowid, segmented) VALUES (new.id, new.segmented); END",
    "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, segmented) "
    "VALUES ('delete', old.id, old.segmented); END",
    "CREATE TRIGGER search_fts_au AFTER UPDATE OF segmented ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, segmented) "
    "VALUES ('delete', old.id, old.segmented); "
    "INSERT INTO search_fts(rowid, segmented) VALUES (new.id, new.segmented); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRESQL_FORWARD = [
    # 'simple' lower-cases and keeps every token: jieba has already found the words, and no
    # English stemming or stop list should touch them. Explicit regconfig keeps it immutable.
    "ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, segmented)) STORED",
    # Keep the vector in the row (compressed) rather than in the TOAST table: ranking reads it
    # for every match, and a TOAST fetch per row made ranking 26,000 matches twice as slow.
    # The text columns, needed only for the page of hits, leave the row instead.
    "ALTER TABLE search_searchdocument ALTER COLUMN search_vector SET STORAGE MAIN",
    "CREATE INDEX search_document_vector_gin ON search_searchdocument USING GIN (search_vector)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_vector_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
            elidable=False,
        ),
    ]
