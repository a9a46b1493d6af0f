"""price sort indexes: the list pages sort by the lowest variant price

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 04:30:00.000000

The list pages sort "price: low to high" and "high to low" by the price the cards show, a
product's lowest active variant price (``price_min_cents``), not its default price
(``price_cents``), which a product whose variants all have their own price never sells at.
The two price indexes (all products, and per category) follow, so that a sorted page and a
deep page read after its boundary still come from an index.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_products_category_active_price", table_name="products")
    op.drop_index("ix_products_active_price", table_name="products")
    op.create_index(
        "ix_products_active_price_min", "products", ["is_active", "price_min_cents"], unique=False
    )
    op.create_index(
        "ix_products_category_active_price_min",
        "products",
        ["category_id", "is_active", "price_min_cents"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_products_category_active_price_min", table_name="products")
    op.drop_index("ix_products_active_price_min", table_name="products")
    op.create_index(
        "ix_products_active_price", "products", ["is_active", "price_cents"], unique=False
    )
    op.create_index(
        "ix_products_category_active_price",
        "products",
        ["category_id", "is_active", "price_cents"],
        unique=False,
    )
