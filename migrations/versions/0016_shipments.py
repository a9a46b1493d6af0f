"""shipments: an order's parcels and the units in each; the parent of a payment (a partial
settlement's authorization, a refund's settlement)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 01:00:00.000000

Every order that was shipped before gets one shipment holding all its units, with the carrier
and tracking number the order kept and the time and person of its "shipped" status change,
so that what is shipped is always read from the shipments. Portable SQL.

"""

from alembic import op
import sqlalchemy as sa

import jomso.database


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=80), nullable=False),
        sa.Column("tracking_number", sa.String(length=80), nullable=False),
        sa.Column("amount_cents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("created_at", jomso.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_shipments_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_shipments_payment_id_payments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipments_order_id"), ["order_id"], unique=False)

    op.create_table(
        "shipment_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_shipment_lines_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_lines_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_lines")),
    )
    with op.batch_alter_table("shipment_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_lines_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shipment_lines_shipment_id"), ["shipment_id"], unique=False
        )

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "parent_transaction_id", sa.String(length=64), server_default="", nullable=False
            )
        )

    # The orders shipped before: one parcel each, with all their units.
    op.execute(
        "INSERT INTO shipments (order_id, carrier, tracking_number, amount_cents, payment_id, "
        "actor_id, actor_label, created_at) "
        "SELECT o.id, o.carrier, o.tracking_number, o.total_cents, NULL, c.actor_id, "
        "c.actor_label, c.created_at FROM orders o JOIN order_status_changes c "
        "ON c.id = (SELECT MIN(s.id) FROM order_status_changes s "
        "WHERE s.order_id = o.id AND s.to_status = 'shipped')"
    )
    op.execute(
        "INSERT INTO shipment_lines (shipment_id, order_line_id, quantity) "
        "SELECT s.id, l.id, l.quantity FROM shipments s JOIN order_lines l "
        "ON l.order_id = s.order_id"
    )


def downgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("parent_transaction_id")
    with op.batch_alter_table("shipment_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_lines_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_shipment_lines_order_line_id"))
    op.drop_table("shipment_lines")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_order_id"))
    op.drop_table("shipments")
