"""The staff order list: search, filters, sorting, and the rows of its CSV export.

Read-only. Every query here is answered from an index, so the list stays fast at any number of
orders (tests/benchmarks/bench_order_list.py measures 60,000):

* **Search** finds an order by its number (from the first characters: ``J7K2`` finds
  ``J7K2M9QX``), by the words of the customer's billing or shipping name, by the email or by
  a line's SKU, each from its beginning (``gus``, ``gus@exa``, ``sku-bo``). Names, emails and
  SKUs are looked up in ``order_search_terms`` (see ``orders.search_terms``) with a prefix
  range on an index; never a ``LIKE '%...%'`` that reads every order. Several words must all
  match (``gus gue`` finds Gus Guest).
* **Filters**: statuses, a range of the shop's local days (``TIMEZONE``), the payment's state,
  the delivery method (by the name the order keeps, on ``ix_orders_shipping_method_name``).
* **Sort**: newest or oldest first, highest or lowest total first.

The CSV export of these orders is ``orders.order_export``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, intersect, or_, select
from sqlalchemy.orm import selectinload

from jomso.extensions import db
from jomso.orders.models import Order, OrderSearchTerm, Payment
from jomso.orders.queries import normalize_number
from jomso.orders.search_terms import squashed, words
from jomso.orders.status import CAPTURED, SETTLED, OrderStatus

MIN_SEARCH = 2  # a shorter search matches too much to be worth it
_NUMBER_PREFIX = re.compile(r"^J[0-9A-HJKMNP-TV-Z]{1,8}$")


class PaymentState:
    """The payment filter's choices: the state of the order's sale (its authorization)."""

    AUTHORIZED = "authorized"  # held on the card, waiting to be captured at shipping
    CAPTURED = "captured"  # captured, settling
    SETTLED = "settled"
    VOIDED = "voided"
    REFUNDED = "refunded"  # some or all of it paid back
    NONE = "none"  # no payment went through (failed, unknown, pending)


PAYMENT_STATE_LABELS = {
    PaymentState.AUTHORIZED: _l("Authorized: to capture"),
    PaymentState.CAPTURED: _l("Captured: settling"),
    PaymentState.SETTLED: _l("Settled"),
    PaymentState.VOIDED: _l("Voided"),
    PaymentState.REFUNDED: _l("Refunded (in part or in full)"),
    PaymentState.NONE: _l("No payment"),
}

NO_PAYMENT_STATUSES = frozenset(
    {OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_FAILED, OrderStatus.PAYMENT_UNKNOWN}
)

_SALE_STATUSES = {
    PaymentState.AUTHORIZED: ["authorized"],
    PaymentState.CAPTURED: sorted(CAPTURED),
    PaymentState.SETTLED: sorted(SETTLED),
    PaymentState.VOIDED: ["voided"],
}


class Sort:
    NEWEST = "newest"
    OLDEST = "oldest"
    TOTAL_HIGH = "total_high"
    TOTAL_LOW = "total_low"


SORT_LABELS = {
    Sort.NEWEST: _l("Newest first"),
    Sort.OLDEST: _l("Oldest first"),
    Sort.TOTAL_HIGH: _l("Highest total first"),
    Sort.TOTAL_LOW: _l("Lowest total first"),
}

_ORDERINGS = {
    Sort.NEWEST: (Order.created_at.desc(), Order.id.desc()),
    Sort.OLDEST: (Order.created_at.asc(), Order.id.asc()),
    Sort.TOTAL_HIGH: (Order.total_cents.desc(), Order.created_at.desc(), Order.id.desc()),
    Sort.TOTAL_LOW: (Order.total_cents.asc(), Order.created_at.asc(), Order.id.asc()),
}


@dataclass
class OrderFilter:
    """What the list is narrowed to. Dates are whole days in the shop's time zone."""

    search: str = ""
    statuses: list[str] | None = None  # None: every status
    date_from: date | None = None
    date_to: date | None = None
    payment: str = ""
    delivery: str = ""  # a delivery method's name
    sort: str = Sort.NEWEST
    # Whether the search may find orders by their email and billing name: only for those who
    # may see customer records (the orders role searches what its pages show).
    customer_fields: bool = False

    def describe(self) -> str:
        """The filters for an access-log entry: never what was searched (it may be a name)."""
        parts = []
        if self.search:
            parts.append("search")
        if self.statuses:
            parts.append("status " + "/".join(sorted(self.statuses)))
        if self.date_from:
            parts.append(f"from {self.date_from.isoformat()}")
        if self.date_to:
            parts.append(f"to {self.date_to.isoformat()}")
        if self.payment:
            parts.append(f"payment {self.payment}")
        if self.delivery:
            parts.append(f"delivery {self.delivery}")
        return ", ".join(parts)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the shop's time zone."""
    return datetime.combine(day, time.min, tzinfo=_zone())


def _next_prefix(prefix: str) -> str:
    """The smallest string after every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _term_prefix(prefix: str, customer_fields: bool):
    """Order ids having a term that starts with ``prefix`` (an index range), of the kinds
    the searcher may search (``customer_fields``: the billing name and email too)."""
    query = select(OrderSearchTerm.order_id).where(
        OrderSearchTerm.term >= prefix, OrderSearchTerm.term < _next_prefix(prefix)
    )
    if not customer_fields:
        query = query.where(OrderSearchTerm.kind == OrderSearchTerm.ORDER)
    return query


def search_condition(text: str, customer_fields: bool = False):
    """The condition for ``text``, or None when it is too short to search. Only with
    ``customer_fields`` does it find orders by their email or billing name."""
    text = text.strip()
    conditions = []
    number = normalize_number(text)
    if _NUMBER_PREFIX.match(number) and len(number) >= MIN_SEARCH:
        conditions.append(and_(Order.number >= number, Order.number < _next_prefix(number)))
    whole = squashed(text)
    if len(whole) >= MIN_SEARCH:  # a name word, an email or a SKU from its start
        conditions.append(Order.id.in_(_term_prefix(whole, customer_fields)))
    if len(text.split()) > 1:  # words typed apart: each the start of a word of the names
        parts = [part for part in words(text) if len(part) >= MIN_SEARCH]
        if len(parts) == 1:
            conditions.append(Order.id.in_(_term_prefix(parts[0], customer_fields)))
        elif parts:  # the orders every word finds, as a set: the rarest word bounds it
            conditions.append(
                Order.id.in_(intersect(*[_term_prefix(part, customer_fields) for part in parts]))
            )
    return or_(*conditions) if conditions else None


def filtered_orders(flt: OrderFilter) -> Select:
    """The orders matching ``flt``, sorted as it says, their lines loaded with them."""
    return narrowed(select(Order).options(selectinload(Order.lines)), flt)


def narrowed(query: Select, flt: OrderFilter) -> Select:
    """``query`` (of orders, or of the orders table's columns) narrowed and sorted by ``flt``."""
    if flt.statuses:
        query = query.where(Order.status.in_(flt.statuses))
    if flt.date_from:
        query = query.where(Order.created_at >= day_start(flt.date_from))
    if flt.date_to:
        query = query.where(Order.created_at < day_start(flt.date_to + timedelta(days=1)))
    if flt.payment:
        query = query.where(_payment_condition(flt.payment))
    if flt.delivery:
        query = query.where(Order.shipping_method_name == flt.delivery)
    if flt.search:
        condition = search_condition(flt.search, flt.customer_fields)
        if condition is not None:
            query = query.where(condition)
    return query.order_by(*_ORDERINGS.get(flt.sort, _ORDERINGS[Sort.NEWEST]))


def _payment_condition(state: str):
    """Orders whose payments are in ``state``, read on ``ix_payments_kind_status``."""
    if state == PaymentState.NONE:
        # An order has a sale exactly when its payment went through: from "paid" on.
        return Order.status.in_(sorted(NO_PAYMENT_STATUSES))
    if state == PaymentState.REFUNDED:  # a refund that moved money
        status = Payment.status.not_in(sorted(Payment.NO_MONEY))
        kind = Payment.REFUND
    else:
        status = Payment.status.in_(_SALE_STATUSES[state])
        # An order shipped in parcels: its captures are its settlements, one per parcel.
        kinds = [Payment.SALE, Payment.SETTLEMENT]
        if state in (PaymentState.AUTHORIZED, PaymentState.VOIDED):
            kinds = [Payment.SALE]
        return Order.id.in_(select(Payment.order_id).where(Payment.kind.in_(kinds), status))
    return Order.id.in_(select(Payment.order_id).where(Payment.kind == kind, status))


def orders_by_number(numbers: Sequence[str]) -> tuple[list[Order], list[str]]:
    """The orders with these numbers, in the order given, and what was sent that names none
    (typed wrong, out of date, or tampered with), in the order given. Duplicates count once."""
    sent: list[tuple[str, str]] = []  # (as sent, normalized)
    for raw in numbers:
        number = normalize_number(raw)
        if all(number != seen for _raw, seen in sent):
            sent.append((raw[:20], number))
    wanted = [n for _raw, n in sent if re.fullmatch(r"J[0-9A-HJKMNP-TV-Z]{8}", n)]
    found = {
        order.number: order
        for order in db.session.scalars(
            select(Order).options(selectinload(Order.lines)).where(Order.number.in_(wanted))
        )
    }
    orders = [found[number] for _raw, number in sent if number in found]
    unknown = [raw for raw, number in sent if number not in found]
    return orders, unknown


# Statuses an order passes through on its way (they stay few whatever the shop's age): the
# list counts these. Counting the others (delivered, refunded...) would read the index entry of
# nearly every order on every page view.
IN_FLIGHT = (
    OrderStatus.PAYMENT_UNKNOWN,
    OrderStatus.PENDING_PAYMENT,
    OrderStatus.PAID,
    OrderStatus.PROCESSING,
    OrderStatus.PARTIALLY_SHIPPED,
)


def status_counts() -> tuple[dict[str, int], int]:
    """Orders per in-flight status (``IN_FLIGHT``), and all orders: one statement, over the
    status index."""
    statuses = [str(s) for s in IN_FLIGHT]
    row = db.session.execute(
        select(
            db.func.count(),
            *(db.func.count().filter(Order.status == status) for status in statuses),
        ).select_from(Order)
    ).one()
    counts = {status: count for status, count in zip(statuses, row[1:], strict=True) if count}
    return counts, int(row[0] or 0)
