"""Whether a discount code applies to a cart, and what it takes off: integer cents, split over
the lines it applies to.

The amount off the goods is computed on the lines the code applies to (all of them, or those of
its categories and products): a percent is rounded half up to the cent, an amount is at most
what those lines cost. It is then split over those lines in proportion to their totals by the
largest remainder, so the shares add up to the discount exactly and no share is more than its
line. Free shipping takes nothing off the goods: the cart's summary drops the shipping price.

The cart's summary (``jomso.cart.services.summarize``) asks ``price``; placing an order asks
``refusal`` again under the code's row lock, with the uses counted then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from flask_babel import gettext as _

from jomso.discounts.models import DiscountCode, DiscountKind
from jomso.discounts.usage import Usage
from jomso.i18n import format_money


class Refusal(StrEnum):
    UNKNOWN = "unknown"
    NOT_YET = "not_yet"
    EXPIRED = "expired"
    MINIMUM = "minimum"
    USED_UP = "used_up"
    USED_BY_YOU = "used_by_you"
    NOT_FOR_CART = "not_for_cart"


def message(refusal: Refusal, code: DiscountCode | None, typed: str) -> str:
    """Why ``typed`` does not apply, for the customer (beside the field)."""
    if refusal is Refusal.UNKNOWN or code is None:
        return _("We do not know the code “%(code)s”. Please check it.", code=typed)
    if refusal is Refusal.NOT_YET:
        return _(
            "The code %(code)s is valid from %(day)s.",
            code=code.code,
            day=_day(code.starts_on),
        )
    if refusal is Refusal.EXPIRED:
        if code.ends_on is not None and code.is_active:
            return _(
                "The code %(code)s expired on %(day)s.", code=code.code, day=_day(code.ends_on)
            )
        return _("The code %(code)s is no longer valid.", code=code.code)
    if refusal is Refusal.MINIMUM:
        return _(
            "The code %(code)s needs a subtotal of at least %(amount)s.",
            code=code.code,
            amount=format_money(code.min_subtotal_cents or 0),
        )
    if refusal is Refusal.USED_UP:
        return _("The code %(code)s has been used up.", code=code.code)
    if refusal is Refusal.USED_BY_YOU:
        return _("You have already used the code %(code)s.", code=code.code)
    return _("The code %(code)s is not valid for the products in your cart.", code=code.code)


def _day(day: date | None) -> str:
    from flask_babel import format_date

    return format_date(day, "medium") if day is not None else ""


@dataclass
class Priced:
    """What a code takes off: ``cents`` off the goods, ``shares`` per line (in the order of
    the lines given, 0 for lines it does not apply to), and whether shipping is free."""

    code: DiscountCode
    cents: int = 0
    shares: list[int] = field(default_factory=list)
    free_shipping: bool = False


class PricedLine(Protocol):
    """What ``price`` reads of a cart line (``jomso.cart.services.CartLine``)."""

    line_total_cents: int
    product: object  # ``cart.services.LineProduct``: ``id``, ``category_id``


def applies_to(code: DiscountCode, line) -> bool:
    if not code.limited:
        return True
    product = line.product
    return any(p.id == product.id for p in code.products) or any(
        c.id == product.category_id for c in code.categories
    )


def refusal(
    code: DiscountCode | None,
    today: date,
    usage: Usage,
    subtotal_cents: int | None = None,
    eligible: bool = True,
    check_customer: bool = True,
) -> Refusal | None:
    """Why ``code`` does not apply now, or None. ``subtotal_cents`` None skips the minimum;
    ``eligible`` says whether some line of the cart is one the code applies to."""
    if code is None:
        return Refusal.UNKNOWN
    if not code.is_active:
        return Refusal.EXPIRED
    if code.starts_on is not None and today < code.starts_on:
        return Refusal.NOT_YET
    if code.ends_on is not None and today > code.ends_on:
        return Refusal.EXPIRED
    if not eligible:
        return Refusal.NOT_FOR_CART
    if (
        subtotal_cents is not None
        and code.min_subtotal_cents is not None
        and subtotal_cents < code.min_subtotal_cents
    ):
        return Refusal.MINIMUM
    if code.usage_limit is not None and usage.total >= code.usage_limit:
        return Refusal.USED_UP
    if (
        check_customer
        and code.per_customer_limit is not None
        and usage.by_customer >= code.per_customer_limit
    ):
        return Refusal.USED_BY_YOU
    return None


def split(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` by the largest remainder: the parts add up
    to ``total`` exactly (ties go to the earlier weight). With ``total`` at most the weights'
    sum, no part exceeds its weight."""
    base = sum(weights)
    if base <= 0 or total <= 0:
        return [0] * len(weights)
    exact = [total * w for w in weights]
    parts = [e // base for e in exact]
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] % base), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def price(code: DiscountCode, lines: Sequence[PricedLine]) -> Priced:
    """What ``code`` takes off these lines (it applies: see ``refusal``)."""
    weights = [line.line_total_cents if applies_to(code, line) else 0 for line in lines]
    eligible = sum(weights)
    if code.kind == DiscountKind.FREE_SHIPPING:
        return Priced(code, 0, [0] * len(lines), free_shipping=True)
    if code.kind == DiscountKind.PERCENT:
        cents = (eligible * min(max(code.value, 0), 100) + 50) // 100
    else:
        cents = min(max(code.value, 0), eligible)
    return Priced(code, cents, split(cents, weights))


def any_eligible(code: DiscountCode, lines: Sequence[PricedLine]) -> bool:
    return any(applies_to(code, line) for line in lines)
