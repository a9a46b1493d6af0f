"""The roll-up of the days that are over: read it, build what is missing, forget what changed.

Rules that keep it true:

* **Only days that are over.** A ``SalesDay`` row is written for a local day before today,
  after that day ended (``built_at``), in the shop's current ``TIMEZONE``; a row that breaks any
  of these does not count and is built again. Today is always read from the orders.
* **A change forgets its day.** Whenever an order's figures change (it becomes paid or
  cancelled, a refund is made or fails), ``forget_days`` deletes the ``SalesDay`` row of the
  day concerned in the same transaction (``jomso.sales.hooks`` sees every flush), so the next
  reader builds that day again.
* **Building holds the lock writers need.** ``build_days`` reads the orders and writes the rows
  in one transaction that keeps every writer of ``sales_days`` out meanwhile (``BEGIN
  IMMEDIATE`` on SQLite; a ``SHARE ROW EXCLUSIVE`` table lock on PostgreSQL, which the
  writers' DELETE waits for): a change committed while a day is built cannot be lost, and a
  change not committed yet will forget the day once it is.
* **Reading sees one moment.** ``read_days`` reads the totals, products and countries in one
  snapshot and says which days it found; a day a writer forgot meanwhile is simply missing
  and the caller builds or computes it again.

The product and country rows of a day are only written with its ``SalesDay`` row (old ones
deleted first) and only read for days whose row holds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.exc import OperationalError

from jomso.catalog.models import Product
from jomso.database import utcnow
from jomso.extensions import db
from jomso.sales.days import CountrySales, DayFigures, ProductSales, compute_days
from jomso.sales.models import SalesDay, SalesDayCountry, SalesDayProduct
from jomso.shop_time import day_start

log = logging.getLogger(__name__)

DAYS = SalesDay.__table__
PRODUCTS = SalesDayProduct.__table__
COUNTRIES = SalesDayCountry.__table__
TOTALS = (
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
# Page views reach the log within a second (the write-behind thread); a day is built a
# minute after it ends at the earliest.
SETTLE = timedelta(minutes=1)


@dataclass
class StoredFigures:
    """What the roll-up holds for a range: the days found, and their sums."""

    days: dict[date, DayFigures] = field(default_factory=dict)
    products: dict[int, tuple[ProductSales, int | None]] = field(default_factory=dict)
    countries: dict[str, CountrySales] = field(default_factory=dict)


def forget_days(connection: Connection, days: Iterable[date]) -> None:
    """Delete the roll-up rows of ``days`` (inside the caller's transaction)."""
    days = sorted(set(days))
    if days:
        connection.execute(delete(DAYS).where(DAYS.c.day.in_(days)))


def _holds(row, tz: ZoneInfo) -> bool:
    return row.timezone == tz.key and row.built_at >= day_start(row.day + timedelta(1), tz) + SETTLE


@contextmanager
def _engine_connection(**options) -> Iterator[Connection]:
    with db.engine.connect() as connection:
        if options:
            connection = connection.execution_options(**options)
        yield connection


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """A connection whose SELECTs all see one state of the database."""
    dialect = db.engine.dialect.name
    options = {"isolation_level": "REPEATABLE READ"} if dialect == "postgresql" else {}
    with _engine_connection(**options) as connection:
        if dialect == "sqlite":
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


def read_days(start: date, end: date, tz: ZoneInfo) -> StoredFigures:
    """The roll-up rows that hold for ``start``..``end``, with their products and countries."""
    found = StoredFigures()
    with _snapshot() as connection:
        for row in connection.execute(select(DAYS).where(DAYS.c.day.between(start, end))):
            if _holds(row, tz):
                found.days[row.day] = DayFigures(row.day, **{k: getattr(row, k) for k in TOTALS})
        if not found.days:
            return found
        held = list(found.days) if len(found.days) < (end - start).days + 1 else None
        _read_products(connection, found, start, end, held)
        _read_countries(connection, found, start, end, held)
    return found


def _in_days(column, start: date, end: date, held: list[date] | None):
    return [column.between(start, end)] + ([column.in_(held)] if held is not None else [])


def _read_products(connection, found: StoredFigures, start, end, held) -> None:
    rows = connection.execute(
        select(
            PRODUCTS.c.product_id,
            func.max(PRODUCTS.c.name),
            func.sum(PRODUCTS.c.units),
            func.sum(PRODUCTS.c.revenue_cents),
            Product.name,
            Product.category_id,
        )
        .outerjoin(Product, Product.id == PRODUCTS.c.product_id)
        .where(*_in_days(PRODUCTS.c.day, start, end, held))
        .group_by(PRODUCTS.c.product_id, Product.name, Product.category_id)
    )
    for product_id, line_name, units, revenue, name, category_id in rows:
        sales = ProductSales(name or line_name, int(units), int(revenue))
        found.products[product_id] = (sales, category_id)


def _read_countries(connection, found: StoredFigures, start, end, held) -> None:
    rows = connection.execute(
        select(COUNTRIES.c.country, func.sum(COUNTRIES.c.orders), func.sum(COUNTRIES.c.gross_cents))
        .where(*_in_days(COUNTRIES.c.day, start, end, held))
        .group_by(COUNTRIES.c.country)
    )
    for country, orders, gross in rows:
        found.countries[country] = CountrySales(int(orders), int(gross))


@contextmanager
def _build_lock() -> Iterator[Connection]:
    """A write transaction that keeps every other writer of ``sales_days`` out until it ends."""
    with _engine_connection() as connection:
        dialect = connection.dialect.name
        if dialect == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif dialect == "postgresql":
            connection.exec_driver_sql("LOCK TABLE sales_days IN SHARE ROW EXCLUSIVE MODE")
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


def build_days(days: Iterable[date], tz: ZoneInfo) -> dict[date, DayFigures]:
    """Compute ``days`` (local days that are over) from the orders and store them; returns
    what was computed. When the database is too busy to take the lock, the figures are
    returned all the same, just not kept (the next reader tries again)."""
    days = sorted(set(days))
    if not days:
        return {}
    try:
        with _build_lock() as connection:
            computed = _compute(connection, days, tz)
            _store(connection, computed, tz)
        return computed
    except OperationalError:
        log.warning("sales roll-up: the database is busy, %d days computed but not kept", len(days))
        with _engine_connection() as connection:
            return _compute(connection, days, tz)


def _compute(connection, days: list[date], tz: ZoneInfo) -> dict[date, DayFigures]:
    computed: dict[date, DayFigures] = {}
    for first, last in _runs(days):
        computed.update(compute_days(connection, first, last, tz))
    return computed


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days: [(first, last), ...]."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(a, b) for a, b in runs]


def _store(connection: Connection, computed: dict[date, DayFigures], tz: ZoneInfo) -> None:
    days = list(computed)
    for table in (DAYS, PRODUCTS, COUNTRIES):
        for chunk in _chunks(days, 400):
            connection.execute(delete(table).where(table.c.day.in_(chunk)))
    now: datetime = utcnow()
    day_rows, product_rows, country_rows = [], [], []
    for day, figures in computed.items():
        day_rows.append(
            {"day": day, "timezone": tz.key, "built_at": now}
            | {k: getattr(figures, k) for k in TOTALS}
        )
        product_rows += [
            {"day": day, "product_id": pid, "name": p.name[:200], **_money(p)}
            for pid, p in figures.products.items()
        ]
        country_rows += [
            {"day": day, "country": code, "orders": c.orders, "gross_cents": c.gross_cents}
            for code, c in figures.countries.items()
        ]
    for table, rows in ((DAYS, day_rows), (PRODUCTS, product_rows), (COUNTRIES, country_rows)):
        if rows:
            connection.execute(insert(table), rows)


def _money(sales: ProductSales) -> dict:
    return {"units": sales.units, "revenue_cents": sales.revenue_cents}


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]
