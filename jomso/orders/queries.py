"""Order numbers and the read-only lookups on orders: one order by its number, a customer's
history, what each customer ordered and spent. The staff list's queries are in
``orders.order_list``.

Nothing here writes to the database. An order number is ``J`` and 8 Crockford base32
characters (``new_order_number`` makes them, ``find_order`` accepts only that form after
``normalize_number``), and never holds a run of six digits the log redaction would mask.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import Subquery, func, select

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.orders.models import Order, Payment
from jomso.orders.status import PLACED_STATUSES, OrderStatus

NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_NUMBER_RE = re.compile(r"^J[0-9A-HJKMNP-TV-Z]{8}$")


def new_order_number() -> str:
    """``J`` and 8 random Crockford base32 characters (40 bits), e.g. ``J7K2M9QX``: easy to
    read out on the phone, and never a digit run the log redaction would mask."""
    while True:
        body = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
        if not re.search(r"\d{6}", body):
            return "J" + body


def normalize_number(text: str) -> str:
    """An order number as typed (``j7k2-m9qx``, with o for 0...) in its stored form."""
    cleaned = re.sub(r"[\s-]", "", text or "").upper()
    return cleaned[:1] + cleaned[1:].translate(str.maketrans("OIL", "011"))


def find_order(number: str) -> Order | None:
    number = normalize_number(number)
    if not _NUMBER_RE.match(number):
        return None
    return db.session.scalar(select(Order).where(Order.number == number))


def orders_for_user(user: User) -> list[Order]:
    """The customer's placed orders, newest first (attempts whose payment failed left out)."""
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.user_id == user.id, Order.status.in_(PLACED_STATUSES))
            .order_by(Order.created_at.desc(), Order.id.desc())
        )
    )


# Orders whose money the shop took or holds: what a customer "spent" counts (less refunds).
SPENDING_STATUSES = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.PROCESSING,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.PARTLY_REFUNDED,
        OrderStatus.REFUNDED,
    }
)


def customer_totals_query(user_ids: list[int] | None = None) -> Subquery:
    """Per account (``user_id``): ``orders``, the orders placed (payment failed or abandoned
    attempts left out), and ``spent_cents``, the totals of the orders paid for less what was
    refunded on them. Over every account's orders (join it to sort customers by these), or
    only those of ``user_ids``."""
    mine = Order.user_id.in_(user_ids) if user_ids is not None else Order.user_id.is_not(None)
    spent = func.sum(Order.total_cents).filter(Order.status.in_(sorted(SPENDING_STATUSES)))
    placed = (
        select(
            Order.user_id.label("user_id"),
            func.count().label("orders"),
            func.coalesce(spent, 0).label("gross_cents"),
        )
        .where(mine, Order.status.in_(sorted(PLACED_STATUSES)))
        .group_by(Order.user_id)
        .subquery()
    )
    refunds = (
        select(Order.user_id.label("user_id"), func.sum(Payment.amount_cents).label("cents"))
        .join(Payment, Payment.order_id == Order.id)
        .where(
            mine,
            Payment.kind == Payment.REFUND,
            Payment.status.not_in(sorted(Payment.NO_MONEY)),
        )
        .group_by(Order.user_id)
        .subquery()
    )
    return (
        select(
            placed.c.user_id,
            placed.c.orders,
            (placed.c.gross_cents - func.coalesce(refunds.c.cents, 0)).label("spent_cents"),
        )
        .outerjoin(refunds, refunds.c.user_id == placed.c.user_id)
        .subquery("customer_totals")
    )


def customer_totals(user_ids) -> dict[int, tuple[int, int]]:
    """(orders, spent cents) of each of these accounts that placed an order, in one query."""
    ids = list(user_ids)
    if not ids:
        return {}
    totals = customer_totals_query(ids)
    rows = db.session.execute(select(totals.c.user_id, totals.c.orders, totals.c.spent_cents))
    return {user_id: (orders, spent) for user_id, orders, spent in rows}
