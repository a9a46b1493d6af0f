"""The variant service: what every path that changes variants calls, so that the summary
columns of their products (``price_min_cents``, ``price_max_cents``, ``stock_total``,
``on_sale``, ``variant_text``: see ``models.Product``) stay true.

A product without options has exactly one variant (``title`` ""); one with options has a
variant per combination that is sold. Variants are read for a page in one query per page,
never one per product: lists read only the summary columns.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import selectinload

from jomso.catalog.models import Product, ProductVariant
from jomso.extensions import db


def summary_of(product: Product) -> dict:
    """The summary columns of a product from its variants (as loaded)."""
    active = [v for v in product.variants if v.is_active]
    prices = [v.effective_price_cents for v in active] or [product.price_cents]
    words: list[str] = []
    for variant in product.variants:
        for word in (variant.sku, *variant.values):
            if word and word not in words:
                words.append(word)
    return {
        "price_min_cents": min(prices),
        "price_max_cents": max(prices),
        "stock_total": sum(max(0, v.stock) for v in active),
        "on_sale": any(v.is_on_sale for v in active),
        "variant_text": " ".join(words),
    }


def refresh_summary(product: Product) -> None:
    """Set the product's summary columns from its variants (in the caller's transaction)."""
    for name, value in summary_of(product).items():
        if getattr(product, name) != value:
            setattr(product, name, value)


def refresh_summaries(product_ids: Iterable[int]) -> None:
    """``refresh_summary`` for these products, read with their variants in two queries."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    db.session.flush()
    products = db.session.scalars(
        select(Product)
        .where(Product.id.in_(ids))
        .options(selectinload(Product.variants))
        .execution_options(populate_existing=True)
    )
    for product in products:
        refresh_summary(product)


_PRODUCTS, _VARIANTS = Product.__table__, ProductVariant.__table__
# Built once, on the tables (no ORM objects are kept in step: the checkout's hot path).
_REFRESH_STOCK_TOTALS = (
    update(_PRODUCTS)
    .where(_PRODUCTS.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        stock_total=select(func.coalesce(func.sum(_VARIANTS.c.stock), 0))
        .where(_VARIANTS.c.product_id == _PRODUCTS.c.id, _VARIANTS.c.is_active)
        .where(_VARIANTS.c.stock > 0)
        .scalar_subquery()
    )
)


def refresh_stock_totals(product_ids: Iterable[int]) -> None:
    """After units were taken or put back: only ``stock_total`` of these products, one
    statement, rows changed by ascending id (after their variants, see orders.transitions).
    Loaded products are not brought up to date."""
    ids = sorted(set(product_ids))
    if ids:
        db.session.execute(_REFRESH_STOCK_TOTALS, {"ids": ids})


def single_variant(product: Product, *, sku: str, stock: int = 0, **values) -> ProductVariant:
    """The only variant of a product without options, made when there is none yet."""
    variant = product.default_variant
    if variant is None:
        values = {"is_active": True, "weight_grams": 0, "barcode": "", **values}
        variant = ProductVariant(sku=sku, stock=stock, position=0, **values)
        product.variants.append(variant)
    else:
        variant.sku = sku
        variant.stock = stock
        for name, value in values.items():
            setattr(variant, name, value)
    return variant
