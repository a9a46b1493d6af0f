"""order language: the language an order was placed in, for its emails

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 00:50:00.000000

Orders placed before have none (empty): their emails go out in the shop's default language.

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("language")
