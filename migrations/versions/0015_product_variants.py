"""product variants: options and variants; SKU and stock move from products to variants; cart
lines are variants; order lines name their variant

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 00:45:00.000000

* ``product_options`` (up to three per product, their values a JSON array) and
  ``product_variants`` (SKU unique across the shop, option values, optional price and
  compare-at price, stock, weight, barcode, active flag, picture).
* Every existing product gets one variant from its ``sku`` and ``stock``; then
  ``products.sku`` and ``products.stock`` go. Products gain the summary columns the variant
  service keeps for list pages and search: ``price_min_cents``, ``price_max_cents``,
  ``stock_total``, ``on_sale``, ``variant_text`` (the variants' SKUs and option values).
* ``cart_items.product_id`` becomes ``variant_id`` (the product's one variant), unique per cart.
* ``order_lines`` gain ``variant_id`` (the product's one variant, for the lines whose product
  still exists) and ``variant_title`` ("").
* The search index reads ``variant_text`` where it read ``sku`` (FTS5 on SQLite, the stored
  ``search_document`` column on PostgreSQL), and the catalog revision follows the two new
  tables too.

On SQLite the products and cart lines tables are rebuilt (a unique column cannot be dropped in
place) with foreign keys off, as 0006 did for users, and the triggers of products (search and
revision) made again. The statements are written out here so that this migration keeps doing
what it did when ``jomso.catalog`` changes.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy import DDL


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_BUMP = "UPDATE catalog_revision SET value = value + 1 WHERE id = 1"
_NEW_TABLES = ("product_options", "product_variants")


def _sqlite_revision_triggers(tables):
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_revision_after_{op_.lower()} "
        f"AFTER {op_} ON {table} BEGIN {_BUMP}; END"
        for table in tables
        for op_ in ("INSERT", "UPDATE", "DELETE")
    ]


def _sqlite_search(text_column):
    new = f"""INSERT INTO products_fts(rowid, name, {text_column}, description)
        SELECT new.id, new.name, new.{text_column}, new.description WHERE new.is_active;"""
    old = f"""INSERT INTO products_fts(products_fts, rowid, name, {text_column}, description)
        SELECT 'delete', old.id, old.name, old.{text_column}, old.description WHERE old.is_active;"""
    return [
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS products_fts USING fts5(
        name, {text_column}, description,
        content='products', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2',
        prefix='3 4 5 6'
    )""",
        f"""CREATE TRIGGER IF NOT EXISTS products_fts_after_insert
    AFTER INSERT ON products BEGIN
        {new}
    END""",
        f"""CREATE TRIGGER IF NOT EXISTS products_fts_after_delete AFTER DELETE ON products BEGIN
        {old}
    END""",
        f"""CREATE TRIGGER IF NOT EXISTS products_fts_after_update
    AFTER UPDATE OF name, {text_column}, description, is_active ON products BEGIN
        {old}
        {new}
    END""",
        "INSERT INTO products_fts(products_fts) VALUES ('delete-all')",
        f"""INSERT INTO products_fts(rowid, name, {text_column}, description)
        SELECT id, name, {text_column}, description FROM products WHERE is_active""",
    ]


_SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS products_fts_after_insert",
    "DROP TRIGGER IF EXISTS products_fts_after_delete",
    "DROP TRIGGER IF EXISTS products_fts_after_update",
    "DROP TABLE IF EXISTS products_fts",
)

_PG_WORDS = (
    "to_tsvector('jomso_search', regexp_replace(coalesce({c}, ''), '[^[:alnum:]]+', ' ', 'g'))"
)


def _pg_search(text_column):
    document = " || ".join(
        f"setweight({_PG_WORDS.format(c=column)}, '{weight}')"
        for column, weight in (("name", "A"), (text_column, "B"), ("description", "C"))
    )
    return [
        "ALTER TABLE products ADD COLUMN IF NOT EXISTS search_document tsvector "
        f"GENERATED ALWAYS AS ({document}) STORED",
        "CREATE INDEX IF NOT EXISTS ix_products_search_document ON products "
        "USING gin (search_document) WHERE is_active",
    ]


_PG_SEARCH_DROP = (
    "DROP INDEX IF EXISTS ix_products_search_document",
    "ALTER TABLE products DROP COLUMN IF EXISTS search_document",
)


def _pg_revision_triggers(tables):
    return [
        f"CREATE CONSTRAINT TRIGGER {table}_revision_at_commit "
        f"AFTER INSERT OR UPDATE OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED "
        f"FOR EACH ROW EXECUTE FUNCTION bump_catalog_revision()"
        for table in tables
    ]


def _run(statements):
    for statement in statements:
        op.execute(DDL(statement))  # DDL: no bind parameters read into "[[:alnum:]]"


def _sqlite_without_foreign_keys(change):
    """Run ``change`` with foreign keys off in one transaction (a table rebuild), then check
    that every reference still holds (0006's way)."""
    context = op.get_context()
    with context.autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
        try:
            op.execute("BEGIN")
            change()
            broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by 0015's rebuild: {broken[:5]}")
            op.execute("COMMIT")
        except BaseException:
            op.execute("ROLLBACK")
            raise
        finally:
            op.execute("PRAGMA foreign_keys=ON")


def _create_tables():
    op.create_table(
        "product_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_options_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_options")),
        sa.UniqueConstraint("product_id", "position", name=op.f("uq_product_options_product_id")),
    )
    op.create_table(
        "product_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("option1", sa.String(length=100), nullable=True),
        sa.Column("option2", sa.String(length=100), nullable=True),
        sa.Column("option3", sa.String(length=100), nullable=True),
        sa.Column("price_cents", sa.Integer(), nullable=True),
        sa.Column("compare_at_cents", sa.Integer(), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["product_images.id"],
            name=op.f("fk_product_variants_image_id_product_images"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_variants_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_variants")),
        sa.UniqueConstraint("sku", name=op.f("uq_product_variants_sku")),
    )
    with op.batch_alter_table("product_variants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_variants_product_id"), ["product_id"], unique=False
        )
    # One variant per product, from its SKU and stock.
    op.execute(
        "INSERT INTO product_variants (product_id, position, sku, option1, option2, option3, "
        "price_cents, compare_at_cents, stock, weight_grams, barcode, is_active, image_id) "
        "SELECT id, 0, sku, NULL, NULL, NULL, NULL, NULL, stock, 0, '', TRUE, NULL "
        "FROM products"
    )


_ONE_VARIANT = "(SELECT v.id FROM product_variants v WHERE v.product_id = {table}.product_id)"


def _products_columns(batch_op):
    batch_op.add_column(
        sa.Column("price_min_cents", sa.Integer(), server_default="0", nullable=False)
    )
    batch_op.add_column(
        sa.Column("price_max_cents", sa.Integer(), server_default="0", nullable=False)
    )
    batch_op.add_column(sa.Column("stock_total", sa.Integer(), server_default="0", nullable=False))
    batch_op.add_column(
        sa.Column("on_sale", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    batch_op.add_column(sa.Column("variant_text", sa.Text(), server_default="", nullable=False))


def _fill_products():
    op.execute(
        "UPDATE products SET price_min_cents = price_cents, price_max_cents = price_cents, "
        "stock_total = CASE WHEN stock > 0 THEN stock ELSE 0 END, variant_text = sku"
    )


def _drop_product_sku_stock(batch_op):
    batch_op.drop_index("ix_products_active_stock")
    batch_op.drop_constraint("uq_products_sku", type_="unique")
    batch_op.drop_column("sku")
    batch_op.drop_column("stock")
    batch_op.create_index(
        "ix_products_active_stock_total", ["is_active", "stock_total"], unique=False
    )


def _cart_items_to_variants(batch_op):
    batch_op.drop_constraint("uq_cart_items_cart_id", type_="unique")
    batch_op.drop_index("ix_cart_items_product_id")
    batch_op.drop_constraint("fk_cart_items_product_id_products", type_="foreignkey")
    batch_op.drop_column("product_id")
    batch_op.create_index(batch_op.f("ix_cart_items_variant_id"), ["variant_id"], unique=False)
    batch_op.create_unique_constraint(
        batch_op.f("uq_cart_items_cart_id"), ["cart_id", "variant_id"]
    )
    batch_op.create_foreign_key(
        batch_op.f("fk_cart_items_variant_id_product_variants"),
        "product_variants",
        ["variant_id"],
        ["id"],
        ondelete="SET NULL",
    )


def _order_lines_columns(batch_op):
    batch_op.add_column(sa.Column("variant_id", sa.Integer(), nullable=True))
    batch_op.add_column(
        sa.Column("variant_title", sa.String(length=200), server_default="", nullable=False)
    )
    batch_op.create_index(batch_op.f("ix_order_lines_variant_id"), ["variant_id"], unique=False)
    batch_op.create_foreign_key(
        batch_op.f("fk_order_lines_variant_id_product_variants"),
        "product_variants",
        ["variant_id"],
        ["id"],
        ondelete="SET NULL",
    )


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    _create_tables()
    op.add_column("cart_items", sa.Column("variant_id", sa.Integer(), nullable=True))
    op.execute(f"UPDATE cart_items SET variant_id = {_ONE_VARIANT.format(table='cart_items')}")
    if sqlite:
        _run(_SQLITE_SEARCH_DROP)

        def change():
            with op.batch_alter_table("products", recreate="always") as batch_op:
                _products_columns(batch_op)
            _fill_products()
            with op.batch_alter_table("products", recreate="always") as batch_op:
                _drop_product_sku_stock(batch_op)
            with op.batch_alter_table("cart_items", recreate="always") as batch_op:
                _cart_items_to_variants(batch_op)
            with op.batch_alter_table("order_lines", recreate="always") as batch_op:
                _order_lines_columns(batch_op)

        _sqlite_without_foreign_keys(change)
        _run(_sqlite_search("variant_text"))
        _run(_sqlite_revision_triggers(("products", *_NEW_TABLES)))
    else:
        _run(_PG_SEARCH_DROP)
        with op.batch_alter_table("products") as batch_op:
            _products_columns(batch_op)
        _fill_products()
        # The fill queued the deferred revision trigger; run it now, before the ALTER TABLE.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with op.batch_alter_table("products") as batch_op:
            _drop_product_sku_stock(batch_op)
        with op.batch_alter_table("cart_items") as batch_op:
            _cart_items_to_variants(batch_op)
        with op.batch_alter_table("order_lines") as batch_op:
            _order_lines_columns(batch_op)
        _run(_pg_search("variant_text"))
        _run(_pg_revision_triggers(_NEW_TABLES))
    op.execute(
        "UPDATE order_lines SET variant_id = "
        f"{_ONE_VARIANT.format(table='order_lines')} WHERE product_id IS NOT NULL"
    )


def downgrade():
    """Back to one SKU and stock per product: each product keeps its first variant's SKU and
    the units of all its variants; cart lines point at their variant's product (one line per
    product: the first is kept)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    first = (
        "(SELECT {col} FROM product_variants v WHERE v.product_id = products.id "
        "ORDER BY v.position, v.id LIMIT 1)"
    )
    if sqlite:
        _run(_SQLITE_SEARCH_DROP)
        _run(
            [
                f"DROP TRIGGER IF EXISTS {t}_revision_after_{o}"
                for t in _NEW_TABLES
                for o in ("insert", "update", "delete")
            ]
        )
    else:
        _run(_PG_SEARCH_DROP)
        _run([f"DROP TRIGGER IF EXISTS {t}_revision_at_commit ON {t}" for t in _NEW_TABLES])
    recreate = "always" if sqlite else "auto"

    def change():
        with op.batch_alter_table("products", recreate=recreate) as batch_op:
            batch_op.add_column(sa.Column("sku", sa.String(length=64), nullable=True))
            batch_op.add_column(
                sa.Column("stock", sa.Integer(), server_default="0", nullable=False)
            )
        op.execute(
            f"UPDATE products SET sku = coalesce({first.format(col='v.sku')}, "
            "'P-' || CAST(id AS VARCHAR(20))), stock = stock_total"
        )
        if not sqlite:
            op.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with op.batch_alter_table("products", recreate=recreate) as batch_op:
            batch_op.alter_column("sku", existing_type=sa.String(length=64), nullable=False)
            batch_op.create_unique_constraint("uq_products_sku", ["sku"])
            batch_op.drop_index("ix_products_active_stock_total")
            batch_op.create_index("ix_products_active_stock", ["is_active", "stock"], unique=False)
            for column in (
                "price_min_cents",
                "price_max_cents",
                "stock_total",
                "on_sale",
                "variant_text",
            ):
                batch_op.drop_column(column)
        with op.batch_alter_table("cart_items", recreate=recreate) as batch_op:
            batch_op.add_column(sa.Column("product_id", sa.Integer(), nullable=True))
        op.execute(
            "UPDATE cart_items SET product_id = (SELECT v.product_id FROM product_variants v "
            "WHERE v.id = cart_items.variant_id)"
        )
        op.execute(
            "DELETE FROM cart_items WHERE id NOT IN (SELECT min(c.id) FROM cart_items c "
            "GROUP BY c.cart_id, c.product_id)"
        )
        with op.batch_alter_table("cart_items", recreate=recreate) as batch_op:
            batch_op.drop_constraint(
                "fk_cart_items_variant_id_product_variants", type_="foreignkey"
            )
            batch_op.drop_constraint("uq_cart_items_cart_id", type_="unique")
            batch_op.drop_index("ix_cart_items_variant_id")
            batch_op.drop_column("variant_id")
            batch_op.create_index("ix_cart_items_product_id", ["product_id"], unique=False)
            batch_op.create_unique_constraint("uq_cart_items_cart_id", ["cart_id", "product_id"])
            batch_op.create_foreign_key(
                "fk_cart_items_product_id_products",
                "products",
                ["product_id"],
                ["id"],
                ondelete="SET NULL",
            )
        with op.batch_alter_table("order_lines", recreate=recreate) as batch_op:
            batch_op.drop_constraint(
                "fk_order_lines_variant_id_product_variants", type_="foreignkey"
            )
            batch_op.drop_index("ix_order_lines_variant_id")
            batch_op.drop_column("variant_title")
            batch_op.drop_column("variant_id")
        op.drop_table("product_variants")
        op.drop_table("product_options")

    if sqlite:
        _sqlite_without_foreign_keys(change)
        _run(_sqlite_search("sku"))
        _run(_sqlite_revision_triggers(("products",)))
    else:
        change()
        _run(_pg_search("sku"))
