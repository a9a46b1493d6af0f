"""stock alerts: a product's own low-stock threshold, when a variant was last named in a
low-stock email, and the low-stock emails sent

Revision ID: 0020
Revises: 0017
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
revision = "0020"
down_revision = "0017"
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


def downgrade():
    with op.batch_alter_table("stock_alert_mailings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_alert_mailings_sent_at"))
    op.drop_table("stock_alert_mailings")
    op.drop_column("product_variants", "low_stock_alerted_at")
    op.drop_column("products", "low_stock_threshold")
