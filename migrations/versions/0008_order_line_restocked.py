"""order lines remember how many units went back in stock (cancel, refunds with restock)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:30:00.000000

A refund can put returned units back in stock; the count per line keeps a second refund from
putting the same units back twice. Orders whose payment failed, and orders cancelled before
they shipped, had all their units put back already: they start with the whole quantity.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('restocked_quantity', sa.Integer(), server_default='0', nullable=False)
        )
    # Units already back: every unit of a failed payment's order, and of an order cancelled
    # before it shipped.
    op.execute(
        "UPDATE order_lines SET restocked_quantity = quantity WHERE order_id IN ("
        "SELECT id FROM orders WHERE status = 'payment_failed') OR order_id IN ("
        "SELECT order_id FROM order_status_changes WHERE to_status = 'cancelled' "
        "AND from_status IN ('paid', 'processing'))"
    )


def downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('restocked_quantity')
