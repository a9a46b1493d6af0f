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
deleted first) and only read for days whose row holds. A month whose days all hold gets its
products summed once more (``SalesMonth``), so a year reads twelve rows per product instead of
365; forgetting a day forgets its month too, and a month that does not hold is read day by
day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, bindparam, delete, func, insert, literal, or_, select
from sqlalchemy.exc import OperationalError

from jomso.catalog.models import Product
from jomso.database import utcnow
from jomso.extensions import db
from jomso.sales.days import TOTAL_FIELDS, CountrySales, DayFigures, ProductSales, compute_days
from jomso.sales.models import (
    SalesDay,
    SalesDayCountry,
    SalesDayProduct,
    SalesMonth,
    SalesMonthProduct,
)
from jomso.shop_time import day_start, each_day

log = logging.getLogger(__name__)

DAYS = SalesDay.__table__
PRODUCTS = SalesDayProduct.__table__
COUNTRIES = SalesDayCountry.__table__
MONTHS = SalesMonth.__table__
MONTH_PRODUCTS = SalesMonthProduct.__table__
# Page views reach the log within a second (the write-behind thread): a day's row holds only
# when it was built at least this long after the day ended.
SETTLE = timedelta(minutes=1)


@dataclass
class StoredFigures:
    """What the roll-up holds for a range: the days found, and their sums."""

    days: dict[date, DayFigures] = field(default_factory=dict)
    products: dict[int, tuple[ProductSales, int | None]] = field(default_factory=dict)
    countries: dict[str, CountrySales] = field(default_factory=dict)
    months_to_build: list[date] = field(default_factory=list)  # whole months not summed yet


# Built once: every order paid or refunded runs them.
_FORGET_DAYS = delete(DAYS).where(DAYS.c.day.in_(bindparam("days", expanding=True)))
_FORGET_MONTHS = delete(MONTHS).where(MONTHS.c.month.in_(bindparam("months", expanding=True)))


def forget_days(connection: Connection, days: Iterable[date]) -> None:
    """Delete the roll-up rows of ``days`` and of their months (inside the caller's
    transaction)."""
    days = sorted(set(days))
    if days:
        connection.execute(_FORGET_DAYS, {"days": days})
        months = sorted({day.replace(day=1) for day in days})
        connection.execute(_FORGET_MONTHS, {"months": months})


def _holds(row, tz: ZoneInfo) -> bool:
    return row.timezone == tz.key and row.built_at >= day_start(row.day + timedelta(1), tz) + SETTLE


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def whole_months(start: date, end: date) -> list[date]:
    """The first days of the months that lie wholly within ``start``..``end``."""
    month = start if start.day == 1 else _month_end(start) + timedelta(days=1)
    months = []
    while _month_end(month) <= end:
        months.append(month)
        month = _month_end(month) + timedelta(days=1)
    return months


def _month_holds(row, tz: ZoneInfo) -> bool:
    end = _month_end(row.month) + timedelta(days=1)
    return row.timezone == tz.key and row.built_at >= day_start(end, tz) + SETTLE


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
    """The roll-up rows that hold for ``start``..``end`` (days that are over), with the sums
    of their products and countries, all as of one moment."""
    found = StoredFigures()
    with _snapshot() as connection:
        for row in connection.execute(select(DAYS).where(DAYS.c.day.between(start, end))):
            if _holds(row, tz):
                found.days[row.day] = DayFigures(
                    row.day, **{k: getattr(row, k) for k in TOTAL_FIELDS}
                )
        if not found.days:
            return found
        months = whole_months(start, end)
        summed = set()
        if months:
            rows = connection.execute(select(MONTHS).where(MONTHS.c.month.in_(months)))
            summed = {row.month for row in rows if _month_holds(row, tz)}
        found.months_to_build = [
            m
            for m in months
            if m not in summed and all(d in found.days for d in each_day(m, _month_end(m)))
        ]
        by_day = [d for d in found.days if d.replace(day=1) not in summed]
        if summed:
            condition = MONTH_PRODUCTS.c.month.in_(sorted(summed))
            _read_products(connection, found, MONTH_PRODUCTS, condition)
        if by_day:
            condition = _where(PRODUCTS.c.day, _days_filter(by_day, start, end))
            _read_products(connection, found, PRODUCTS, condition)
        _read_countries(connection, found, _days_filter(list(found.days), start, end))
    return found


def _days_filter(days: list[date], start: date, end: date) -> list[tuple[date, date]]:
    """``days`` as runs of consecutive days, each read as an index range."""
    if len(days) == (end - start).days + 1:
        return [(start, end)]
    return _runs(sorted(days))


def _where(column, runs: list[tuple[date, date]]):
    return or_(*(column.between(first, last) for first, last in runs))


def _read_products(connection, found: StoredFigures, table, condition) -> None:
    # Summed first, then joined to the products: one lookup per product, not per row.
    sums = (
        select(
            table.c.product_id,
            func.max(table.c.name).label("line_name"),
            func.sum(table.c.units).label("units"),
            func.sum(table.c.revenue_cents).label("revenue"),
        )
        .where(condition)
        .group_by(table.c.product_id)
        .subquery()
    )
    rows = connection.execute(
        select(sums, Product.name, Product.category_id).outerjoin(
            Product, Product.id == sums.c.product_id
        )
    )
    for product_id, line_name, units, revenue, name, category_id in rows:
        sales, _category = found.products.setdefault(
            product_id, (ProductSales(name or line_name), category_id)
        )
        sales.units += int(units)
        sales.revenue_cents += int(revenue)


def _read_countries(connection, found: StoredFigures, days) -> None:
    rows = connection.execute(
        select(COUNTRIES.c.country, func.sum(COUNTRIES.c.orders), func.sum(COUNTRIES.c.gross_cents))
        .where(_where(COUNTRIES.c.day, days))
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


def build_days(
    days: Iterable[date], tz: ZoneInfo, months: Iterable[date] = ()
) -> dict[date, DayFigures]:
    """Compute ``days`` (local days that are over) from the orders and store them, then sum
    the products of ``months`` whose days all hold; returns the days computed. When the
    database is too busy to take the lock, the days are returned all the same, just not kept
    (the next reader tries again)."""
    days, months = sorted(set(days)), sorted(set(months))
    if not days and not months:
        return {}
    try:
        with _build_lock() as connection:
            computed = _compute(connection, days, tz)
            _store(connection, computed, tz)
            for month in months:
                _sum_month(connection, month, tz)
        return computed
    except OperationalError:
        log.warning("sales roll-up: the database is busy, %d days computed but not kept", len(days))
        return compute(days, tz)


def _sum_month(connection: Connection, month: date, tz: ZoneInfo) -> None:
    """Sum the products of ``month`` from its days, unless that is done already or one of
    its days does not hold (read again under the lock: a writer may have forgotten one)."""
    marker = connection.execute(select(MONTHS).where(MONTHS.c.month == month)).first()
    if marker is not None and _month_holds(marker, tz):
        return
    last = _month_end(month)
    rows = connection.execute(select(DAYS).where(DAYS.c.day.between(month, last))).all()
    if len(rows) != (last - month).days + 1 or not all(_holds(row, tz) for row in rows):
        return
    connection.execute(delete(MONTH_PRODUCTS).where(MONTH_PRODUCTS.c.month == month))
    connection.execute(delete(MONTHS).where(MONTHS.c.month == month))
    connection.execute(
        insert(MONTH_PRODUCTS).from_select(
            ["month", "product_id", "name", "units", "revenue_cents"],
            select(
                literal(month, Date()),
                PRODUCTS.c.product_id,
                func.max(PRODUCTS.c.name),
                func.sum(PRODUCTS.c.units),
                func.sum(PRODUCTS.c.revenue_cents),
            )
            .where(PRODUCTS.c.day.between(month, last))
            .group_by(PRODUCTS.c.product_id),
        )
    )
    connection.execute(insert(MONTHS), [{"month": month, "timezone": tz.key, "built_at": utcnow()}])


def compute(days: Iterable[date], tz: ZoneInfo) -> dict[date, DayFigures]:
    """``days`` computed from the orders, not kept."""
    if not days:
        return {}
    with _engine_connection() as connection:
        return _compute(connection, sorted(set(days)), tz)


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
            | {k: getattr(figures, k) for k in TOTAL_FIELDS}
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
