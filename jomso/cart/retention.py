"""The carts' retention rule (``jomso.privacy.retention``, applied by ``purge``): a cart nobody
changed for CART_KEEP_DAYS is abandoned and deleted with its lines, a guest's or an account's.
A guest whose session still names a deleted cart starts a new one (``current_cart``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from jomso.cart.models import Cart, CartItem
from jomso.extensions import db
from jomso.privacy.retention import Action, retention_rule


@retention_rule(
    "carts: abandoned ones deleted",
    data=_l("Your cart"),
    tables=("carts", "cart_items"),
    action=Action.DELETE,
    setting="CART_KEEP_DAYS",
    starts=_l("after its last change"),
)
def delete_abandoned_carts(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["CART_KEEP_DAYS"]))
    old = select(Cart.id).where(Cart.updated_at < cutoff)
    db.session.execute(
        delete(CartItem)
        .where(CartItem.cart_id.in_(old))
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(
        delete(Cart).where(Cart.updated_at < cutoff).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0
