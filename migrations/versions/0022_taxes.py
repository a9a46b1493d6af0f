"""taxes: the shop's tax settings, tax classes and rates; a tax class on products and
variants; the tax snapshot on orders (per line and per rate)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 04:30:00.000000

A shop upgraded keeps charging what it charged: the settings say prices do not include tax
and no rate is set, so no order gains a tax until the owner sets rates at /staff/taxes. The
three classes every shop starts with (standard, reduced, zero) are made here; every product
is in the standard class, and a variant follows its product (its class empty). Orders placed
before hold no tax (0, prices without tax), which is what they charged. Plain columns and
portable SQL: no table is rebuilt, so the catalog's triggers stay as 0017 left them.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tax_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prices_include_tax", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "shipping_rule", sa.String(length=12), server_default="proportional", nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_settings")),
    )
    op.create_table(
        "tax_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_classes")),
        sa.UniqueConstraint("code", name=op.f("uq_tax_classes_code")),
    )
    op.create_table(
        "tax_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tax_class_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("percent_thousandths", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tax_class_id"],
            ["tax_classes.id"],
            name=op.f("fk_tax_rates_tax_class_id_tax_classes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_rates")),
        sa.UniqueConstraint(
            "tax_class_id", "country", "region", name=op.f("uq_tax_rates_tax_class_id")
        ),
    )
    op.create_index(op.f("ix_tax_rates_tax_class_id"), "tax_rates", ["tax_class_id"], unique=False)
    op.create_table(
        "order_tax_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("tax_class", sa.String(length=40), nullable=False),
        sa.Column("class_name", sa.String(length=80), nullable=False),
        sa.Column("percent_thousandths", sa.Integer(), nullable=False),
        sa.Column("base_cents", sa.Integer(), nullable=False),
        sa.Column("tax_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_tax_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_tax_lines")),
    )
    op.create_index(
        op.f("ix_order_tax_lines_order_id"), "order_tax_lines", ["order_id"], unique=False
    )
    op.add_column(
        "products",
        sa.Column("tax_class", sa.String(length=40), server_default="standard", nullable=False),
    )
    op.add_column(
        "product_variants",
        sa.Column("tax_class", sa.String(length=40), server_default="", nullable=False),
    )
    op.add_column(
        "order_lines",
        sa.Column("tax_class", sa.String(length=40), server_default="", nullable=False),
    )
    for name in ("tax_percent_thousandths", "tax_cents"):
        op.add_column(
            "order_lines", sa.Column(name, sa.Integer(), server_default="0", nullable=False)
        )
    op.add_column(
        "orders", sa.Column("tax_cents", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "orders",
        sa.Column("shipping_tax_cents", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "orders",
        sa.Column("prices_include_tax", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute(
        "INSERT INTO tax_settings (id, prices_include_tax, shipping_rule) "
        "VALUES (1, FALSE, 'proportional')"
    )
    op.execute(
        "INSERT INTO tax_classes (code, name, position) VALUES "
        "('standard', 'Standard', 0), ('reduced', 'Reduced', 1), ('zero', 'Zero', 2)"
    )


def downgrade():
    for name in ("prices_include_tax", "shipping_tax_cents", "tax_cents"):
        with op.batch_alter_table("orders") as batch_op:
            batch_op.drop_column(name)
    with op.batch_alter_table("order_lines") as batch_op:
        for name in ("tax_cents", "tax_percent_thousandths", "tax_class"):
            batch_op.drop_column(name)
    op.drop_column("product_variants", "tax_class")
    op.drop_column("products", "tax_class")
    op.drop_index(op.f("ix_order_tax_lines_order_id"), table_name="order_tax_lines")
    op.drop_table("order_tax_lines")
    op.drop_index(op.f("ix_tax_rates_tax_class_id"), table_name="tax_rates")
    op.drop_table("tax_rates")
    op.drop_table("tax_classes")
    op.drop_table("tax_settings")
