"""postgresql search and revision: a stored search column; the catalog revision raised at commit

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-01 18:00:00.000000

PostgreSQL only (nothing changes on SQLite):

* Search. The GIN expression index over an 'english' ``tsvector`` (whole words only, the
  expression computed again for every row a query tested) gives way to a stored, generated
  column ``products.search_document`` with a GIN index over the products on sale. Its text
  search configuration ``jomso_search`` reads text as SQLite's FTS5 index does: words split at
  anything but letters and digits, diacritics folded (the ``unaccent`` extension, trusted: the
  database's owner may create it), the Porter stemmer, no stop words. Filling the column
  rewrites the products table once.
* Catalog revision. The statement triggers that raised ``catalog_revision`` where a product,
  category or image changed become deferred constraint triggers that raise it once per
  transaction, just before it commits: the shared row is then locked last and cannot close a
  cycle of row locks (a deadlock between a checkout and a failed payment's stock release).

The statements are written out here rather than taken from ``jomso.catalog`` so that this
migration keeps doing what it did when those modules change.

"""

from alembic import op
from sqlalchemy import DDL


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TABLES = ("products", "categories", "product_images")
_BUMP = "UPDATE catalog_revision SET value = value + 1 WHERE id = 1"
_WORDS = "to_tsvector('jomso_search', regexp_replace(coalesce({c}, ''), '[^[:alnum:]]+', ' ', 'g'))"
_DOCUMENT = " || ".join(
    f"setweight({_WORDS.format(c=column)}, '{weight}')"
    for column, weight in (("name", "A"), ("sku", "B"), ("description", "C"))
)

UPGRADE = (
    "DROP INDEX IF EXISTS ix_products_search",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'jomso_porter') "
    "THEN CREATE TEXT SEARCH DICTIONARY jomso_porter (TEMPLATE = snowball, Language = porter);"
    " END IF; END $$",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'jomso_search') "
    "THEN CREATE TEXT SEARCH CONFIGURATION jomso_search (PARSER = default); "
    "ALTER TEXT SEARCH CONFIGURATION jomso_search ADD MAPPING FOR "
    "asciiword, word, numword, int, uint WITH unaccent, jomso_porter; END IF; END $$",
    "ALTER TABLE products ADD COLUMN IF NOT EXISTS search_document tsvector "
    f"GENERATED ALWAYS AS ({_DOCUMENT}) STORED",
    "CREATE INDEX IF NOT EXISTS ix_products_search_document ON products "
    "USING gin (search_document) WHERE is_active",
    f"""CREATE OR REPLACE FUNCTION bump_catalog_revision() RETURNS trigger AS $$
    BEGIN
        IF current_setting('jomso.revision_bumped', true) IS DISTINCT FROM
                txid_current()::text THEN
            PERFORM set_config('jomso.revision_bumped', txid_current()::text, true);
            {_BUMP};
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    *(f"DROP TRIGGER IF EXISTS {table}_revision ON {table}" for table in _TABLES),
    *(f"DROP TRIGGER IF EXISTS {table}_revision_at_commit ON {table}" for table in _TABLES),
    *(
        f"CREATE CONSTRAINT TRIGGER {table}_revision_at_commit "
        f"AFTER INSERT OR UPDATE OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED "
        f"FOR EACH ROW EXECUTE FUNCTION bump_catalog_revision()"
        for table in _TABLES
    ),
    "ANALYZE products",
)

_OLD_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(sku, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(description, '')), 'B')"
)
DOWNGRADE = (
    *(f"DROP TRIGGER IF EXISTS {table}_revision_at_commit ON {table}" for table in _TABLES),
    f"""CREATE OR REPLACE FUNCTION bump_catalog_revision() RETURNS trigger AS $$
    BEGIN {_BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql""",
    *(
        f"CREATE OR REPLACE TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_revision()"
        for table in _TABLES
    ),
    "DROP INDEX IF EXISTS ix_products_search_document",
    "ALTER TABLE products DROP COLUMN IF EXISTS search_document",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS jomso_search",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS jomso_porter",
    f"CREATE INDEX IF NOT EXISTS ix_products_search ON products USING gin (({_OLD_DOCUMENT}))",
)


def _run(statements):
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in statements:
        op.execute(DDL(statement))  # DDL: no bind parameters read into "[[:alnum:]]"


def upgrade():
    _run(UPGRADE)


def downgrade():
    _run(DOWNGRADE)
