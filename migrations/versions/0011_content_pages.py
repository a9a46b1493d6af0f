"""content pages: the versions of the shop's own pages (shipping and returns, terms of sale,
about us, imprint)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:27:20.088057

The table starts empty: a page shows in the shop once the owner publishes its first version.

"""
from alembic import op
import sqlalchemy as sa

import jomso.database


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', jomso.database.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_page_versions_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_versions')),
    sa.UniqueConstraint('page', 'version', name=op.f('uq_page_versions_page'))
    )


def downgrade():
    op.drop_table('page_versions')
