"""The status pipeline: which changes are allowed, which actions an order offers, numbers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from jomso.database import utcnow
from jomso.orders.models import Order, Payment
from jomso.orders.queries import find_order, new_order_number, normalize_number
from jomso.orders.status import (
    TRANSITIONS,
    Action,
    OrderStatus,
    available_actions,
    available_transitions,
    can_move,
)

S = OrderStatus


def _order(status: S, sale_status: str | None = None, captured: int = 1000, refunded=()):
    order = Order(number="JTEST0001", status=status, total_cents=captured, created_at=utcnow())
    if sale_status:
        order.payments.append(Payment(kind="sale", transaction_id="t1", status=sale_status,
                                      amount_cents=captured))  # fmt: skip
    for index, amount in enumerate(refunded):
        refund = Payment(kind="refund", transaction_id=f"r{index}", amount_cents=amount)
        refund.status = "submitted_for_settlement"
        order.payments.append(refund)
    return order


def test_every_status_has_its_transitions_listed():
    assert set(TRANSITIONS) == set(OrderStatus)
    for targets in TRANSITIONS.values():
        assert targets <= set(OrderStatus)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.PAID, S.SHIPPED, True),
        (S.PAID, S.DELIVERED, False),
        (S.PROCESSING, S.PAID, False),
        (S.SHIPPED, S.PROCESSING, False),
        (S.CANCELLED, S.PAID, False),
        (S.PAYMENT_FAILED, S.PAID, False),
        (S.PAYMENT_UNKNOWN, S.PAID, True),
        (S.DELIVERED, S.CANCELLED, False),
        (S.REFUNDED, S.SHIPPED, False),
        (S.PROCESSING, S.PARTIALLY_SHIPPED, True),
        (S.PARTIALLY_SHIPPED, S.PARTIALLY_SHIPPED, True),
        (S.PARTIALLY_SHIPPED, S.SHIPPED, True),
        (S.PARTIALLY_SHIPPED, S.CANCELLED, True),
        (S.PARTIALLY_SHIPPED, S.REFUNDED, False),
        (S.PARTIALLY_SHIPPED, S.DELIVERED, False),
        (S.CANCELLED, S.PARTLY_REFUNDED, True),
    ],
)
def test_can_move(current, target, allowed):
    assert can_move(current, target) is allowed


@pytest.mark.parametrize(
    ("order", "actions"),
    [
        (_order(S.PAID, "authorized"), [Action.PROCESS, Action.SHIP, Action.CANCEL]),
        (_order(S.PROCESSING, "authorized"), [Action.SHIP, Action.CANCEL]),
        (_order(S.SHIPPED, "submitted_for_settlement"), [Action.DELIVER, Action.CANCEL]),
        (_order(S.SHIPPED, "settled"), [Action.DELIVER, Action.REFUND]),
        (_order(S.DELIVERED, "settled"), [Action.REFUND]),
        (_order(S.PARTLY_REFUNDED, "settled", refunded=[400]), [Action.REFUND]),
        (_order(S.REFUNDED, "settled", refunded=[1000]), []),
        (_order(S.CANCELLED, "voided"), []),
        (_order(S.PAYMENT_FAILED), []),
        (_order(S.PAYMENT_UNKNOWN), [Action.RECONCILE]),
        (_order(S.PENDING_PAYMENT), []),
    ],
    ids=lambda value: value.status if isinstance(value, Order) else None,
)
def test_available_actions(order, actions):
    # The orders are made when the module is collected: a long run must not age a pending one
    # past the reconcile threshold.
    order.created_at = utcnow()
    assert available_actions(order) == actions


def _in_parts(status: S, *parts: str) -> Order:
    """An order captured parcel by parcel: its sale ``settlement_pending``, a settlement of
    500 per part in the given statuses."""
    order = _order(status, "settlement_pending")
    for index, part in enumerate(parts):
        order.payments.append(Payment(kind="settlement", transaction_id=f"p{index}",
                                      status=part, amount_cents=500))  # fmt: skip
    return order


def test_an_order_shipped_in_parts_offers_what_its_parcels_allow():
    partly = _in_parts(S.PARTIALLY_SHIPPED, "submitted_for_settlement")
    assert available_actions(partly) == [Action.SHIP, Action.CANCEL]
    assert partly.captured_cents == 500
    assert Action.SETTLE_DEMO in available_actions(partly, demo=True)
    shipped = _in_parts(S.SHIPPED, "submitted_for_settlement", "submitted_for_settlement")
    assert available_actions(shipped) == [Action.DELIVER]  # each part is refunded once settled
    assert shipped.captured_cents == 1000
    settled = _in_parts(S.SHIPPED, "settled", "submitted_for_settlement")
    assert available_actions(settled) == [Action.DELIVER, Action.REFUND]
    cancelled = _in_parts(S.CANCELLED, "settled")
    assert available_actions(cancelled) == [Action.REFUND]
    assert _in_parts(S.CANCELLED, "voided").captured_cents == 0


def test_demo_mode_offers_settlement_of_a_captured_payment():
    order = _order(S.SHIPPED, "submitted_for_settlement")
    assert Action.SETTLE_DEMO in available_actions(order, demo=True)
    assert Action.SETTLE_DEMO not in available_actions(order, demo=False)


def test_a_stale_pending_order_can_be_reconciled():
    order = _order(S.PENDING_PAYMENT)
    order.created_at = utcnow() - timedelta(minutes=3)  # RECONCILE_AFTER_SECONDS is 120
    assert available_actions(order) == [Action.RECONCILE]
    assert available_transitions(order) == [S.PAID, S.PAYMENT_FAILED]


def test_available_transitions_follow_the_actions():
    assert available_transitions(_order(S.PAID, "authorized")) == [
        S.PROCESSING, S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED]  # fmt: skip
    assert available_transitions(_order(S.DELIVERED, "settled")) == [
        S.PARTLY_REFUNDED, S.REFUNDED]  # fmt: skip
    assert available_transitions(_order(S.PAYMENT_UNKNOWN)) == [S.PAID, S.PAYMENT_FAILED]


def test_refundable_amount_leaves_out_failed_refunds():
    order = _order(S.PARTLY_REFUNDED, "settled", captured=5000, refunded=[1000, 500])
    order.payments[-1].status = "failed"
    assert (order.captured_cents, order.refunded_cents, order.refundable_cents) == (
        5000,
        1000,
        4000,
    )
    assert _order(S.PAID, "authorized").captured_cents == 0


def test_order_numbers():
    numbers = {new_order_number() for _ in range(2000)}
    assert len(numbers) == 2000
    for number in numbers:
        assert re.fullmatch(r"J[0-9A-HJKMNP-TV-Z]{8}", number)
        assert not re.search(r"\d{6}", number)  # the log redaction masks long digit runs
    assert normalize_number(" j7k2-m9qo ") == "J7K2M9Q0"
    assert normalize_number("jilo0000") == "J1100000"


def test_malformed_numbers_are_not_looked_up(app):
    with app.app_context():
        assert find_order("J123") is None
        assert find_order("<script>") is None
