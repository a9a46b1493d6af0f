"""The seller's details, the invoices and credit notes, and their number sequences."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db

if TYPE_CHECKING:
    from jomso.orders.models import Order

SELLER_ROW = 1  # the one row


class SellerDetails(db.Model):
    """Who sells: the shop's legal name and postal address (the shop's address parts, checked
    by ``jomso.addresses`` for its country), its tax id, the invoices' footer. One row, id 1;
    none until the owner saves the page."""

    __tablename__ = "seller_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    line1: Mapped[str] = mapped_column(String(200), default="")
    line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    tax_id: Mapped[str] = mapped_column(String(20), default="")  # "DE123456789", compact
    invoice_footer: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def name(self) -> str:  # for ``jomso.addresses.address_lines``
        return self.legal_name


class DocumentCounter(db.Model):
    """The last number given in one sequence of one calendar year (the shop's time zone):
    ``kind`` is ``invoice`` or ``credit_note``. Incremented by one statement in the very
    transaction that writes the document (``jomso.invoices.numbering``): a rolled-back
    transaction gives its number back, so the numbers have no gaps."""

    __tablename__ = "document_counters"

    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(default=0)


class SellerSnapshot:
    """The seller's details as they were when a document was issued (columns ``seller_*``):
    a later change of the shop's address never rewrites an invoice."""

    seller_legal_name: Mapped[str] = mapped_column(String(200), default="")
    seller_line1: Mapped[str] = mapped_column(String(200), default="")
    seller_line2: Mapped[str] = mapped_column(String(200), default="")
    seller_city: Mapped[str] = mapped_column(String(100), default="")
    seller_region: Mapped[str] = mapped_column(String(100), default="")
    seller_postal_code: Mapped[str] = mapped_column(String(20), default="")
    seller_country: Mapped[str] = mapped_column(String(2), default="")
    seller_tax_id: Mapped[str] = mapped_column(String(20), default="")
    seller_footer: Mapped[str] = mapped_column(Text, default="")

    def seller_address(self) -> dict[str, str]:
        """For ``jomso.addresses.address_lines``: the parts by name, the name the legal one."""
        return {
            "name": self.seller_legal_name,
            "line1": self.seller_line1,
            "line2": self.seller_line2,
            "city": self.seller_city,
            "region": self.seller_region,
            "postal_code": self.seller_postal_code,
            "country": self.seller_country,
        }


class Invoice(SellerSnapshot, db.Model):
    """The invoice of a paid order: its number ("2026-000123": the year and its sequence),
    when it was issued and the seller then. The buyer, the lines, the tax and the totals are
    the order's own snapshot (an order's lines never change once placed), read from the order,
    so an anonymised order's invoice names nobody either."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_invoices_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int]
    seq: Mapped[int]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # ``order.invoice`` too (a backref: the orders' models do not know invoices), for pages.
    order: Mapped[Order] = relationship(backref=backref("invoice", uselist=False))
    credit_notes: Mapped[list[CreditNote]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="CreditNote.id"
    )


class CreditNote(SellerSnapshot, db.Model):
    """What a recorded refund gives back, against its invoice ("CN-2026-000004"): the amount
    refunded and its tax per rate (``tax_lines``), computed when it was issued
    (``jomso.taxes.money.refund_tax_lines``) so that the credit notes of an invoice never give
    back more tax than it charged."""

    __tablename__ = "credit_notes"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_credit_notes_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int]
    seq: Mapped[int]
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    # The refund's payment record (one credit note per refund).
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id", ondelete="SET NULL"), unique=True
    )
    amount_cents: Mapped[int]
    tax_cents: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="credit_notes")
    tax_lines: Mapped[list[CreditNoteTaxLine]] = relationship(
        back_populates="credit_note", cascade="all, delete-orphan", order_by="CreditNoteTaxLine.id"
    )


class CreditNoteTaxLine(db.Model):
    """One rate's share of a credit note: the rate, the amount given back at it and its tax
    (base as on the order's tax lines: with the tax when prices include it)."""

    __tablename__ = "credit_note_tax_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_note_id: Mapped[int] = mapped_column(
        ForeignKey("credit_notes.id", ondelete="CASCADE"), index=True
    )
    class_name: Mapped[str] = mapped_column(String(80))
    percent_thousandths: Mapped[int]
    base_cents: Mapped[int]
    tax_cents: Mapped[int]

    credit_note: Mapped[CreditNote] = relationship(back_populates="tax_lines")
