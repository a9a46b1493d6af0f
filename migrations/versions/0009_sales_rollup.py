"""sales roll-up: the figures of each local day once it is over (sales_days and its products
and countries, the products of each month), and the indexes the back office's figures read by

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:30:00.000000

The roll-up starts empty: the sales page builds each day the first time it is asked for (a
shop with years of orders may wait a few seconds once). ``ix_payments_kind_created`` finds the
refunds of a day, ``ix_products_active_stock`` the products low on stock, and the partial
``ix_page_views_visits`` the consented page views of a day (the visits of the conversion rate).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sales_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('gross_cents', sa.BigInteger(), nullable=False),
    sa.Column('shipping_cents', sa.BigInteger(), nullable=False),
    sa.Column('discount_cents', sa.BigInteger(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('refunds', sa.Integer(), nullable=False),
    sa.Column('refunded_cents', sa.BigInteger(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('checkout_visits', sa.Integer(), nullable=False),
    sa.Column('order_visits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_sales_days'))
    )
    op.create_table('sales_day_products',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('revenue_cents', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'product_id', name=op.f('pk_sales_day_products'))
    )
    op.create_table('sales_day_countries',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('gross_cents', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'country', name=op.f('pk_sales_day_countries'))
    )
    op.create_table('sales_months',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_sales_months'))
    )
    op.create_table('sales_month_products',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('revenue_cents', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'product_id', name=op.f('pk_sales_month_products'))
    )
    op.create_index('ix_payments_kind_created', 'payments', ['kind', 'created_at'], unique=False)
    op.create_index('ix_products_active_stock', 'products', ['is_active', 'stock'], unique=False)
    op.create_index('ix_page_views_visits', 'page_views', ['created_at', 'visitor_id', 'path'], unique=False, sqlite_where=sa.text('visitor_id IS NOT NULL'), postgresql_where=sa.text('visitor_id IS NOT NULL'))


def downgrade():
    op.drop_index('ix_page_views_visits', table_name='page_views', sqlite_where=sa.text('visitor_id IS NOT NULL'), postgresql_where=sa.text('visitor_id IS NOT NULL'))
    op.drop_index('ix_products_active_stock', table_name='products')
    op.drop_index('ix_payments_kind_created', table_name='payments')
    op.drop_table('sales_month_products')
    op.drop_table('sales_months')
    op.drop_table('sales_day_countries')
    op.drop_table('sales_day_products')
    op.drop_table('sales_days')
