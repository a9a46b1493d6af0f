"""Orders on the staff activity feed: placed, paid, shipped, delivered, cancelled and
refunded, from the status changes (order numbers and amounts, never the customer)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from jomso.activity import ActivityEvent
from jomso.extensions import db
from jomso.i18n import format_money
from jomso.orders.models import Order, OrderStatusChange, Payment
from jomso.orders.status import OrderStatus
from jomso.permissions import Permission

S = OrderStatus
SHOWN = (
    S.PAID,
    S.PARTIALLY_SHIPPED,
    S.SHIPPED,
    S.DELIVERED,
    S.CANCELLED,
    S.PARTLY_REFUNDED,
    S.REFUNDED,
)


REFUNDED = (S.PARTLY_REFUNDED, S.REFUNDED)


def _refund_amounts(order_ids: set[int]) -> dict[int, int]:
    """Status change id → the cents its refund gave back. Each refund writes one refund
    payment and one status change in one transaction, so the n-th of an order's refund changes
    is its n-th refund payment. (The change's note also holds the staff's reason, which the
    feed never shows.)"""
    if not order_ids:
        return {}
    payments: dict[int, list[int]] = {}
    for order_id, cents in db.session.execute(
        select(Payment.order_id, Payment.amount_cents)
        .where(Payment.order_id.in_(order_ids), Payment.kind == Payment.REFUND)
        .order_by(Payment.id)
    ):
        payments.setdefault(order_id, []).append(cents)
    amounts, seen = {}, {}
    for change_id, order_id in db.session.execute(
        select(OrderStatusChange.id, OrderStatusChange.order_id)
        .where(
            OrderStatusChange.order_id.in_(order_ids),
            OrderStatusChange.to_status.in_(REFUNDED),
        )
        .order_by(OrderStatusChange.id)
    ):
        index = seen[order_id] = seen.get(order_id, -1) + 1
        if index < len(payments.get(order_id, [])):
            amounts[change_id] = payments[order_id][index]
    return amounts


def _text(change: OrderStatusChange, order: Order, refunded: int | None) -> tuple[str, str]:
    number, total = order.number, format_money(order.total_cents, order.currency)
    if change.from_status is None:
        return "order_placed", _("Order %(number)s placed (%(total)s).", number=number, total=total)
    status = change.to_status
    if status == S.PAID:
        return "order_paid", _("Order %(number)s paid: %(total)s.", number=number, total=total)
    if status == S.SHIPPED:
        return "order_shipped", _("Order %(number)s shipped.", number=number)
    if status == S.PARTIALLY_SHIPPED:
        return "order_shipped", _("A parcel of order %(number)s shipped.", number=number)
    if status == S.DELIVERED:
        return "order_delivered", _("Order %(number)s delivered.", number=number)
    if status == S.CANCELLED:
        return "order_cancelled", _("Order %(number)s cancelled.", number=number)
    if refunded is None:
        return "order_refunded", _("Order %(number)s refunded.", number=number)
    amount = format_money(refunded, order.currency)
    return "order_refunded", _(
        "Refunded %(amount)s on order %(number)s.", amount=amount, number=number
    )


def recent_order_events(since: datetime, limit: int) -> list[ActivityEvent]:
    """The newest ``limit`` order events since ``since`` (status changes are written in time
    order, so their ids are read newest first on the primary key)."""
    rows = db.session.execute(
        select(OrderStatusChange, Order)
        .join(Order, Order.id == OrderStatusChange.order_id)
        .where(
            (OrderStatusChange.from_status.is_(None)) | OrderStatusChange.to_status.in_(SHOWN),
            OrderStatusChange.created_at >= since,
        )
        .order_by(OrderStatusChange.id.desc())
        .limit(limit)
    ).all()
    refunds = _refund_amounts({order.id for change, order in rows if change.to_status in REFUNDED})
    events = []
    for change, order in rows:
        kind, text = _text(change, order, refunds.get(change.id))
        events.append(
            ActivityEvent(
                at=change.created_at,
                kind=kind,
                text=text,
                permission=Permission.VIEW_ORDERS,
                url=url_for("staff_orders.order_detail", number=order.number),
                who=change.actor_label if change.actor_id else "",
            )
        )
    return events
