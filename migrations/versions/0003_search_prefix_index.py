"""search prefix index: products_fts holds the prefixes of 3 to 6 letters instead of 2 and 3

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 16:55:00.000000

A last word typed as a prefix of 4 letters or more ("home*") made FTS5 merge the lists of every
word it begins; with prefix='3 4 5 6' it is read like a word. FTS5 cannot change the prefix
option of an existing table, so on SQLite this drops ``products_fts`` and creates it again,
then indexes the active products exactly as ``search.SQLITE_DDL`` does (not 'rebuild', which
would index the inactive ones too). The triggers name the table, not its definition: they stay
and keep it in sync. Nothing to do on PostgreSQL (its GIN index has no prefix option).

The statements are written out here rather than taken from ``jomso.catalog.search`` so that
this migration keeps doing what it did when the module changes.

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _create(prefix: str) -> str:
    return f"""CREATE VIRTUAL TABLE products_fts USING fts5(
        name, sku, description,
        content='products', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2',
        prefix='{prefix}'
    )"""


# The same fill as search.SQLITE_DDL's: only the products on sale.
_FILL = """INSERT INTO products_fts(rowid, name, sku, description)
        SELECT id, name, sku, description FROM products WHERE is_active"""


def _recreate(prefix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS products_fts")
    op.execute(_create(prefix))
    op.execute(_FILL)


def upgrade():
    _recreate("3 4 5 6")


def downgrade():
    _recreate("2 3")
