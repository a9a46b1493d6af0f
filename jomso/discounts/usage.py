"""How many orders used a discount code: in all, and by one customer (an account or an email
address). The orders domain answers (``jomso.orders.discount_usage`` registers the counter
when it is imported); this module imports none of it. Who used a code is read from the
orders themselves, so no table of its own keeps people's use of codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jomso.discounts.models import DiscountCode


@dataclass(frozen=True)
class Usage:
    total: int = 0  # orders that used the code
    by_customer: int = 0  # of them, the customer's (their account's, or their email's)


Counter = Callable[[int, int | None, str | None], Usage]
_counter: list[Counter] = []


def register_counter(counter: Counter) -> None:
    """Say how to count a code's uses: ``counter(code_id, user_id, email) -> Usage``."""
    _counter[:] = [counter]


def count(code_id: int, user_id: int | None = None, email: str | None = None) -> Usage:
    """The code's uses now (none counted while no counter is registered)."""
    if not _counter:
        return Usage()
    return _counter[0](code_id, user_id, email)


def for_limits(code: DiscountCode, user_id: int | None = None, email: str | None = None) -> Usage:
    """The uses that ``code``'s limits are checked against, counted only for the limits it
    has: a code without a limit (the usual welcome code, used by thousands of orders) counts
    nothing, and the customer's uses are counted only for a per-customer limit and a known
    customer (``user_id`` or ``email``)."""
    customer = code.per_customer_limit is not None and (user_id is not None or bool(email))
    if code.usage_limit is None and not customer:
        return Usage()
    if not customer:
        user_id = email = None
    return count(code.id, user_id, email)
