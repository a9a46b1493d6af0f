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
from jomso.orders.models import Order, OrderStatusChange
from jomso.orders.status import OrderStatus
from jomso.permissions import Permission

S = OrderStatus
SHOWN = (S.PAID, S.SHIPPED, S.DELIVERED, S.CANCELLED, S.PARTLY_REFUNDED, S.REFUNDED)


def _text(change: OrderStatusChange, order: Order) -> tuple[str, str]:
    number, total = order.number, format_money(order.total_cents, order.currency)
    if change.from_status is None:
        return "order_placed", _("Order %(number)s placed (%(total)s).", number=number, total=total)
    status = change.to_status
    if status == S.PAID:
        return "order_paid", _("Order %(number)s paid: %(total)s.", number=number, total=total)
    if status == S.SHIPPED:
        return "order_shipped", _("Order %(number)s shipped.", number=number)
    if status == S.DELIVERED:
        return "order_delivered", _("Order %(number)s delivered.", number=number)
    if status == S.CANCELLED:
        return "order_cancelled", _("Order %(number)s cancelled.", number=number)
    # a refund: the change's note holds the amount refunded
    return "order_refunded", _(
        "Refunded %(amount)s on order %(number)s.", amount=change.note, number=number
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
    events = []
    for change, order in rows:
        kind, text = _text(change, order)
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
