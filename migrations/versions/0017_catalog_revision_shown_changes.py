"""catalog revision on shown changes: an update of a product or variant raises the catalog
revision only when a page shows what changed

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 02:00:00.000000

Every checkout raised the catalog revision (it takes stock), and so emptied every worker's
page cache. The update triggers of ``products`` and ``product_variants`` now raise it only
when a column a page shows changes (any but the stock and ``updated_at``), or the stock
crosses what a page shows: sold out, "only N left" (5 or fewer) or in stock. Inserts and
deletes still raise it. On SQLite the ``AFTER UPDATE`` triggers gain a ``WHEN``; on PostgreSQL
each table's deferred constraint trigger splits in two: inserts and deletes, and updates with
a ``WHEN`` (the revision is still raised once per transaction, at commit). The statements are
written out here so that this migration keeps doing what it did when ``jomso.catalog``
changes.
"""

from alembic import op
from sqlalchemy import DDL

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_BUMP = "UPDATE catalog_revision SET value = value + 1 WHERE id = 1"
_LOW_STOCK = 5
_SHOWN = {
    "products": (
        "id", "name", "slug", "description", "price_cents", "is_active", "created_at",
        "category_id", "price_min_cents", "price_max_cents", "on_sale", "variant_text",
    ),
    "product_variants": (
        "id", "product_id", "position", "sku", "option1", "option2", "option3", "price_cents",
        "compare_at_cents", "weight_grams", "barcode", "is_active", "image_id",
    ),
}  # fmt: skip
_STOCK = {"products": "stock_total", "product_variants": "stock"}
_AT_COMMIT = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
_RUN = "EXECUTE FUNCTION bump_catalog_revision()"


def _shown_change(table, distinct, least):
    stock = _STOCK[table]
    columns = " OR ".join(f"old.{c} {distinct} new.{c}" for c in _SHOWN[table])
    return (
        f"{columns} OR (old.{stock} {distinct} new.{stock} "
        f"AND {least}(old.{stock}, new.{stock}) <= {_LOW_STOCK})"
    )


def _sqlite(when):
    statements = []
    for table in _STOCK:
        condition = f" WHEN {_shown_change(table, 'IS NOT', 'min')}" if when else ""
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_revision_after_update",
            f"CREATE TRIGGER {table}_revision_after_update "
            f"AFTER UPDATE ON {table}{condition} BEGIN {_BUMP}; END",
        ]
    return statements


def _postgresql(when):
    statements = []
    for table in _STOCK:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_revision_at_commit ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_revision_update_at_commit ON {table}",
        ]
        if when:
            statements += [
                f"CREATE CONSTRAINT TRIGGER {table}_revision_at_commit "
                f"AFTER INSERT OR DELETE ON {table} {_AT_COMMIT} {_RUN}",
                f"CREATE CONSTRAINT TRIGGER {table}_revision_update_at_commit "
                f"AFTER UPDATE ON {table} {_AT_COMMIT} "
                f"WHEN ({_shown_change(table, 'IS DISTINCT FROM', 'LEAST')}) {_RUN}",
            ]
        else:
            statements.append(
                f"CREATE CONSTRAINT TRIGGER {table}_revision_at_commit "
                f"AFTER INSERT OR UPDATE OR DELETE ON {table} {_AT_COMMIT} {_RUN}"
            )
    return statements


def _run(when):
    dialect = op.get_bind().dialect.name
    for statement in _sqlite(when) if dialect == "sqlite" else _postgresql(when):
        op.execute(DDL(statement))


def upgrade():
    _run(when=True)


def downgrade():
    _run(when=False)
