"""The sales figures of a period, as the sales page and its CSV downloads show them.

Days that are over come from the roll-up (``rollup``), built first where missing; today comes
from the orders as they are (``days.compute_days``). Every figure is a sum over orders,
products or countries: no order, customer or visitor appears.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from babel import Locale
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from jomso.catalog.models import Category, Product
from jomso.extensions import db
from jomso.sales import rollup
from jomso.sales.days import (
    TOTAL_FIELDS,
    CountrySales,
    DayFigures,
    ProductSales,
    compute_days,
    discounts_tracked,
)
from jomso.shop_time import each_day, shop_timezone, shop_today

TOP = 10
DAY, WEEK, MONTH = "day", "week", "month"


@dataclass
class Totals:
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

    def add(self, figures) -> None:
        """Add a day's (or a period's) sums; through the instances' dicts, as this runs twice
        per day of the period."""
        mine, theirs = self.__dict__, figures.__dict__
        for name in TOTAL_FIELDS:
            mine[name] += theirs[name]

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.refunded_cents

    @property
    def average_order_cents(self) -> int | None:
        if not self.orders:
            return None
        return (self.gross_cents * 2 + self.orders) // (self.orders * 2)  # rounded half up

    @property
    def conversion_rate(self) -> float | None:
        """Visits (with consent) that opened an order's page, out of all such visits."""
        return self.order_visits / self.visits if self.visits else None

    @property
    def checkout_rate(self) -> float | None:
        return self.checkout_visits / self.visits if self.visits else None


@dataclass
class Bucket:
    """One bar of the chart: a day, a week (from its first day) or a month."""

    start: date
    end: date
    totals: Totals = field(default_factory=Totals)


@dataclass
class Ranked:
    name: str
    units: int
    revenue_cents: int


@dataclass
class CountryRow:
    code: str
    orders: int
    gross_cents: int


@dataclass
class SalesReport:
    start: date
    end: date
    grouping: str
    totals: Totals
    buckets: list[Bucket]
    products: list[Ranked]  # every product sold, best revenue first
    categories: list[Ranked]
    countries: list[CountryRow]
    discounts_tracked: bool
    includes_today: bool

    def best_sellers(self, by: str, limit: int = TOP) -> list[Ranked]:
        key = (lambda r: (-r.units, -r.revenue_cents, r.name)) if by == "units" else None
        ranked = sorted(self.products, key=key) if key else self.products
        return ranked[:limit]


def default_grouping(start: date, end: date) -> str:
    days = (end - start).days + 1
    return DAY if days <= 62 else WEEK if days <= 190 else MONTH


def sales_report(start: date, end: date, grouping: str | None = None) -> SalesReport:
    """Every figure of the sales page for the local days ``start``..``end`` (inclusive)."""
    tz = shop_timezone()
    today = shop_today()
    grouping = grouping or default_grouping(start, end)
    days: dict[date, DayFigures] = {}
    products: dict[int, tuple[ProductSales, int | None]] = {}
    countries: dict[str, CountrySales] = {}

    past_end = min(end, today - timedelta(days=1))
    live: dict[date, DayFigures] = {}
    if start <= past_end:
        stored = rollup.read_days(start, past_end, tz)
        missing = [d for d in each_day(start, past_end) if d not in stored.days]
        months = rollup.whole_months(start, past_end) if missing else stored.months_to_build
        if missing or months:
            built = rollup.build_days(missing, tz, months)
            stored = rollup.read_days(start, past_end, tz)
            # Days a writer forgot again meanwhile, or that the busy database did not keep.
            still = [d for d in each_day(start, past_end) if d not in stored.days]
            live.update({d: built[d] for d in still if d in built})
            live.update(rollup.compute([d for d in still if d not in built], tz))
        days.update(stored.days)
        products.update(stored.products)
        countries.update(stored.countries)
    if start <= today <= end:
        live.update(compute_days(db.session, today, today, tz))
    _merge_live(live, days, products, countries)

    totals = Totals()
    for figures in days.values():
        totals.add(figures)
    ranked = _products(products)
    return SalesReport(
        start=start,
        end=end,
        grouping=grouping,
        totals=totals,
        buckets=_buckets(start, min(end, today), days, grouping),
        products=ranked,
        categories=_categories(products),
        countries=sorted(
            (CountryRow(code, c.orders, c.gross_cents) for code, c in countries.items()),
            key=lambda r: (-r.gross_cents, r.code),
        ),
        discounts_tracked=discounts_tracked(),
        includes_today=start <= today <= end,
    )


def _merge_live(live, days, products, countries) -> None:
    """Add days computed from the orders to the sums read from the roll-up."""
    if not live:
        return
    new_ids = {pid for f in live.values() for pid in f.products if pid not in products}
    current = {}
    if new_ids:
        current = {
            row.id: (row.name, row.category_id)
            for row in db.session.execute(
                select(Product.id, Product.name, Product.category_id).where(Product.id.in_(new_ids))
            )
        }
    for day, figures in live.items():
        days[day] = figures
        for pid, sales in figures.products.items():
            if pid not in products:
                name, category_id = current.get(pid, (sales.name, None))
                products[pid] = (ProductSales(name), category_id)
            total = products[pid][0]
            total.units += sales.units
            total.revenue_cents += sales.revenue_cents
        for code, sales in figures.countries.items():
            total = countries.setdefault(code, CountrySales())
            total.orders += sales.orders
            total.gross_cents += sales.gross_cents


def _products(products) -> list[Ranked]:
    rows = [
        Ranked(s.name if pid else _("Products deleted since"), s.units, s.revenue_cents)
        for pid, (s, _category) in products.items()
    ]
    return sorted(rows, key=lambda r: (-r.revenue_cents, -r.units, r.name))


def _categories(products) -> list[Ranked]:
    names = dict(db.session.execute(select(Category.id, Category.name)).all())
    sums: dict[int | None, Ranked] = {}
    for sales, category_id in products.values():
        key = category_id if category_id in names else None
        row = sums.setdefault(key, Ranked(names.get(key, ""), 0, 0))
        row.units += sales.units
        row.revenue_cents += sales.revenue_cents
    return sorted(sums.values(), key=lambda r: (-r.revenue_cents, -r.units, r.name))


def _bucket_start(day: date, grouping: str, first_weekday: int) -> date:
    if grouping == WEEK:
        return day - timedelta(days=(day.weekday() - first_weekday) % 7)
    if grouping == MONTH:
        return day.replace(day=1)
    return day


def _buckets(start: date, end: date, days: dict[date, DayFigures], grouping: str) -> list[Bucket]:
    """The chart's bars from ``start`` to ``end``; the first and last week or month may be
    cut short by the period (each bar says from when to when). Weeks start on the locale's
    first day of the week."""
    first_weekday = Locale.parse(current_app.config["LOCALE"]).first_week_day  # 0: Monday
    buckets: dict[date, Bucket] = {}
    for day in each_day(start, end):
        key = _bucket_start(day, grouping, first_weekday)
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = Bucket(max(key, start), day)
        bucket.end = day
        if day in days:
            bucket.totals.add(days[day])
    return list(buckets.values())
