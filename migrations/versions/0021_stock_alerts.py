"""stock alerts: a product's own low-stock threshold, when a variant was last named in a
low-stock email, the low-stock emails sent, and "email me when it is back" requests

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 04:30:00.000000

The columns are added with plain ``ALTER TABLE ... ADD COLUMN`` (no batch copy of the table
on SQLite), so the search and catalog-revision triggers of ``products`` and
``product_variants`` stay as they are; neither column is one a page shows, so the triggers'
lists need no change. Portable SQL.
"""

from alembic import op
import sqlalchemy as sa

import jomso.database


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("products", sa.Column("low_stock_threshold", sa.Integer(), nullable=True))
    op.add_column(
        "product_variants",
        sa.Column("low_stock_alerted_at", jomso.database.UTCDateTime(), nullable=True),
    )
    op.create_table(
        "stock_alert_mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sent_at", jomso.database.UTCDateTime(), nullable=False),
        sa.Column("variants", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_alert_mailings")),
    )
    with op.batch_alter_table("stock_alert_mailings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stock_alert_mailings_sent_at"), ["sent_at"], unique=False
        )

    op.create_table(
        "restock_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("created_at", jomso.database.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", jomso.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_restock_requests_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"], ["product_variants.id"],
            name=op.f("fk_restock_requests_variant_id_product_variants"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restock_requests")),
        sa.UniqueConstraint(
            "variant_id", "email", name=op.f("uq_restock_requests_variant_id")
        ),
    )
    with op.batch_alter_table("restock_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_restock_requests_created_at"), ["created_at"])
        batch_op.create_index(batch_op.f("ix_restock_requests_email"), ["email"])
        batch_op.create_index(batch_op.f("ix_restock_requests_user_id"), ["user_id"])
        batch_op.create_index(batch_op.f("ix_restock_requests_variant_id"), ["variant_id"])


def downgrade():
    with op.batch_alter_table("restock_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_restock_requests_variant_id"))
        batch_op.drop_index(batch_op.f("ix_restock_requests_user_id"))
        batch_op.drop_index(batch_op.f("ix_restock_requests_email"))
        batch_op.drop_index(batch_op.f("ix_restock_requests_created_at"))
    op.drop_table("restock_requests")
    with op.batch_alter_table("stock_alert_mailings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_alert_mailings_sent_at"))
    op.drop_table("stock_alert_mailings")
    op.drop_column("product_variants", "low_stock_alerted_at")
    op.drop_column("products", "low_stock_threshold")
