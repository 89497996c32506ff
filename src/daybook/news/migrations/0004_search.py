"""Full-text search over articles' titles and text, in whichever database runs.

SQLite: an FTS5 table with external content (the words are indexed, the text is
read back from ``news_article``), kept in step by triggers. PostgreSQL: a stored,
generated ``tsvector`` column with a GIN index; the model does not declare it,
so Django never writes it and the database computes it on every insert and update.

On SQLite, a later migration that makes Django rebuild ``news_article`` (adding a
non-null field, altering one) drops the triggers with the old table: such a
migration must run ``SQLITE_TRIGGERS`` and the rebuild again.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE_TABLE = """
CREATE VIRTUAL TABLE news_article_fts USING fts5(
    title, text,
    content='news_article', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
)"""

# An external-content index must be told the old values to forget them.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER news_article_fts_insert AFTER INSERT ON news_article BEGIN
        INSERT INTO news_article_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """
    CREATE TRIGGER news_article_fts_delete AFTER DELETE ON news_article BEGIN
        INSERT INTO news_article_fts(news_article_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """
    CREATE TRIGGER news_article_fts_update AFTER UPDATE OF title, text ON news_article BEGIN
        INSERT INTO news_article_fts(news_article_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO news_article_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
]

SQLITE_REBUILD = "INSERT INTO news_article_fts(news_article_fts) VALUES ('rebuild')"

# A tsvector holds at most 1 MB, and an insert whose vector would be larger fails:
# only the first 200,000 characters (far more than any real article) are indexed,
# so a hostile 20 MB page cannot make its article unstorable.
POSTGRES_COLUMN = """
ALTER TABLE news_article ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, left(title, 2000)), 'A')
    || setweight(to_tsvector('english'::regconfig, left(text, 200000)), 'B')
) STORED"""

POSTGRES_INDEX = "CREATE INDEX news_article_search ON news_article USING GIN (search)"


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in [SQLITE_TABLE, *SQLITE_TRIGGERS, SQLITE_REBUILD]:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_COLUMN)
        schema_editor.execute(POSTGRES_INDEX)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for trigger in ["insert", "delete", "update"]:
            schema_editor.execute(f"DROP TRIGGER news_article_fts_{trigger}")
        schema_editor.execute("DROP TABLE news_article_fts")
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE news_article DROP COLUMN search")  # and its index


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0003_revision"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
