"""Staff actions on several orders at once, from the list.

Each order is handled on its own, through the same service as its own page
(``orders.fulfilment``), in its own transaction: an order that cannot take the action is left
as it was and reported with the reason, and the others are done anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.orders import fulfilment
from jomso.orders.models import Order
from jomso.orders.status import IllegalTransition, OrderStatus


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # order numbers
    refused: list[tuple[str, str]] = field(default_factory=list)  # (number, reason)
    unknown: list[str] = field(default_factory=list)  # numbers the form sent that name no order


def mark_processing(orders: list[Order], actor: User, unknown: list[str]) -> BulkResult:
    """Start preparing every order that can be; ``unknown`` are numbers the form sent that
    name no order (reported as such)."""
    result = BulkResult(unknown=list(unknown))
    for order in orders:
        number = order.number
        if order.status == OrderStatus.PROCESSING:
            result.refused.append((number, _("It is being prepared already.")))
            continue
        try:
            fulfilment.mark_processing(order, actor)
        except IllegalTransition as refusal:
            db.session.rollback()
            result.refused.append((number, str(refusal)))
        else:
            result.done.append(number)
    return result
