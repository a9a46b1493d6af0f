"""Discount codes and what they are limited to."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, exists, or_
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db

if TYPE_CHECKING:  # mapped by name: the catalog's models import the cart, which prices codes
    from jomso.catalog.models import Category, Product


class DiscountKind(StrEnum):
    PERCENT = "percent"  # ``value``: whole percent, 1 to 100
    AMOUNT = "amount"  # ``value``: cents off the eligible lines
    FREE_SHIPPING = "free_shipping"  # ``value``: 0


discount_code_categories = Table(
    "discount_code_categories",
    db.metadata,
    Column(
        "discount_code_id",
        ForeignKey("discount_codes.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)

discount_code_products = Table(
    "discount_code_products",
    db.metadata,
    Column(
        "discount_code_id",
        ForeignKey("discount_codes.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
)


class DiscountCode(db.Model):
    """A code customers type. ``code`` is shown (upper case, no spaces); ``lookup_key`` is
    the code with lookalike letters folded (``codes.lookup_key``), unique: it is what a
    customer's entry is matched by, and what keeps staff from making two codes that read
    alike."""

    __tablename__ = "discount_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    lookup_key: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(default=0)
    min_subtotal_cents: Mapped[int | None]
    # Local days of the shop (``TIMEZONE``), both inclusive; None: no limit.
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    usage_limit: Mapped[int | None]  # orders in all
    per_customer_limit: Mapped[int | None]  # orders per account or email address
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    categories: Mapped[list[Category]] = relationship(
        "Category", secondary=discount_code_categories, order_by="Category.name"
    )
    products: Mapped[list[Product]] = relationship(
        "Product", secondary=discount_code_products, order_by="Product.name"
    )
    # Whether the code applies to some categories or products only: read with the code, in
    # its own statement, so that pricing a code for everything (the usual welcome code) loads
    # neither list.
    limited: Mapped[bool] = column_property(
        or_(
            exists().where(discount_code_categories.c.discount_code_id == id),
            exists().where(discount_code_products.c.discount_code_id == id),
        )
    )
