"""Orders in the customer's data export and account deletion.

The export lists every order linked to the account (including attempts whose payment
failed): contact, addresses, lines, totals, the timeline, the payments (transaction id,
status, amount, card brand and last four) and what Braintree reported about them. Deleting the
account keeps the orders for the books with their personal fields replaced by "deleted"
(``anonymize_orders``, run inside the account deletion's transaction: it flushes, never
commits).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from jomso.accounts.models import User
from jomso.accounts.validation import country_name
from jomso.database import utcnow
from jomso.extensions import db
from jomso.orders.models import Order
from jomso.privacy.registry import (
    declare_not_exported,
    register_erasure,
    register_export_section,
    row_dict,
)

ERASED = "deleted"


def _orders_section(user: User) -> list[dict[str, Any]]:
    orders = db.session.scalars(
        select(Order).where(Order.user_id == user.id).order_by(Order.created_at, Order.id)
    )
    return [
        row_dict(
            order,
            billing_country_name=country_name(order.billing_country),
            shipping_country_name=country_name(order.shipping_country),
            lines=[row_dict(line) for line in order.lines],
            status_changes=[row_dict(change) for change in order.changes],
            payments=[row_dict(payment) for payment in order.payments],
            payment_events=[row_dict(event) for event in order.events],
        )
        for order in orders
    ]


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
    order.checkout_key = None
    order.user_id = None
    order.anonymized_at = now


def anonymize_orders(user: User) -> None:
    """Anonymise the account's orders (inside the account deletion's transaction)."""
    now = utcnow()
    for order in db.session.scalars(select(Order).where(Order.user_id == user.id)):
        anonymize_order(order, now)
    db.session.flush()


declare_not_exported("orders.checkout_key", "a hash of the checkout form's one-time key")
declare_not_exported(
    "order_status_changes.actor_label", "names the staff member who changed the order"
)
register_export_section(
    "orders",
    _orders_section,
    tables=("orders", "order_lines", "order_status_changes", "payments", "payment_events"),
)
register_erasure(anonymize_orders)
