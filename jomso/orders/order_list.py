"""The staff order list: search, filters, sorting, and the rows of its CSV export.

Read-only. Every query here is answered from an index, so the list stays fast at any number of
orders (tests/benchmarks/bench_order_list.py measures 60,000):

* **Search** finds an order by its number (from the first characters: ``J7K2`` finds
  ``J7K2M9QX``), by the words of the customer's billing or shipping name, by the email or by
  a line's SKU, each from its beginning (``gus``, ``gus@exa``, ``sku-bo``). Names, emails and
  SKUs are looked up in ``order_search_terms`` (see ``orders.search_terms``) with a prefix
  range on an index; never a ``LIKE '%...%'`` that reads every order. Several words must all
  match (``gus gue`` finds Gus Guest).
* **Filters**: statuses, a range of the shop's local days (``TIMEZONE``), the payment's state.
* **Sort**: newest or oldest first, highest or lowest total first.

The CSV holds the columns the viewer's permissions allow (``csv_columns``), read a batch at a
time from the database as the file is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import selectinload

from jomso.extensions import db
from jomso.i18n import cents_to_decimal
from jomso.orders.models import Order, OrderSearchTerm, Payment
from jomso.orders.queries import normalize_number
from jomso.orders.search_terms import squashed, words
from jomso.orders.status import CAPTURED, SETTLED, label, payment_label
from jomso.permissions import Permission

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
    sort: str = Sort.NEWEST

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
        return ", ".join(parts)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the shop's time zone."""
    return datetime.combine(day, time.min, tzinfo=_zone())


def _next_prefix(prefix: str) -> str:
    """The smallest string after every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _term_prefix(prefix: str):
    """Order ids having a term that starts with ``prefix`` (an index range)."""
    return select(OrderSearchTerm.order_id).where(
        OrderSearchTerm.term >= prefix, OrderSearchTerm.term < _next_prefix(prefix)
    )


def search_condition(text: str):
    """The condition for ``text``, or None when it is too short to search."""
    text = text.strip()
    conditions = []
    number = normalize_number(text)
    if _NUMBER_PREFIX.match(number) and len(number) >= MIN_SEARCH:
        conditions.append(and_(Order.number >= number, Order.number < _next_prefix(number)))
    whole = squashed(text)
    if len(whole) >= MIN_SEARCH:
        conditions.append(Order.id.in_(_term_prefix(whole)))
    parts = words(text)
    if len(parts) > 1:  # every word the start of one of the order's terms
        conditions.append(and_(*[Order.id.in_(_term_prefix(part)) for part in parts]))
    return or_(*conditions) if conditions else None


def filtered_orders(flt: OrderFilter) -> Select:
    """The orders matching ``flt``, sorted as it says, their lines loaded with them."""
    query = select(Order).options(selectinload(Order.lines))
    if flt.statuses:
        query = query.where(Order.status.in_(flt.statuses))
    if flt.date_from:
        query = query.where(Order.created_at >= day_start(flt.date_from))
    if flt.date_to:
        query = query.where(Order.created_at < day_start(flt.date_to + timedelta(days=1)))
    if flt.payment:
        query = query.where(_payment_condition(flt.payment))
    if flt.search:
        condition = search_condition(flt.search)
        if condition is not None:
            query = query.where(condition)
    return query.order_by(*_ORDERINGS.get(flt.sort, _ORDERINGS[Sort.NEWEST]))


def _payment_condition(state: str):
    sales = select(Payment.order_id).where(Payment.kind == Payment.SALE)
    if state == PaymentState.NONE:
        return ~Order.id.in_(sales)
    if state == PaymentState.REFUNDED:
        return exists().where(
            Payment.order_id == Order.id,
            Payment.kind == Payment.REFUND,
            Payment.status.not_in(sorted(Payment.NO_MONEY)),
        )
    return Order.id.in_(sales.where(Payment.status.in_(_SALE_STATUSES[state])))


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


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(Order.status, db.func.count()).group_by(Order.status)).all()
    return {status: count for status, count in rows}


# -- CSV ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Order], object]
    needs: Permission = Permission.VIEW_ORDERS


def _money(cents: int, order: Order):
    return cents_to_decimal(cents, order.currency)


def _local(moment: datetime) -> str:
    return moment.astimezone(_zone()).isoformat(timespec="minutes")


def _sale_state(order: Order) -> str:
    sale = order.sale
    return payment_label(sale.status) if sale else ""


def _address(kind: str, part: str) -> Callable[[Order], object]:
    return lambda order: getattr(order, f"{kind}_{part}")


def _lines(order: Order) -> str:
    return "; ".join(f"{line.quantity} x {line.sku} {line.name}" for line in order.lines)


COLUMNS: list[Column] = [
    Column("number", lambda o: o.number),
    Column("placed", lambda o: _local(o.created_at)),
    Column("status", lambda o: label(o.status)),
    Column("payment", _sale_state),
    Column("items", lambda o: o.item_count),
    Column("lines", _lines),
    Column("currency", lambda o: o.currency),
    Column("subtotal", lambda o: _money(o.subtotal_cents, o)),
    Column("shipping", lambda o: _money(o.shipping_cents, o)),
    Column("total", lambda o: _money(o.total_cents, o)),
    Column("refunded", lambda o: _money(o.refunded_cents, o)),
    Column("carrier", lambda o: o.carrier),
    Column("tracking_number", lambda o: o.tracking_number),
    Column("email", lambda o: o.email),
    Column("phone", lambda o: o.phone),
    *[
        Column(f"shipping_{part}", _address("shipping", part))
        for part in ("name", "line1", "line2", "city", "region", "postal_code", "country")
    ],
    # Billing addresses and the link to the customer's account are for customer records.
    *[
        Column(f"billing_{part}", _address("billing", part), Permission.VIEW_CUSTOMERS)
        for part in ("name", "line1", "line2", "city", "region", "postal_code", "country")
    ],
    Column("customer_account", lambda o: o.user_id or "", Permission.VIEW_CUSTOMERS),
]


def csv_columns(user) -> list[Column]:
    """The columns ``user``'s permissions allow."""
    return [column for column in COLUMNS if user.can(column.needs)]


@dataclass
class CsvRows:
    """The rows of an export, read ``batch`` orders at a time as they are written."""

    query: Select
    columns: list[Column]
    batch: int = 500

    def __iter__(self) -> Iterator[list[object]]:
        payments = selectinload(Order.payments)
        statement = self.query.options(payments).execution_options(yield_per=self.batch)
        for order in db.session.scalars(statement):
            yield [column.value(order) for column in self.columns]
