"""The orders' cards on the staff dashboard: orders to ship, and payments to reconcile.

Each shows how many wait and the oldest few by order number and age (never the customer), and
links to the staff order list filtered by status.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from jomso.database import utcnow
from jomso.extensions import db
from jomso.orders.models import Order
from jomso.orders.status import OrderStatus, label, reconcile_after
from jomso.permissions import Permission
from jomso.staff.dashboard import CardContent, CardItem, CardLink, DashboardCard, register_card

S = OrderStatus
TO_SHIP = (S.PAID, S.PROCESSING, S.PARTIALLY_SHIPPED)
ITEMS = 5


def _counts(parts: list) -> dict[str, int]:
    """How many orders match each of ``parts`` (one status each), by status."""
    counts: dict[str, int] = {}
    for part in parts:
        for status, count in db.session.execute(
            select(Order.status, func.count()).where(part).group_by(Order.status)
        ):
            counts[status] = counts.get(status, 0) + count
    return counts


def _oldest(parts: list, limit: int = ITEMS) -> list[Order]:
    """The ``limit`` oldest orders matching any of ``parts``. One query per part, each read in
    order from the (status, created_at) index: asked together ("status IN ... ORDER BY
    created_at", or an OR), SQLite walks every order ever placed to find the few waiting."""
    found: list[Order] = []
    for part in parts:
        found += db.session.scalars(
            select(Order)
            .options(selectinload(Order.lines))
            .where(part)
            .order_by(Order.created_at, Order.id)
            .limit(limit)
        )
    return sorted(found, key=lambda order: (order.created_at, order.id))[:limit]


def _age(created_at: datetime) -> str:
    return format_timedelta(utcnow() - created_at, threshold=1.0)


def orders_to_ship() -> list:
    """Paid orders not (all) shipped yet: paid, being prepared, or partially shipped (one
    condition per status)."""
    return [Order.status == status for status in TO_SHIP]


def payments_to_reconcile() -> list:
    """Orders whose payment outcome is unknown, and orders still awaiting payment after the
    reconcile delay (a checkout cut off mid-payment): what ``reconcile-payments`` settles."""
    stale = utcnow() - reconcile_after()
    return [
        Order.status == S.PAYMENT_UNKNOWN,
        (Order.status == S.PENDING_PAYMENT) & (Order.created_at < stale),
    ]


def _item(order: Order, meta: str) -> CardItem:
    return CardItem(order.number, meta, "staff_orders.order_detail", {"number": order.number})


def _orders_to_ship() -> CardContent:
    counts = _counts(orders_to_ship())
    items = [
        _item(
            order,
            _(
                "%(items)s, %(status)s, waiting %(age)s",
                items=ngettext("%(num)d item", "%(num)d items", order.item_count),
                status=label(order.status).lower(),
                age=_age(order.created_at),
            ),
        )
        for order in _oldest(orders_to_ship())
    ]
    return CardContent(
        count=sum(counts.values()),
        summary=_(
            "%(paid)d paid, %(processing)d being prepared, %(partly)d partially shipped. "
            "The oldest first:",
            paid=counts.get(S.PAID, 0),
            processing=counts.get(S.PROCESSING, 0),
            partly=counts.get(S.PARTIALLY_SHIPPED, 0),
        )
        if items
        else _("Nothing waiting to be shipped."),
        items=items,
        links=[
            CardLink(_l("Paid"), "staff_orders.order_list", {"status": S.PAID.value}),
            CardLink(
                _l("Being prepared"), "staff_orders.order_list", {"status": S.PROCESSING.value}
            ),
            CardLink(
                _l("Partially shipped"),
                "staff_orders.order_list",
                {"status": S.PARTIALLY_SHIPPED.value},
            ),
        ],
        attention=bool(items),
    )


def _payments_to_reconcile() -> CardContent:
    parts = payments_to_reconcile()
    counts = _counts(parts)
    items = [
        _item(
            order,
            _(
                "%(status)s, waiting %(age)s",
                status=label(order.status),
                age=_age(order.created_at),
            ),
        )
        for order in _oldest(parts)
    ]
    return CardContent(
        count=sum(counts.values()),
        summary=_(
            "Their payment's outcome is not known yet: reconcile-payments settles them, or "
            "open one to check it with Braintree. The oldest first:"
        )
        if items
        else _("Every payment's outcome is known."),
        items=items,
        links=[
            CardLink(
                _l("Payment being confirmed"),
                "staff_orders.order_list",
                {"status": S.PAYMENT_UNKNOWN.value},
            ),
            CardLink(
                _l("Awaiting payment"),
                "staff_orders.order_list",
                {"status": S.PENDING_PAYMENT.value},
            ),
        ],
        attention=bool(items),
    )


register_card(
    DashboardCard(
        "orders_to_ship", Permission.VIEW_ORDERS, _l("Orders to ship"), _orders_to_ship, order=10
    )
)
register_card(
    DashboardCard(
        "payments_to_reconcile",
        Permission.VIEW_ORDERS,
        _l("Payments to reconcile"),
        _payments_to_reconcile,
        order=20,
    )
)
