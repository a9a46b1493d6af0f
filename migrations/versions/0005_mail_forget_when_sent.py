"""mail forget_when_sent: a message to an erased address is deleted once sent, never kept

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00.000000

The confirmation of an account's deletion goes to an address the shop has just erased:
``outgoing_mail.forget_when_sent`` marks such a message, whose row the sender deletes as soon
as the SMTP server took it (or it was given up) instead of keeping it MAIL_KEEP_DAYS. Existing
rows are ordinary messages (false).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('forget_when_sent', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('forget_when_sent')
