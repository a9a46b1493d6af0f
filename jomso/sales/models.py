"""The daily roll-up of the sales figures: one row per local day once the day is over, with
its products and countries. Figures only: no order number, no customer, no visitor.

A row is a cache of what the orders, refunds and page views of that day add up to
(``jomso.sales.days``): the sales page reads a year of it in a few milliseconds where the
orders themselves would take far longer. ``jomso.sales.rollup`` builds the rows and says when
one holds; the order services' changes delete the row of the day they touch
(``jomso.sales.hooks``), and the next reader builds it again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from jomso.database import UTCDateTime
from jomso.extensions import db


class SalesDay(db.Model):
    """One local day's totals. Its products and countries are the rows of the same ``day`` in
    the two tables below, written with it."""

    __tablename__ = "sales_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    # The TIMEZONE its day was cut in; a row of another time zone does not count.
    timezone: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime())
    orders: Mapped[int]
    gross_cents: Mapped[int] = mapped_column(BigInteger)
    shipping_cents: Mapped[int] = mapped_column(BigInteger)
    discount_cents: Mapped[int] = mapped_column(BigInteger)  # 0 until the shop has discounts
    units: Mapped[int]
    refunds: Mapped[int]
    refunded_cents: Mapped[int] = mapped_column(BigInteger)
    # Visitor-days with analytics consent: all, those that opened the checkout, and those that
    # opened an order's page.
    visits: Mapped[int]
    checkout_visits: Mapped[int]
    order_visits: Mapped[int]


class SalesDayProduct(db.Model):
    __tablename__ = "sales_day_products"

    day: Mapped[date] = mapped_column(primary_key=True)
    # The product's id; 0 for lines whose product was deleted since.
    product_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))  # as on the order lines
    units: Mapped[int]
    revenue_cents: Mapped[int] = mapped_column(BigInteger)


class SalesDayCountry(db.Model):
    __tablename__ = "sales_day_countries"

    day: Mapped[date] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)  # shipping country
    orders: Mapped[int]
    gross_cents: Mapped[int] = mapped_column(BigInteger)


class SalesMonth(db.Model):
    """A month whose products are summed up in ``sales_month_products``: the best sellers of a
    year read twelve rows per product, not 365. Written from the month's ``sales_day_products``
    once every day of the month holds; forgotten with any of its days."""

    __tablename__ = "sales_months"

    month: Mapped[date] = mapped_column(primary_key=True)  # its first day
    timezone: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SalesMonthProduct(db.Model):
    __tablename__ = "sales_month_products"

    month: Mapped[date] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    units: Mapped[int]
    revenue_cents: Mapped[int] = mapped_column(BigInteger)
