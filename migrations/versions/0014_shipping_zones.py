"""shipping zones and methods; the order's delivery method

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 01:20:00

Before this, every order paid one flat rate (``SHIPPING_FLAT_CENTS``, free from
``FREE_SHIPPING_THRESHOLD_CENTS``) to any country. The upgrade keeps exactly that: one zone,
"Everywhere" (``*``), with one method, "Standard shipping", at the shop's rate as it was set
(the environment or the instance's config file; else the old defaults). The owner then
narrows it at /staff/shipping. Orders placed before keep their shipping price; their method
name stays empty. Orders keep the method by its name only (no key: a method can be deleted).
"""
import os

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _old_setting(name: str, default: int) -> int | None:
    """The shop's old shipping setting: from the environment, or the app's config (its
    instance config file), else the old default."""
    raw = os.environ.get(f"JOMSO_{name}")
    if raw is None:
        try:
            from flask import current_app

            raw = current_app.config.get(name)
        except RuntimeError:  # no app: Alembic run on its own
            raw = None
    try:
        return int(raw) if raw is not None else default
    except (TypeError, ValueError):
        return default


def upgrade():
    op.create_table('shipping_zones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_zones'))
    )
    op.create_table('shipping_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['zone_id'], ['shipping_zones.id'], name=op.f('fk_shipping_areas_zone_id_shipping_zones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_areas')),
    sa.UniqueConstraint('country', 'region', name=op.f('uq_shipping_areas_country'))
    )
    op.create_index(op.f('ix_shipping_areas_zone_id'), 'shipping_areas', ['zone_id'], unique=False)
    op.create_table('shipping_methods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('free_from_cents', sa.Integer(), nullable=True),
    sa.Column('weight_bands', sa.Text(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['zone_id'], ['shipping_zones.id'], name=op.f('fk_shipping_methods_zone_id_shipping_zones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_methods'))
    )
    op.create_index(op.f('ix_shipping_methods_zone_id'), 'shipping_methods', ['zone_id'], unique=False)
    # A plain ADD COLUMN (no rebuild of orders: on SQLite that would cascade to its lines).
    op.add_column('orders', sa.Column('shipping_method_name', sa.String(length=120), nullable=False, server_default=''))
    op.create_index(op.f('ix_orders_shipping_method_name'), 'orders', ['shipping_method_name'], unique=False)

    flat = _old_setting("SHIPPING_FLAT_CENTS", 495)
    free_from = _old_setting("FREE_SHIPPING_THRESHOLD_CENTS", 5000)
    zones = sa.table('shipping_zones', sa.column('id', sa.Integer), sa.column('name', sa.String))
    areas = sa.table('shipping_areas', sa.column('zone_id', sa.Integer), sa.column('country', sa.String), sa.column('region', sa.String))
    methods = sa.table(
        'shipping_methods', sa.column('zone_id', sa.Integer), sa.column('name', sa.String),
        sa.column('kind', sa.String), sa.column('price_cents', sa.Integer),
        sa.column('free_from_cents', sa.Integer), sa.column('weight_bands', sa.Text),
        sa.column('is_active', sa.Boolean), sa.column('position', sa.Integer),
    )
    op.bulk_insert(zones, [{'id': 1, 'name': 'Everywhere'}])
    op.bulk_insert(areas, [{'zone_id': 1, 'country': '*', 'region': ''}])
    op.bulk_insert(methods, [{
        'zone_id': 1, 'name': 'Standard shipping',
        'kind': 'free_above' if free_from else 'flat', 'price_cents': flat,
        'free_from_cents': free_from or None, 'weight_bands': '', 'is_active': True, 'position': 0,
    }])
    if op.get_bind().dialect.name == 'postgresql':  # the id above was given, not drawn
        op.execute("SELECT setval('shipping_zones_id_seq', (SELECT max(id) FROM shipping_zones))")


def downgrade():
    op.drop_index(op.f('ix_orders_shipping_method_name'), table_name='orders')
    op.drop_column('orders', 'shipping_method_name')  # SQLite 3.35+: no rebuild
    op.drop_index(op.f('ix_shipping_methods_zone_id'), table_name='shipping_methods')
    op.drop_table('shipping_methods')
    op.drop_index(op.f('ix_shipping_areas_zone_id'), table_name='shipping_areas')
    op.drop_table('shipping_areas')
    op.drop_table('shipping_zones')
