"""Keeping what Braintree announces by webhook about an order's payment: disputes (opened,
won, lost...) and refunds that failed, shown on the staff order page.

``jomso.payments.webhooks`` verifies the signature and calls ``record_webhook``. Rules that
hold: a repeated delivery of the same notification is kept once; kinds the shop does not
follow and transactions of no order are not kept; nothing here moves money or changes an
order's status (a failed refund only marks its payment record failed). Log lines carry order
numbers and webhook kinds only.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from jomso import payments
from jomso.extensions import db
from jomso.orders.models import Payment
from jomso.orders.models import PaymentEvent as PaymentEventRow
from jomso.orders.queries import find_order

log = logging.getLogger(__name__)


def record_webhook(event: payments.WebhookEvent) -> PaymentEventRow | None:
    """Keep a dispute or failed refund Braintree announced against its order (found by
    transaction id, else by order number); a repeated delivery is kept once. Returns the
    row, or None for kinds the shop does not keep and for unknown transactions."""
    if not (event.kind.startswith("dispute_") or event.kind == "refund_failed"):
        return None  # "check" and kinds the shop does not follow
    payment = None
    if event.transaction_id:
        payment = db.session.scalar(
            select(Payment).where(Payment.transaction_id == event.transaction_id)
        )
    order = payment.order if payment is not None else None
    if order is None and event.order_number:
        order = find_order(event.order_number)
    if order is None:
        log.warning("webhook %s for a transaction of no order", event.kind)
        return None
    for known in order.events:
        if (
            known.kind == event.kind
            and known.transaction_id == (event.transaction_id or "")
            and known.dispute_id == (event.dispute_id or "")
            and known.occurred_at == event.timestamp
        ):
            return known
    row = PaymentEventRow(
        kind=event.kind,
        transaction_id=event.transaction_id or "",
        dispute_id=event.dispute_id or "",
        dispute_status=event.dispute_status or "",
        dispute_reason=event.dispute_reason or "",
        reply_by=event.dispute_reply_by,
        amount_cents=event.amount_cents,
        occurred_at=event.timestamp,
    )
    order.events.append(row)
    if event.kind == "refund_failed" and payment is not None and payment.kind == Payment.REFUND:
        payment.status = "failed"
    db.session.commit()
    log.info("order %s: webhook %s recorded", order.number, event.kind)
    return row
