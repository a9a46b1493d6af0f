"""How many orders used a discount code, counted from the orders (registered with
``jomso.discounts.usage``). An order counts unless its payment failed (nothing was bought):
cancelled and refunded orders still count as a use. A customer's uses are the orders of their
account or placed with their email address (case ignored)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from jomso.discounts.usage import Usage, register_counter
from jomso.extensions import db
from jomso.orders.models import Order
from jomso.orders.status import OrderStatus


def count_uses(code_id: int, user_id: int | None, email: str | None) -> Usage:
    used = (Order.discount_code_id == code_id) & (Order.status != OrderStatus.PAYMENT_FAILED)
    mine = []
    if user_id is not None:
        mine.append(Order.user_id == user_id)
    if email:
        mine.append(func.lower(Order.email) == email.strip().lower())
    total = db.session.scalar(select(func.count()).select_from(Order).where(used)) or 0
    by_you = 0
    if mine:
        by_you = (
            db.session.scalar(select(func.count()).select_from(Order).where(used, or_(*mine))) or 0
        )
    return Usage(int(total), int(by_you))


register_counter(count_uses)
