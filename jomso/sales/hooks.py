"""The order services keep the sales roll-up true: every flush that changes an order's figures
deletes the roll-up row of the day concerned, in the same transaction (``rollup.forget_days``).

A flush is watched rather than each service, so that every way an order changes is seen: the
checkout, staff actions, reconciling, webhooks, and whatever comes later. The one change
written without the ORM, the checkout's new order becoming paid (``orders.new_rows``), sends
``orders.signals.new_order_paid`` instead, and its day is forgotten the same way. What counts
as a change of figures:

* an order that starts or stops counting (``days.COUNTED``: paid, cancelled...), or whose
  totals, shipping country or lines change while it counts: the day it was placed;
* a refund that moves money or stops moving it (made, or reported failed): the day it was made.
"""

from __future__ import annotations

from datetime import date
from itertools import chain

from flask import has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from jomso.database import utcnow
from jomso.extensions import db
from jomso.orders.models import Order, OrderLine, Payment
from jomso.orders.signals import new_order_paid
from jomso.sales.days import COUNTED
from jomso.sales.rollup import forget_days
from jomso.shop_time import local_date

FIGURE_COLUMNS = ("total_cents", "shipping_cents", "subtotal_cents", "shipping_country")


def _before_and_after(obj, attribute: str):
    history = inspect(obj).attrs[attribute].history
    after = history.added[0] if history.added else getattr(obj, attribute)
    before = history.deleted[0] if history.deleted else after
    return before, after


def _order_day(order: Order, new: bool, deleted: bool) -> date | None:
    if order.created_at is None:
        return None
    day = local_date(order.created_at)
    if new or deleted:
        return day if order.status in COUNTED else None
    before, after = _before_and_after(order, "status")
    if (before in COUNTED) != (after in COUNTED):
        return day
    if after in COUNTED and any(
        inspect(order).attrs[c].history.has_changes() for c in FIGURE_COLUMNS
    ):
        return day
    return None


def _line_day(line: OrderLine) -> date | None:
    order = line.order
    if order is None or order.created_at is None or order.status not in COUNTED:
        return None
    return local_date(order.created_at)


def _refund_day(payment: Payment, new: bool, deleted: bool) -> date | None:
    if payment.kind != Payment.REFUND:
        return None
    if new or deleted:
        moved = payment.status not in Payment.NO_MONEY
    else:
        before, after = _before_and_after(payment, "status")
        moved = (before in Payment.NO_MONEY) != (after in Payment.NO_MONEY)
    return local_date(payment.created_at or utcnow()) if moved else None


def days_touched(session: Session) -> set[date]:
    """The local days whose figures this flush changes."""
    days: set[date | None] = set()
    # Each read of session.new builds a new set: read once (a bulk import adds thousands).
    added, removed = session.new, session.deleted
    for obj in chain(added, session.dirty, removed):
        new, deleted = obj in added, obj in removed
        if isinstance(obj, Order):
            days.add(_order_day(obj, new, deleted))
        elif isinstance(obj, OrderLine):
            days.add(_line_day(obj))
        elif isinstance(obj, Payment):
            days.add(_refund_day(obj, new, deleted))
    days.discard(None)
    return days  # type: ignore[return-value]


@event.listens_for(Session, "after_flush")
def _forget_changed_days(session: Session, _flush_context) -> None:
    if not has_app_context():
        return
    days = days_touched(session)
    if days:
        forget_days(session.connection(), days)


@new_order_paid.connect
def _forget_the_day_of_a_new_paid_order(_app, order: Order) -> None:
    # Paid, it starts counting (``days.COUNTED``) on the day it was placed.
    forget_days(db.session.connection(), {local_date(order.created_at)})
