"""Issuing invoices and credit notes, inside the transaction that records the payment.

* ``issue_invoice(order)`` is called by ``orders.placing`` and ``orders.reconciling`` right
  after the order became paid, before their commit: the invoice's number
  (``numbering.take_next``) is taken in the same transaction, so an order whose payment
  failed never takes one and a paid order always has one. Idempotent: an order with an
  invoice keeps it.
* ``issue_credit_note(order, refund)`` is called by ``orders.fulfilment`` when it records a
  refund, under the order's row lock: the refunded amount and its tax per rate
  (``taxes.money.refund_tax_lines``, over all the refunds of the invoice so far). An order
  without an invoice (paid before invoices existed) gets none.

Both copy the seller's details as they are now (``seller_*``). Neither commits.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from jomso.database import utcnow
from jomso.extensions import db
from jomso.invoices import numbering
from jomso.invoices.models import CreditNote, CreditNoteTaxLine, Invoice
from jomso.invoices.seller import get_seller_details
from jomso.taxes.money import refund_tax_lines

if TYPE_CHECKING:
    from jomso.orders.models import Order, Payment

log = logging.getLogger(__name__)

_SELLER_PARTS = ("line1", "line2", "city", "region", "postal_code", "country", "tax_id")


def _seller_snapshot() -> dict[str, str]:
    details = get_seller_details()
    if details is None:
        return {}
    snapshot = {f"seller_{part}": getattr(details, part) for part in _SELLER_PARTS}
    snapshot["seller_legal_name"] = details.legal_name
    snapshot["seller_footer"] = details.invoice_footer
    return snapshot


def _numbered(kind: str) -> dict:
    """The next number of ``kind`` for a document issued now, taken in this transaction."""
    issued_at = utcnow()
    year = numbering.shop_year(issued_at)
    seq = numbering.take_next(kind, year)
    number = numbering.printed(kind, year, seq)
    return {"number": number, "year": year, "seq": seq, "issued_at": issued_at}


def invoice_of(order: Order) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))


def issue_invoice(order: Order) -> Invoice:
    """The paid order's invoice, numbered in the caller's transaction (no commit)."""
    existing = order.invoice  # read by the order's id, unless loaded (a new order has none)
    if existing is not None:
        return existing
    invoice = Invoice(order=order, **_numbered(numbering.INVOICE), **_seller_snapshot())
    db.session.add(invoice)
    log.info("order %s: invoice %s", order.number, invoice.number)
    return invoice


def issue_credit_note(order: Order, refund: Payment) -> CreditNote | None:
    """The credit note of a refund just recorded (flushed, with its id), numbered in the
    caller's transaction (no commit); None when the order has no invoice."""
    invoice = invoice_of(order)
    if invoice is None:
        return None
    before = sum(note.amount_cents for note in invoice.credit_notes)
    shares = refund_tax_lines(
        before,
        refund.amount_cents,
        order.total_cents,
        [(line.base_cents, line.tax_cents) for line in order.tax_lines],
    )
    note = CreditNote(
        **_numbered(numbering.CREDIT_NOTE),
        payment_id=refund.id,
        amount_cents=refund.amount_cents,
        tax_cents=sum(tax for _base, tax in shares),
        tax_lines=[
            CreditNoteTaxLine(
                class_name=line.class_name,
                percent_thousandths=line.percent_thousandths,
                base_cents=base,
                tax_cents=tax,
            )
            for line, (base, tax) in zip(order.tax_lines, shares, strict=True)
            if base or tax
        ],
        **_seller_snapshot(),
    )
    invoice.credit_notes.append(note)
    log.info("order %s: credit note %s", order.number, note.number)
    return note
