"""The demo shop's discount codes (``flask --app app demo``): WELCOME10, 10% off from a $20
subtotal once per customer, and FREESHIP, free shipping from $30. Added only while the shop
has no code, like the rest of the demo: sample content for the owner to replace."""

from __future__ import annotations

from sqlalchemy import func, select

from jomso.discounts.codes import lookup_key
from jomso.discounts.models import DiscountCode, DiscountKind
from jomso.extensions import db

DEMO_CODES = (
    ("WELCOME10", DiscountKind.PERCENT, 10, 2000, 1),
    ("FREESHIP", DiscountKind.FREE_SHIPPING, 0, 3000, None),
)


def set_up_demo_codes() -> int:
    """Add the demo codes when the shop has none; returns how many were added. Commits."""
    if db.session.scalar(select(func.count()).select_from(DiscountCode)):
        return 0
    for code, kind, value, minimum, per_customer in DEMO_CODES:
        db.session.add(
            DiscountCode(
                code=code,
                lookup_key=lookup_key(code),
                kind=kind,
                value=value,
                min_subtotal_cents=minimum,
                per_customer_limit=per_customer,
            )
        )
    db.session.commit()
    return len(DEMO_CODES)
