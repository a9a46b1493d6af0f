"""search words: the words of the names of the products on sale, for "did you mean"

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:00:00.000000

``search_words`` holds each word of three to 40 letters of the names of the products on sale
(lower case, diacritics folded) and how many of them hold it. Its trigram index: on SQLite an
FTS5 table with the ``trigram`` tokenizer over the words padded with two spaces in front and
one behind, kept by triggers; on PostgreSQL a GIN ``gin_trgm_ops`` index over the same padded
text (the ``pg_trgm`` extension, trusted: the database's owner may create it). The words of
the products already in the shop are counted here.

The statements and the word rule are written out here rather than taken from
``jomso.catalog.vocabulary`` so that this migration keeps doing what it did when it changes.

"""

import re
import unicodedata
from collections import Counter

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_WORD = re.compile(r"[^\W\d_]+")

SQLITE = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_words_trigrams USING fts5(
        word, content='search_words', content_rowid='id', tokenize='trigram'
    )""",
    """CREATE TRIGGER IF NOT EXISTS search_words_after_insert AFTER INSERT ON search_words
    BEGIN
        INSERT INTO search_words_trigrams(rowid, word) VALUES (new.id, '  ' || new.word || ' ');
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_words_after_delete AFTER DELETE ON search_words
    BEGIN
        INSERT INTO search_words_trigrams(search_words_trigrams, rowid, word)
        VALUES ('delete', old.id, '  ' || old.word || ' ');
    END""",
)
POSTGRESQL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_search_words_trigrams ON search_words "
    "USING gin (('  ' || word || ' ') gin_trgm_ops)",
)


def _words(name):
    decomposed = unicodedata.normalize("NFKD", (name or "").lower())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return {word for word in _WORD.findall(folded) if 3 <= len(word) <= 40}


def upgrade():
    words = op.create_table(
        "search_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.Column("products", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_words")),
        sa.UniqueConstraint("word", name=op.f("uq_search_words_word")),
    )
    bind = op.get_bind()
    for statement in SQLITE if bind.dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)
    counts = Counter()
    for (name,) in bind.execute(sa.text("SELECT name FROM products WHERE is_active")):
        counts.update(_words(name))
    if counts:
        op.bulk_insert(words, [{"word": w, "products": n} for w, n in sorted(counts.items())])


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_words_trigrams")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_words_trigrams")
    op.drop_table("search_words")
