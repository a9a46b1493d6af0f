"""discount codes: the codes, what they are limited to, the code kept with a cart, and the
discount on orders and their lines

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 04:40:00.000000

New tables ``discount_codes``, ``discount_code_categories`` and ``discount_code_products``.
Carts keep the code the customer entered (``carts.discount_code``); orders keep the code as
shown, the code's id (to count its uses), the cents it took off the goods and the
shipping it waived; each order line keeps its share of the discount. Plain ADD COLUMNs (no
rebuild of ``orders``: on SQLite that would cascade to its lines); orders placed before have
no discount (0, ""). Portable.
"""

from alembic import op
import sqlalchemy as sa

import jomso.database


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "discount_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("lookup_key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("min_subtotal_cents", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("per_customer_limit", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", jomso.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", jomso.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discount_codes")),
        sa.UniqueConstraint("lookup_key", name=op.f("uq_discount_codes_lookup_key")),
    )
    op.create_table(
        "discount_code_categories",
        sa.Column("discount_code_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_discount_code_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["discount_code_id"],
            ["discount_codes.id"],
            name=op.f("fk_discount_code_categories_discount_code_id_discount_codes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "discount_code_id", "category_id", name=op.f("pk_discount_code_categories")
        ),
    )
    op.create_table(
        "discount_code_products",
        sa.Column("discount_code_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["discount_code_id"],
            ["discount_codes.id"],
            name=op.f("fk_discount_code_products_discount_code_id_discount_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_discount_code_products_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "discount_code_id", "product_id", name=op.f("pk_discount_code_products")
        ),
    )
    op.add_column("carts", sa.Column("discount_code", sa.String(length=40), nullable=True))
    op.add_column(
        "orders",
        sa.Column("discount_code", sa.String(length=40), server_default="", nullable=False),
    )
    # No foreign key: SQLite cannot add one without rebuilding orders; codes are never
    # deleted (staff deactivate them), so the id always names its code.
    op.add_column("orders", sa.Column("discount_code_id", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_orders_discount_code_id"), "orders", ["discount_code_id"], unique=False
    )
    op.add_column(
        "orders",
        sa.Column("discount_cents", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "orders",
        sa.Column("shipping_discount_cents", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "order_lines",
        sa.Column("discount_cents", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade():
    op.drop_column("order_lines", "discount_cents")
    op.drop_column("orders", "shipping_discount_cents")
    op.drop_column("orders", "discount_cents")
    op.drop_index(op.f("ix_orders_discount_code_id"), table_name="orders")
    op.drop_column("orders", "discount_code_id")
    op.drop_column("orders", "discount_code")
    op.drop_column("carts", "discount_code")
    op.drop_table("discount_code_products")
    op.drop_table("discount_code_categories")
    op.drop_table("discount_codes")
