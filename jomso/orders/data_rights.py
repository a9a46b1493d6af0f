"""Orders in a person's data export and erasure.

A person's orders are those linked to their account and those placed with one of their proved
addresses (the account's once confirmed, a privacy request's), so a guest order placed signed
out is found as well. The export lists every one (including attempts whose payment failed):
contact, addresses, lines, totals, the timeline, the parcels (carrier, tracking number, the
units in each), the payments (transaction id, status, amount,
card brand and last four), what Braintree reported about them, the staff's internal notes
on them (a note may be about the customer), and the invoice and credit notes issued for them.
An erasure keeps the orders for the books with their personal fields replaced by "deleted"
and their notes deleted (``anonymize_orders``, run inside the erasure's transaction: it
flushes, never commits). Invoices and credit notes keep no buyer of their own: they print
the order's, so an anonymised order's invoice names nobody either.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from jomso.accounts.validation import country_name
from jomso.database import utcnow
from jomso.extensions import db
from jomso.orders.models import Order
from jomso.privacy.registry import (
    DataSubject,
    declare_not_exported,
    declare_not_personal,
    register_erasure,
    register_export_section,
    row_dict,
)

ERASED = "deleted"


def _orders(subject: DataSubject) -> list[Order]:
    condition = subject.owns(user=Order.user_id, email=Order.email)
    return list(
        db.session.scalars(select(Order).where(condition).order_by(Order.created_at, Order.id))
    )


def _orders_section(subject: DataSubject) -> list[dict[str, Any]]:
    orders = _orders(subject)
    return [
        row_dict(
            order,
            billing_country_name=country_name(order.billing_country),
            shipping_country_name=country_name(order.shipping_country),
            lines=[row_dict(line) for line in order.lines],
            tax_lines=[row_dict(tax) for tax in order.tax_lines],
            status_changes=[row_dict(change) for change in order.changes],
            payments=[row_dict(payment) for payment in order.payments],
            payment_events=[row_dict(event) for event in order.events],
            notes=[row_dict(note) for note in order.notes],
            shipments=[
                row_dict(shipment, lines=[row_dict(p, sku=p.line.sku) for p in shipment.lines])
                for shipment in order.shipments
            ],
            invoice=_invoice_dict(order),
        )
        for order in orders
    ]


def _invoice_dict(order: Order) -> dict[str, Any] | None:
    """The order's invoice and its credit notes (their buyer is the order's, above)."""
    invoice = order.invoice
    if invoice is None:
        return None
    return row_dict(
        invoice,
        credit_notes=[
            row_dict(note, tax_lines=[row_dict(tax) for tax in note.tax_lines])
            for note in invoice.credit_notes
        ],
    )


def anonymize_order(order: Order, now: datetime) -> None:
    """Replace the order's personal fields by "deleted" and unlink it from its account (no
    flush, no commit). Lines, totals and payment ids stay for the books; the country stays
    for tax records; links mailed earlier stop working."""
    order.email = ERASED
    order.phone = ERASED
    for kind in ("billing", "shipping"):
        for part in ("name", "line1", "city"):
            setattr(order, f"{kind}_{part}", ERASED)
        for part in ("line2", "region", "postal_code"):
            setattr(order, f"{kind}_{part}", "")
    order.tracking_number = ""
    for shipment in order.shipments:  # a parcel's tracking page shows where it went
        shipment.tracking_number = ""
    order.notes.clear()  # free text staff wrote about the customer
    order.checkout_key = None
    order.user_id = None
    order.anonymized_at = now


def anonymize_orders(subject: DataSubject) -> None:
    """Anonymise the person's orders, their account's and those placed with a proved address
    (inside the erasure's transaction)."""
    now = utcnow()
    for order in _orders(subject):
        anonymize_order(order, now)
    db.session.flush()


declare_not_exported("orders.checkout_key", "a hash of the checkout form's one-time key")
declare_not_exported(
    "order_status_changes.actor_label", "names the staff member who changed the order"
)
declare_not_exported("order_notes.author_label", "names the staff member who wrote the note")
declare_not_exported("shipments.actor_label", "names the staff member who sent the parcel")
declare_not_personal(
    "order_search_terms",
    "a copy of words of the order's own name, email and SKU fields (exported with the order), "
    "kept as the staff search's index and recomputed when the order is anonymized",
)
register_export_section(
    "orders",
    _orders_section,
    tables=(
        "orders",
        "order_lines",
        "order_status_changes",
        "payments",
        "payment_events",
        "order_notes",
        "shipments",
        "shipment_lines",
        "order_tax_lines",
        "invoices",
        "credit_notes",
        "credit_note_tax_lines",
    ),
)
register_erasure(anonymize_orders)
