"""invoices: an invoice per paid order and a credit note per refund, each numbered without
gaps in a sequence per calendar year (``document_counters``)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 08:10:00.000000

Orders paid before this upgrade get no invoice (their numbers would not follow the order in
which they were paid): new tables only, nothing is rebuilt.
"""

from alembic import op
import sqlalchemy as sa

import jomso.database


# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def _seller_columns():
    return [
        sa.Column("seller_legal_name", sa.String(length=200), nullable=False),
        sa.Column("seller_line1", sa.String(length=200), nullable=False),
        sa.Column("seller_line2", sa.String(length=200), nullable=False),
        sa.Column("seller_city", sa.String(length=100), nullable=False),
        sa.Column("seller_region", sa.String(length=100), nullable=False),
        sa.Column("seller_postal_code", sa.String(length=20), nullable=False),
        sa.Column("seller_country", sa.String(length=2), nullable=False),
        sa.Column("seller_tax_id", sa.String(length=20), nullable=False),
        sa.Column("seller_footer", sa.Text(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "document_counters",
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "year", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", jomso.database.UTCDateTime(), nullable=False),
        *_seller_columns(),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_invoices_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        sa.UniqueConstraint("order_id", name=op.f("uq_invoices_order_id")),
        sa.UniqueConstraint("year", "seq", name="uq_invoices_year_seq"),
    )
    op.create_table(
        "credit_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("tax_cents", sa.Integer(), nullable=False),
        sa.Column("issued_at", jomso.database.UTCDateTime(), nullable=False),
        *_seller_columns(),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_credit_notes_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_credit_notes_payment_id_payments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_notes")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_notes_number")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_credit_notes_payment_id")),
        sa.UniqueConstraint("year", "seq", name="uq_credit_notes_year_seq"),
    )
    op.create_index(
        op.f("ix_credit_notes_invoice_id"), "credit_notes", ["invoice_id"], unique=False
    )
    op.create_table(
        "credit_note_tax_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_note_id", sa.Integer(), nullable=False),
        sa.Column("class_name", sa.String(length=80), nullable=False),
        sa.Column("percent_thousandths", sa.Integer(), nullable=False),
        sa.Column("base_cents", sa.Integer(), nullable=False),
        sa.Column("tax_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["credit_notes.id"],
            name=op.f("fk_credit_note_tax_lines_credit_note_id_credit_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_note_tax_lines")),
    )
    op.create_index(
        op.f("ix_credit_note_tax_lines_credit_note_id"),
        "credit_note_tax_lines",
        ["credit_note_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(
        op.f("ix_credit_note_tax_lines_credit_note_id"), table_name="credit_note_tax_lines"
    )
    op.drop_table("credit_note_tax_lines")
    op.drop_index(op.f("ix_credit_notes_invoice_id"), table_name="credit_notes")
    op.drop_table("credit_notes")
    op.drop_table("invoices")
    op.drop_table("document_counters")
