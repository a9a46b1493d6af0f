"""What each local day adds up to, read from the orders, refunds and page views themselves.

The one definition of every figure (docs/staff.md, "Sales"):

* an order **counts** once it is paid and as long as it is not cancelled (``COUNTED``), on the
  local day it was placed, whatever happened to it since;
* **gross** is the order totals (goods and shipping, as charged), **units** the items on their
  lines, per product the line totals (goods only), per country the order totals;
* a **refund** counts on the day it was made, whichever day its order was placed, unless
  Braintree refused it or it failed (``Payment.NO_MONEY``);
* a **visit** is a visitor with analytics consent on one day; a visit **converted** when it
  opened an order's page (``ORDER_PAGE``), which the checkout leads to. Visitors without
  consent leave no visitor id and are not counted at all.

``jomso.sales.rollup`` keeps the days that are over; today is always read here, as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, select

from jomso.analytics.models import PageView
from jomso.orders.models import Order, OrderLine, Payment
from jomso.orders.status import OrderStatus
from jomso.shop_time import as_date, each_day, local_day_sql, local_segments

S = OrderStatus
COUNTED = (
    S.PAID,
    S.PROCESSING,
    S.PARTIALLY_SHIPPED,
    S.SHIPPED,
    S.DELIVERED,
    S.PARTLY_REFUNDED,
    S.REFUNDED,
)
CHECKOUT_PAGE = "/checkout"
ORDER_PAGE = "/orders/<number>"  # how the page-view log records an order's page

# The column of an order's discount in cents (what discount codes took off the goods). While it
# is None the roll-up keeps 0 and the sales page leaves the figure out.
ORDER_DISCOUNT_COLUMN = Order.discount_cents


def discounts_tracked() -> bool:
    return ORDER_DISCOUNT_COLUMN is not None


@dataclass
class ProductSales:
    name: str
    units: int = 0
    revenue_cents: int = 0


@dataclass
class CountrySales:
    orders: int = 0
    gross_cents: int = 0


# The sums of a day (and of a period): the fields of ``DayFigures`` and ``report.Totals``,
# the columns of ``SalesDay``.
TOTAL_FIELDS = (
    "orders",
    "gross_cents",
    "shipping_cents",
    "discount_cents",
    "units",
    "refunds",
    "refunded_cents",
    "visits",
    "checkout_visits",
    "order_visits",
)


@dataclass
class DayFigures:
    day: date
    orders: int = 0
    gross_cents: int = 0
    shipping_cents: int = 0
    discount_cents: int = 0
    units: int = 0
    refunds: int = 0
    refunded_cents: int = 0
    visits: int = 0
    checkout_visits: int = 0
    order_visits: int = 0
    products: dict[int, ProductSales] = field(default_factory=dict)  # 0: a deleted product
    countries: dict[str, CountrySales] = field(default_factory=dict)

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.refunded_cents


def _discount_sum():
    if ORDER_DISCOUNT_COLUMN is None:
        return literal(0)
    return func.coalesce(func.sum(ORDER_DISCOUNT_COLUMN), 0)


def compute_days(connection, start: date, end: date, tz: ZoneInfo) -> dict[date, DayFigures]:
    """Every local day ``start``..``end`` (inclusive), from the orders, refunds and page views.
    ``connection`` is whatever runs the statements (a Connection or the session)."""
    days = {day: DayFigures(day) for day in each_day(start, end)}
    for begin, finish, offset in local_segments(start, end, tz):

        def clamp(raw) -> DayFigures:
            return days[start if raw is None else min(max(as_date(raw), start), end)]

        _orders(connection, days, clamp, begin, finish, offset)
        _lines(connection, clamp, begin, finish, offset)
        _refunds(connection, clamp, begin, finish, offset)
        _visits(connection, clamp, begin, finish, offset, one_day=start == end)
    for figures in days.values():
        figures.units = sum(p.units for p in figures.products.values())
    return days


def _orders(connection, days, clamp, begin, finish, offset) -> None:
    day = local_day_sql(Order.created_at, offset)
    rows = connection.execute(
        select(
            day,
            Order.shipping_country,
            func.count(),
            func.sum(Order.total_cents),
            func.sum(Order.shipping_cents),
            _discount_sum(),
        )
        .where(Order.status.in_(COUNTED), Order.created_at >= begin, Order.created_at < finish)
        .group_by(day, Order.shipping_country)
    )
    for raw, country, count, gross, shipping, discount in rows:
        figures = clamp(raw)
        figures.orders += count
        figures.gross_cents += int(gross or 0)
        figures.shipping_cents += int(shipping or 0)
        figures.discount_cents += int(discount or 0)
        by_country = figures.countries.setdefault(country or "", CountrySales())
        by_country.orders += count
        by_country.gross_cents += int(gross or 0)


def _lines(connection, clamp, begin, finish, offset) -> None:
    day = local_day_sql(Order.created_at, offset)
    product = func.coalesce(OrderLine.product_id, 0)
    rows = connection.execute(
        select(
            day,
            product,
            func.max(OrderLine.name),
            func.sum(OrderLine.quantity),
            func.sum(OrderLine.line_total_cents),
        )
        .select_from(Order)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.status.in_(COUNTED), Order.created_at >= begin, Order.created_at < finish)
        .group_by(day, product)
    )
    for raw, product_id, name, units, revenue in rows:
        sales = clamp(raw).products.setdefault(int(product_id), ProductSales(name or ""))
        sales.units += int(units or 0)
        sales.revenue_cents += int(revenue or 0)


def _refunds(connection, clamp, begin, finish, offset) -> None:
    day = local_day_sql(Payment.created_at, offset)
    rows = connection.execute(
        select(day, func.count(), func.sum(Payment.amount_cents))
        .where(
            Payment.kind == Payment.REFUND,
            Payment.created_at >= begin,
            Payment.created_at < finish,
            Payment.status.not_in(Payment.NO_MONEY),
        )
        .group_by(day)
    )
    for raw, count, amount in rows:
        figures = clamp(raw)
        figures.refunds += count
        figures.refunded_cents += int(amount or 0)


def _visits(connection, clamp, begin, finish, offset, one_day: bool) -> None:
    day = local_day_sql(PageView.created_at, offset)
    visitor = PageView.visitor_id

    def visitors_on(path: str):
        return func.count(func.distinct(case((PageView.path == path, visitor))))

    statement = (
        # A visitor id is only ever kept with consent; the partial index holds just those rows.
        select(
            literal(None) if one_day else day,
            func.count(func.distinct(visitor)),
            visitors_on(CHECKOUT_PAGE),
            visitors_on(ORDER_PAGE),
        ).where(
            and_(PageView.created_at >= begin, PageView.created_at < finish),
            visitor.is_not(None),
        )
    )
    # Counting distinct visitors is most of the cost of today's figures: for one day, not
    # grouping by the day (every row is on it) saves a third of it.
    rows = connection.execute(statement if one_day else statement.group_by(day))
    for raw, visits, checkout, ordered in rows:
        figures = clamp(raw)
        figures.visits += visits
        figures.checkout_visits += checkout
        figures.order_visits += ordered


def orders_in(connection, *spans: tuple[datetime, datetime]) -> list[tuple[int, int]]:
    """``orders_between`` for each of the [begin, finish) ``spans``, in one statement."""
    within = [(Order.created_at >= begin) & (Order.created_at < finish) for begin, finish in spans]
    row = connection.execute(
        select(
            *(
                column
                for span in within
                for column in (
                    func.count().filter(span),
                    func.coalesce(func.sum(Order.total_cents).filter(span), 0),
                )
            )
        ).where(Order.status.in_(COUNTED), or_(*within))
    ).one()
    return [(int(row[2 * index]), int(row[2 * index + 1])) for index in range(len(spans))]


def orders_between(connection, begin: datetime, finish: datetime) -> tuple[int, int]:
    """How many orders that count were placed in [begin, finish), and their gross in cents."""
    count, gross = connection.execute(
        select(func.count(), func.coalesce(func.sum(Order.total_cents), 0)).where(
            Order.status.in_(COUNTED), Order.created_at >= begin, Order.created_at < finish
        )
    ).one()
    return count, int(gross)
