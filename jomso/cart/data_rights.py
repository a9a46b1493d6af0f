"""The customer's cart in their data export; it goes with the account (ON DELETE CASCADE)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from jomso.cart.models import Cart
from jomso.extensions import db
from jomso.privacy.registry import DataSubject, register_export_section, row_dict


def _cart_section(subject: DataSubject) -> dict[str, Any] | None:
    if subject.user is None:  # a guest's cart is found only through its browser's session
        return None
    cart = db.session.scalar(select(Cart).where(Cart.user_id == subject.user.id))
    if cart is None:
        return None
    return row_dict(cart, items=[row_dict(item) for item in cart.items])


register_export_section("cart", _cart_section, tables=("carts", "cart_items"))
