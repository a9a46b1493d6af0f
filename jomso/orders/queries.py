"""Order numbers and the read-only lookups on orders: one order by its number, a customer's
history. The staff list's queries are in ``orders.order_list``.

Nothing here writes to the database. An order number is ``J`` and 8 Crockford base32
characters (``new_order_number`` makes them, ``find_order`` accepts only that form after
``normalize_number``), and never holds a run of six digits the log redaction would mask.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.orders.models import Order
from jomso.orders.status import PLACED_STATUSES

NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_NUMBER_RE = re.compile(r"^J[0-9A-HJKMNP-TV-Z]{8}$")


def new_order_number() -> str:
    """``J`` and 8 random Crockford base32 characters (40 bits), e.g. ``J7K2M9QX``: easy to
    read out on the phone, and never a digit run the log redaction would mask."""
    while True:
        body = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
        if not re.search(r"\d{6}", body):
            return "J" + body


def normalize_number(text: str) -> str:
    """An order number as typed (``j7k2-m9qx``, with o for 0...) in its stored form."""
    cleaned = re.sub(r"[\s-]", "", text or "").upper()
    return cleaned[:1] + cleaned[1:].translate(str.maketrans("OIL", "011"))


def find_order(number: str) -> Order | None:
    number = normalize_number(number)
    if not _NUMBER_RE.match(number):
        return None
    return db.session.scalar(select(Order).where(Order.number == number))


def orders_for_user(user: User) -> list[Order]:
    """The customer's placed orders, newest first (attempts whose payment failed left out)."""
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.user_id == user.id, Order.status.in_(PLACED_STATUSES))
            .order_by(Order.created_at.desc(), Order.id.desc())
        )
    )
