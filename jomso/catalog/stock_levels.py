"""Low stock, in one place: which products are running out, for the dashboard card and the
staff product list's "low stock" filter.

A product is low on stock when it is on sale and holds ``LOW_STOCK_THRESHOLD`` units or fewer
(sold out included): the units of its active variants together (``Product.stock_total``, kept
by ``variants``). Per-variant alerts are the stock alerts' business.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import ColumnElement, func, select

from jomso.catalog.models import Product
from jomso.extensions import db


def low_stock_threshold() -> int:
    return int(current_app.config["LOW_STOCK_THRESHOLD"])


def is_low_stock(threshold: int | None = None) -> ColumnElement[bool]:
    """The condition "stock at or below the threshold" on ``Product``."""
    return Product.stock_total <= (low_stock_threshold() if threshold is None else threshold)


def low_stock_products(limit: int = 5) -> tuple[int, list[Product]]:
    """How many products on sale are low on stock, and the ``limit`` lowest of them."""
    # "is_active = 1", not "is_active": equality lets the (is_active, stock_total) index answer.
    on_sale_and_low = (Product.is_active == True, is_low_stock())  # noqa: E712
    total = db.session.scalar(select(func.count()).select_from(Product).where(*on_sale_and_low))
    lowest = db.session.scalars(
        select(Product)
        .where(*on_sale_and_low)
        .order_by(Product.stock_total, Product.name)
        .limit(limit)
    ).all()
    return total or 0, list(lowest)
