"""Orders as CSV rows for staff: the columns a viewer's permissions allow, read a batch at a
time as the file is sent (``jomso.csv_export`` writes the file).

The rows come from plain SQL rows, not ORM objects: an order, its lines, its sale's status and
what was refunded on it, fetched per batch of orders in three more queries. So a file of every
order of a large shop streams steadily and never sits in memory.

Columns need ``VIEW_ORDERS`` (what the order pages show the orders role: contact and the
shipping address), or ``VIEW_CUSTOMERS`` for the billing address and the customer account,
which belong to customer records (the owner's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel.numbers import get_currency_precision
from flask import current_app
from sqlalchemy import Select, func, select

from jomso.extensions import db
from jomso.orders.models import ADDRESS_PARTS, Order, OrderLine, Payment
from jomso.orders.order_list import OrderFilter, narrowed
from jomso.orders.status import STATUS_LABELS, payment_label
from jomso.permissions import Permission

BATCH = 1000


@dataclass(frozen=True)
class Column:
    header: str
    # Of the order as a dict: the orders table's columns, and "lines" ((quantity, sku, name)
    # each), "sale_status" and "refunded_cents".
    value: Callable[[dict, Labels], object]
    needs: Permission = Permission.VIEW_ORDERS


class Labels:
    """Translated labels, money precision and the time zone, looked up once per file."""

    def __init__(self) -> None:
        self.zone = ZoneInfo(current_app.config["TIMEZONE"])
        self.statuses = {status.value: str(text) for status, text in STATUS_LABELS.items()}
        self._payments: dict[str, str] = {}

    def status(self, status: str) -> str:
        return self.statuses.get(status, status)

    def payment(self, status: str) -> str:
        if status not in self._payments:
            self._payments[status] = payment_label(status) if status else ""
        return self._payments[status]

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).isoformat(timespec="minutes")


@cache
def _precision(currency: str) -> int:
    return get_currency_precision(currency)


def _money(name: str) -> Callable[[dict, Labels], Decimal]:
    return lambda o, _labels: Decimal(int(o[name])).scaleb(-_precision(o["currency"]))


def _field(name: str) -> Callable[[dict, Labels], object]:
    return lambda o, _labels: o[name]


COLUMNS: list[Column] = [
    Column("number", _field("number")),
    Column("placed", lambda o, labels: labels.local(o["created_at"])),
    Column("status", lambda o, labels: labels.status(o["status"])),
    Column("payment", lambda o, labels: labels.payment(o["sale_status"])),
    Column("items", lambda o, _labels: sum(quantity for quantity, _sku, _name in o["lines"])),
    Column(
        "lines",
        lambda o, _labels: "; ".join(f"{q} x {sku} {name}" for q, sku, name in o["lines"]),
    ),
    Column("currency", _field("currency")),
    Column("subtotal", _money("subtotal_cents")),
    Column("shipping", _money("shipping_cents")),
    Column("discount_code", _field("discount_code")),
    Column("discount", _money("discount_cents")),
    Column("total", _money("total_cents")),
    Column("refunded", _money("refunded_cents")),
    Column("carrier", _field("carrier")),
    Column("tracking_number", _field("tracking_number")),
    Column("email", _field("email"), Permission.VIEW_CUSTOMERS),
    Column("phone", _field("phone")),
    *[Column(f"shipping_{part}", _field(f"shipping_{part}")) for part in ADDRESS_PARTS],
    *[
        Column(f"billing_{part}", _field(f"billing_{part}"), Permission.VIEW_CUSTOMERS)
        for part in ADDRESS_PARTS
    ],
    Column("customer_account", lambda o, _labels: o["user_id"] or "", Permission.VIEW_CUSTOMERS),
]


def csv_columns(user) -> list[Column]:
    """The columns ``user``'s permissions allow."""
    return [column for column in COLUMNS if user.can(column.needs)]


def filtered(flt: OrderFilter) -> Select:
    """The orders table's rows the list's filter matches, in its order."""
    return narrowed(select(*Order.__table__.columns), flt)


def by_numbers(numbers: list[str]) -> Select:
    """The orders table's rows with these numbers (``rows`` keeps them in the given order)."""
    return select(*Order.__table__.columns).where(Order.number.in_(numbers))


def _details(ids: list[int]) -> tuple[dict, dict, dict]:
    """Lines, sale status and refunded cents of these orders, in three queries."""
    lines: dict[int, list] = {}
    for order_id, quantity, sku, name, title in db.session.execute(
        select(
            OrderLine.order_id,
            OrderLine.quantity,
            OrderLine.sku,
            OrderLine.name,
            OrderLine.variant_title,
        )
        .where(OrderLine.order_id.in_(ids))
        .order_by(OrderLine.id)
    ):
        lines.setdefault(order_id, []).append(
            (quantity, sku, f"{name} ({title})" if title else name)
        )
    sales = dict(
        db.session.execute(
            select(Payment.order_id, Payment.status)
            .where(Payment.order_id.in_(ids), Payment.kind == Payment.SALE)
            .order_by(Payment.id)  # the last sale wins, as Order.sale says
        ).all()
    )
    refunds = dict(
        db.session.execute(
            select(Payment.order_id, func.sum(Payment.amount_cents))
            .where(
                Payment.order_id.in_(ids),
                Payment.kind == Payment.REFUND,
                Payment.status.not_in(sorted(Payment.NO_MONEY)),
            )
            .group_by(Payment.order_id)
        ).all()
    )
    return lines, sales, refunds


def rows(statement: Select, columns: list[Column], numbers: list[str] | None = None) -> Iterator:
    """The CSV rows of ``statement``'s orders, ``BATCH`` orders at a time; in the order of
    ``numbers`` when given (the ticked orders, fewer than ``BATCH``), else in the
    statement's."""
    labels = Labels()
    result = db.session.execute(statement.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        if numbers is not None:
            batch = sorted(batch, key=lambda row: numbers.index(row.number))
        lines, sales, refunds = _details([row.id for row in batch])
        for row in batch:
            order = dict(row._mapping)
            order["lines"] = lines.get(row.id, [])
            order["sale_status"] = sales.get(row.id, "")
            order["refunded_cents"] = refunds.get(row.id) or 0
            yield [column.value(order, labels) for column in columns]
