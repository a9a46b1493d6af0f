"""staff order emails and seller details: a staff member's "email me each new order" choice;
the seller's details that invoices carry

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 04:30:00.000000

``users.notify_new_orders`` starts off for everyone: each staff member switches it on for
themselves. ``seller_details`` holds one row (id 1) once the owner saves the seller's legal
name, postal address, tax id and invoice footer; a shop upgraded from before has none, and the
setup checklist asks for them. Portable SQL.
"""

from alembic import op
import sqlalchemy as sa

import jomso.database


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch would rebuild ``users`` on SQLite and lose its AUTOINCREMENT
    # (migration 0006).
    op.add_column(
        "users",
        sa.Column("notify_new_orders", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "seller_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("tax_id", sa.String(length=20), nullable=False),
        sa.Column("invoice_footer", sa.Text(), nullable=False),
        sa.Column("updated_at", jomso.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_details")),
    )


def downgrade():
    op.drop_table("seller_details")
    # A plain DROP COLUMN (SQLite 3.35+), for the reason above: a rebuild of ``users`` with
    # foreign keys on would also empty what points at the accounts.
    op.drop_column("users", "notify_new_orders")
