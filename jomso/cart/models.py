"""Carts: one per signed-in account (by ``user_id``), or a guest's (id kept in the session)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jomso.catalog.models import ProductVariant
from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db


class Cart(db.Model):
    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a guest cart; an account has at most one cart.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Touched on every change; old guest carts can be purged by it.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, index=True
    )
    # The discount code the customer entered (normalised: ``jomso.discounts.codes``), kept
    # while it is in the cart; whether it still applies is checked at every view.
    discount_code: Mapped[str | None] = mapped_column(String(40))

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )


class CartItem(db.Model):
    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("cart_id", "variant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    # SET NULL, not CASCADE: a deleted variant (or product) leaves the line behind for one more
    # view, so the customer is told it went instead of seeing it silently vanish.
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variants.id", ondelete="SET NULL"), index=True
    )
    quantity: Mapped[int]
    # The price and name when the customer last saw this line: a change is pointed out.
    seen_price_cents: Mapped[int]
    product_name: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="items")
    variant: Mapped[ProductVariant | None] = relationship()
