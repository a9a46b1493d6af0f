"""The orders' cards on the staff dashboard: orders to ship, and payments to reconcile.

Each shows how many wait and the oldest few by order number and age (never the customer), and
links to the staff order list filtered by status.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from jomso.database import utcnow
from jomso.extensions import db
from jomso.orders.models import Order
from jomso.orders.status import OrderStatus, label, reconcile_after
from jomso.permissions import Permission
from jomso.request_memo import memo
from jomso.staff.dashboard import CardContent, CardItem, CardLink, DashboardCard, register_card

S = OrderStatus
TO_SHIP = (S.PAID, S.PROCESSING, S.PARTIALLY_SHIPPED)
ITEMS = 5


SHIP_KEYS = tuple(f"ship {status}" for status in TO_SHIP)
RECONCILE_KEYS = ("unknown", "stale")


def _counts(keys: tuple[str, ...]) -> dict[str, int]:
    """How many orders match each of the parts ``keys`` name (``_parts``), by status: read
    with every other card's counts in one statement, once per request."""
    counts, parts = _all_counts(), _parts()
    return {parts[key][1]: counts[key] for key in keys if counts[key]}


def _oldest(keys: tuple[str, ...], limit: int = ITEMS) -> list[Order]:
    """The ``limit`` oldest orders matching any of the parts ``keys`` name, read with every
    other card's in one statement, once per request."""
    found = [order for key in keys for order in _all_oldest()[key]]
    return sorted(found, key=lambda order: (order.created_at, order.id))[:limit]


def _parts() -> dict[str, tuple]:
    """Every card's conditions by key: (condition, the status it is about)."""
    parts = {f"ship {status}": (Order.status == status, status) for status in TO_SHIP}
    unknown, stale = payments_to_reconcile()
    parts["unknown"] = (unknown, S.PAYMENT_UNKNOWN)
    parts["stale"] = (stale, S.PENDING_PAYMENT)
    return parts


def _all_counts() -> dict[str, int]:
    def read() -> dict[str, int]:
        parts = _parts()
        # One pass over the waiting orders (the status index), each part counted apart.
        counted = [
            func.count().filter(condition).label(key) for key, (condition, _) in parts.items()
        ]
        row = db.session.execute(
            select(*counted)
            .select_from(Order)
            .where(Order.status.in_({status for _condition, status in parts.values()}))
        ).one()
        return dict(row._mapping)

    return memo("dashboard order counts", read)


def _all_oldest(limit: int = ITEMS) -> dict[str, list[Order]]:
    """The ``limit`` oldest orders of each part, with their lines: two statements. Each part
    is its own limited read from the (status, created_at) index, joined by UNION ALL: asked
    together ("status IN ... ORDER BY created_at", or an OR), SQLite walks every order ever
    placed to find the few waiting."""

    def read() -> dict[str, list[Order]]:
        parts = _parts()
        picks = [
            select(cast(literal(key), String).label("part"), Order.id.label("id"))
            .where(condition)
            .order_by(Order.created_at, Order.id)
            .limit(limit)
            .subquery()
            for key, (condition, _status) in parts.items()
        ]
        chosen = union_all(*(select(pick.c.part, pick.c.id) for pick in picks)).subquery()
        rows = db.session.execute(
            select(chosen.c.part, Order)
            .join(Order, Order.id == chosen.c.id)
            .options(selectinload(Order.lines))
        ).all()
        found: dict[str, list[Order]] = {key: [] for key in parts}
        for part, order in rows:
            found[part].append(order)
        return found

    return memo("dashboard oldest orders", read)


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
    counts = _counts(SHIP_KEYS)
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
        for order in _oldest(SHIP_KEYS)
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
    counts = _counts(RECONCILE_KEYS)
    items = [
        _item(
            order,
            _(
                "%(status)s, waiting %(age)s",
                status=label(order.status),
                age=_age(order.created_at),
            ),
        )
        for order in _oldest(RECONCILE_KEYS)
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
