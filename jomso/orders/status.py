"""The order status pipeline, in one place: the statuses, their labels, which changes are
allowed, and which staff actions an order offers now.

How an order moves (``TRANSITIONS`` below is the rule):

* checkout: pending_payment → paid, payment_failed or payment_unknown
* reconciliation: payment_unknown (or a stale pending_payment) → paid or payment_failed
* staff: paid → processing → shipped (the payment is captured) → delivered
* in several parcels: paid, processing → partially_shipped (each parcel's part of the payment
  is captured) → ... → shipped when the last unit has left
* cancelling voids the payment before it settles: paid, processing, shipped → cancelled; a
  partially shipped order's cancel voids only what was not captured (the parcels that left
  stay paid, and can be refunded)
* refunds, after settlement: shipped, delivered → partly_refunded → refunded

Every change is written as an ``OrderStatusChange`` by ``orders.transitions.move``; a change
not in ``TRANSITIONS`` raises ``IllegalTransition`` there, so no view can skip a step.

This module imports nothing of the orders package (``orders.models`` imports it): what it
reads of an order is described by ``OrderLike``, which ``orders.models.Order`` fits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from jomso.config import Defaults
from jomso.database import utcnow


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"  # stock reserved, the charge is being asked for
    PAYMENT_FAILED = "payment_failed"  # declined or rejected: nothing charged, stock back
    PAYMENT_UNKNOWN = "payment_unknown"  # the gateway did not answer: reconcile
    PAID = "paid"  # the amount is authorized (held on the card)
    PROCESSING = "processing"  # staff are picking and packing
    # Some units left in parcels (their part of the payment captured), the rest still to ship.
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"  # handed to the carrier; the payment is captured
    DELIVERED = "delivered"
    CANCELLED = "cancelled"  # the authorization was voided
    PARTLY_REFUNDED = "partly_refunded"
    REFUNDED = "refunded"


class Action(StrEnum):
    """What staff can do on an order page; each maps to one service in ``orders.fulfilment``
    (``RECONCILE``: ``orders.reconciling``)."""

    PROCESS = "process"
    SHIP = "ship"
    DELIVER = "deliver"
    CANCEL = "cancel"
    REFUND = "refund"
    RECONCILE = "reconcile"
    SETTLE_DEMO = "settle_demo"


STATUS_LABELS = {
    OrderStatus.PENDING_PAYMENT: _l("Awaiting payment"),
    OrderStatus.PAYMENT_FAILED: _l("Payment failed"),
    OrderStatus.PAYMENT_UNKNOWN: _l("Payment being confirmed"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.PROCESSING: _l("Being prepared"),
    OrderStatus.PARTIALLY_SHIPPED: _l("Partially shipped"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.DELIVERED: _l("Delivered"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.PARTLY_REFUNDED: _l("Partly refunded"),
    OrderStatus.REFUNDED: _l("Refunded"),
}

# What each status means for the customer, shown on their order page.
CUSTOMER_NOTES = {
    OrderStatus.PENDING_PAYMENT: _l("We are confirming your payment with the bank."),
    OrderStatus.PAYMENT_FAILED: _l(
        "The payment did not go through, so this order was not placed. You have not been charged."
    ),
    OrderStatus.PAYMENT_UNKNOWN: _l(
        "The payment service did not answer in time, so we are checking with it. You will not be "
        "charged twice. We will email you as soon as we know; please do not pay again."
    ),
    OrderStatus.PAID: _l(
        "Thank you! Your payment is held on your card and taken when we ship. We will email you "
        "when your parcel is on its way."
    ),
    OrderStatus.PROCESSING: _l("We are preparing your parcel."),
    OrderStatus.PARTIALLY_SHIPPED: _l(
        "Part of your order is on its way; the rest follows in another parcel. Each parcel's "
        "part of your payment is taken when it ships."
    ),
    OrderStatus.SHIPPED: _l("Your parcel is on its way."),
    OrderStatus.DELIVERED: _l("Your parcel was delivered."),
    OrderStatus.CANCELLED: _l("This order was cancelled. Nothing was charged to your card."),
    OrderStatus.PARTLY_REFUNDED: _l("Part of your payment was refunded."),
    OrderStatus.REFUNDED: _l("Your payment was refunded in full."),
}

# A cancelled order some of whose parcels had left (and were paid for).
CANCELLED_AFTER_PARCELS = _l(
    "The rest of this order was cancelled. The parcels that were sent stay paid; nothing more is "
    "taken from your card."
)


def customer_note(order: OrderLike) -> str | None:
    """What the order's status means for the customer (``CUSTOMER_NOTES``)."""
    if order.status == OrderStatus.CANCELLED and order.captured_cents:
        return str(CANCELLED_AFTER_PARCELS)
    note = CUSTOMER_NOTES.get(OrderStatus(order.status))
    return str(note) if note is not None else None


ACTION_LABELS = {
    Action.PROCESS: _l("Start preparing"),
    Action.SHIP: _l("Ship"),
    Action.DELIVER: _l("Mark as delivered"),
    Action.CANCEL: _l("Cancel the order"),
    Action.REFUND: _l("Refund"),
    Action.RECONCILE: _l("Check the payment with Braintree"),
    Action.SETTLE_DEMO: _l("Settle now (demo)"),
}

S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.PAYMENT_FAILED, S.PAYMENT_UNKNOWN}),
    S.PAYMENT_UNKNOWN: frozenset({S.PAID, S.PAYMENT_FAILED}),
    S.PAID: frozenset({S.PROCESSING, S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.PROCESSING: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    # Another parcel, the last one, or the rest cancelled.
    S.PARTIALLY_SHIPPED: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.CANCELLED, S.PARTLY_REFUNDED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.PARTLY_REFUNDED, S.REFUNDED}),
    # A further part refunded, or (after Braintree reported a refund as failed) refunded again.
    S.PARTLY_REFUNDED: frozenset({S.PARTLY_REFUNDED, S.REFUNDED}),
    S.REFUNDED: frozenset({S.PARTLY_REFUNDED, S.REFUNDED}),
    S.PAYMENT_FAILED: frozenset(),
    # Only an order cancelled after some of its parcels left has money to give back.
    S.CANCELLED: frozenset({S.PARTLY_REFUNDED, S.REFUNDED}),
}

# Statuses in which the goods are the customer's or on their way: the stock stays taken.
SHIPPED_STATUSES = frozenset({S.SHIPPED, S.DELIVERED, S.PARTLY_REFUNDED, S.REFUNDED})
# Statuses in which (more) parcels can still leave.
SHIPPABLE_STATUSES = frozenset({S.PAID, S.PROCESSING, S.PARTIALLY_SHIPPED})
# Orders a customer placed (the payment went through or may have): their order history.
PLACED_STATUSES = frozenset(set(OrderStatus) - {S.PENDING_PAYMENT, S.PAYMENT_FAILED})
# What the staff list shows first: orders someone has to act on.
TO_DO_STATUSES = frozenset({S.PAYMENT_UNKNOWN, S.PAID, S.PROCESSING, S.PARTIALLY_SHIPPED})

# Braintree transaction statuses, as the payment record keeps them.
AUTHORIZED = "authorized"
CAPTURED = frozenset({"submitted_for_settlement", "settlement_pending", "settling"})
SETTLED = frozenset({"settled", "settlement_confirmed"})
VOIDABLE = frozenset({AUTHORIZED, "submitted_for_settlement"})
# An authorization with partial settlements made: the rest stays authorized.
PARTLY_SETTLING = "settlement_pending"


class IllegalTransition(Exception):
    """A status change the pipeline does not allow; ``str()`` is the message for staff."""


class _SaleLike(Protocol):
    @property
    def status(self) -> str: ...


class OrderLike(Protocol):
    """What the pipeline reads of an order (``orders.models.Order``)."""

    @property
    def status(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def sale(self) -> _SaleLike | None: ...

    @property
    def refundable_cents(self) -> int: ...

    @property
    def settlements(self) -> list[_SaleLike]: ...

    @property
    def captured_cents(self) -> int: ...


def label(status: str) -> str:
    try:
        return str(STATUS_LABELS[OrderStatus(status)])
    except ValueError:
        return status


def can_move(current: str, target: OrderStatus) -> bool:
    return target in TRANSITIONS.get(OrderStatus(current), frozenset())


def reconcile_after() -> timedelta:
    """How old a payment attempt (its order) must be before reconciling may conclude from
    Braintree's silence: ``RECONCILE_AFTER_SECONDS``, longer than any checkout request can
    still be waiting for Braintree (``jomso.config.payment_timing_problems``)."""
    seconds = (
        current_app.config["RECONCILE_AFTER_SECONDS"]
        if has_app_context()
        else Defaults.RECONCILE_AFTER_SECONDS
    )
    return timedelta(seconds=float(seconds))


def attempt_is_over(order: OrderLike) -> bool:
    """Whether the order's payment attempt is older than ``reconcile_after()``: its checkout
    request has ended, one way or another, and Braintree has had its time to answer."""
    return utcnow() - order.created_at > reconcile_after()


def is_stale_pending(order: OrderLike) -> bool:
    """A pending order whose checkout request was lost mid-payment (a worker killed, a crash)."""
    return order.status == S.PENDING_PAYMENT and attempt_is_over(order)


def available_actions(order: OrderLike, demo: bool = False) -> list[Action]:
    """The staff actions this order offers now, from its status and its payment's state."""
    status = OrderStatus(order.status)
    sale = order.sale
    sale_status = sale.status if sale else None
    # An order shipped in parts: its captures are its settlements, each with its own status.
    parts = [p.status for p in order.settlements]
    actions: list[Action] = []
    if status is S.PAYMENT_UNKNOWN or is_stale_pending(order):
        actions.append(Action.RECONCILE)
    if status is S.PAID:
        actions.append(Action.PROCESS)
    if status in SHIPPABLE_STATUSES and sale_status in (AUTHORIZED, PARTLY_SETTLING):
        actions.append(Action.SHIP)
    if status is S.SHIPPED:
        actions.append(Action.DELIVER)
    if status in (S.PAID, S.PROCESSING, S.SHIPPED) and sale_status in VOIDABLE and not parts:
        actions.append(Action.CANCEL)
    if status is S.PARTIALLY_SHIPPED:
        actions.append(Action.CANCEL)  # the rest: what was not captured
    settled = any(p in SETTLED for p in parts) if parts else sale_status in SETTLED
    if can_move(status, S.REFUNDED) and settled and order.refundable_cents > 0:
        actions.append(Action.REFUND)
    if demo and (any(p in CAPTURED for p in parts) or (not parts and sale_status in CAPTURED)):
        actions.append(Action.SETTLE_DEMO)
    return actions


def available_transitions(order: OrderLike, demo: bool = False) -> list[OrderStatus]:
    """The statuses staff can move this order to now (through ``available_actions``)."""
    targets = {
        Action.PROCESS: [S.PROCESSING],
        Action.SHIP: [S.PARTIALLY_SHIPPED, S.SHIPPED],
        Action.DELIVER: [S.DELIVERED],
        Action.CANCEL: [S.CANCELLED],
        Action.REFUND: [S.PARTLY_REFUNDED, S.REFUNDED],
        Action.RECONCILE: [S.PAID, S.PAYMENT_FAILED],
    }
    found: list[OrderStatus] = []
    for action in available_actions(order, demo):
        for status in targets.get(action, []):
            if status not in found and can_move(order.status, status):
                found.append(status)
    return found


# Braintree's transaction statuses in the staff's words.
PAYMENT_STATUS_LABELS = {
    "authorized": _l("Authorized: held on the card"),
    "submitted_for_settlement": _l("Captured: settling"),
    "settlement_pending": _l("Captured: settling"),
    "settling": _l("Captured: settling"),
    "settled": _l("Settled"),
    "settlement_confirmed": _l("Settled"),
    "voided": _l("Voided: nothing charged"),
    "failed": _l("Failed"),
    "processor_declined": _l("Declined"),
    "gateway_rejected": _l("Rejected"),
}

EVENT_LABELS = {
    "dispute_opened": _l("Dispute opened"),
    "dispute_under_review": _l("Dispute under review"),
    "dispute_disputed": _l("Dispute answered"),
    "dispute_won": _l("Dispute won"),
    "dispute_lost": _l("Dispute lost"),
    "dispute_accepted": _l("Dispute accepted"),
    "dispute_auto_accepted": _l("Dispute accepted automatically"),
    "dispute_expired": _l("Dispute expired"),
    "refund_failed": _l("Refund failed"),
}


# A refund (Braintree's "credit" transaction) in the staff's words.
REFUND_STATUS_LABELS = {
    "submitted_for_settlement": _l("Being paid back"),
    "settling": _l("Being paid back"),
    "settled": _l("Paid back"),
    "voided": _l("Voided"),
    "failed": _l("Failed: not paid back"),
}


def refund_label(status: str) -> str:
    return str(REFUND_STATUS_LABELS.get(status, status))


def payment_label(status: str) -> str:
    return str(PAYMENT_STATUS_LABELS.get(status, status))


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))
