"""Settling orders whose payment outcome is unknown: the gateway did not answer at checkout
(``payment_unknown``), or the checkout request was lost mid-payment (a worker killed, a crash:
a ``pending_payment`` order whose attempt is older than ``RECONCILE_AFTER_SECONDS``, see
``orders.status.is_stale_pending``).

Rules that hold:

* **Money.** Reconciling never charges: it reads what Braintree holds under the order number
  (``payments.find_by_order``), so the checkout's "at most one authorization per order" holds.
  An authorized (or captured) sale makes the order paid at once. None makes it payment failed
  only once the attempt is older than ``RECONCILE_AFTER_SECONDS``: until then Braintree may
  still be finishing a sale whose answer was lost, and the order is left as it is. When
  Braintree cannot be asked, ``GatewayUnavailable`` is raised and nothing changes.
* **Stock.** The outcome is written in one write-locked transaction that first reads the order
  again, so an order settled meanwhile is left alone; a failed payment puts the stock back in
  that same transaction.

The customer is emailed either way. Log lines carry order numbers only.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from jomso import payments
from jomso.accounts.models import User
from jomso.extensions import db
from jomso.invoices.issuing import issue_invoice
from jomso.orders import emails, staff_notices
from jomso.orders.models import Order
from jomso.orders.status import IllegalTransition, OrderStatus, attempt_is_over, is_stale_pending
from jomso.orders.transitions import (
    SYSTEM,
    lock_order,
    move,
    release_stock,
    sale_payment,
    write_lock,
)

log = logging.getLogger(__name__)

S = OrderStatus


def needs_reconciling(order: Order) -> bool:
    return order.status == S.PAYMENT_UNKNOWN or is_stale_pending(order)


def orders_to_reconcile() -> list[Order]:
    candidates = db.session.scalars(
        select(Order)
        .where(Order.status.in_([S.PAYMENT_UNKNOWN, S.PENDING_PAYMENT]))
        .order_by(Order.id)
    ).all()
    return [order for order in candidates if needs_reconciling(order)]


def reconcile(order: Order, actor: User | None = None, default_actor: str = SYSTEM) -> OrderStatus:
    """Settle an order whose payment outcome is unknown from what Braintree holds under its
    order number: an authorized (or captured) sale makes it paid; none makes it failed and
    puts the stock back, once the attempt is over (``attempt_is_over``; until then the order
    stays "payment unknown" and that status is returned). Raises ``GatewayUnavailable`` when
    Braintree cannot be asked (nothing changes) and ``IllegalTransition`` when the order is not
    waiting for this."""
    if not needs_reconciling(order):
        raise IllegalTransition(_("This order's payment is already settled."))
    number = order.number
    found = payments.find_by_order(number)  # may raise GatewayUnavailable
    held = [r for r in found if r.kind == "sale" and r.is_authorized]
    with write_lock():
        order = lock_order(number)
        if not needs_reconciling(order):  # settled meanwhile by someone else
            return OrderStatus(order.status)
        if not held and not attempt_is_over(order):
            log.info("order %s: no payment at Braintree yet, left for a later run", number)
            return OrderStatus(order.status)
        if held:
            if order.status == S.PENDING_PAYMENT:
                note = _("The checkout was interrupted.")
                move(order, S.PAYMENT_UNKNOWN, actor, note=note, default_actor=default_actor)
            order.payments.append(sale_payment(held[0]))
            note = _("Braintree holds an authorized payment for this order.")
            move(order, S.PAID, actor, note=note, default_actor=default_actor)
            issue_invoice(order)  # numbered in this transaction
            emails.send_confirmation(order)
            staff_notices.send_new_order_notices(order)
        else:
            release_stock(order)
            move(
                order,
                S.PAYMENT_FAILED,
                actor,
                note=_("Braintree holds no payment for this order."),
                default_actor=default_actor,
            )
            emails.send_payment_failed(order)
    if len(held) > 1:
        log.error("order %s has %d authorized sales: void the extra ones", number, len(held))
    status = OrderStatus(order.status)
    log.info("order %s reconciled: %s", number, status)
    return status
