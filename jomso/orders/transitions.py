"""Changing an order's status, and what the order services share to do it: the write lock,
the timeline row, putting stock back, the payment record of a sale.

Used by ``orders.placing``, ``orders.reconciling`` and ``orders.fulfilment``; imports none of
them. Two rules hold here:

* **Every change goes through ``move``.** It refuses a change the pipeline
  (``orders.status.TRANSITIONS``) does not allow by raising ``IllegalTransition``, and writes
  the ``OrderStatusChange`` row (from, to, who, a note) in the caller's transaction.
  ``move`` and ``release_stock`` never commit: the caller owns the transaction.
* **Stock.** Checking, taking and giving back stock happen in one write transaction that
  holds the database's write lock from its first statement (``write_lock``: ``BEGIN
  IMMEDIATE`` on SQLite; callers take row locks with ``SELECT ... FOR UPDATE`` on
  PostgreSQL). Units go back on the shelf with an UPDATE relative to the current stock, never
  by writing a number read earlier.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import update

from jomso.accounts.models import User
from jomso.catalog.models import Product
from jomso.extensions import db
from jomso.orders.models import Order, OrderStatusChange, Payment
from jomso.orders.status import IllegalTransition, OrderStatus, can_move, label
from jomso.payments import PaymentResult

# Who made a change, in the timeline, when no staff member did.
CUSTOMER = "customer"
SYSTEM = "system"


@contextmanager
def write_lock() -> Iterator[None]:
    """One write transaction that holds the write lock from its first statement: ``BEGIN
    IMMEDIATE`` on SQLite (callers lock rows themselves on other databases). Commits at the
    end, rolls back on any exception. Whatever the session read before is committed first,
    so nothing read outside the lock is trusted inside it."""
    db.session.commit()
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def _actor_label(actor: User | None, default: str) -> str:
    return actor.email if actor is not None else default


def move(
    order: Order,
    target: OrderStatus,
    actor: User | None = None,
    note: str = "",
    default_actor: str = SYSTEM,
) -> None:
    """Change the status (inside the caller's transaction) and write the timeline row."""
    current = order.status
    if not can_move(current, target):
        raise IllegalTransition(
            _(
                "An order that is “%(current)s” cannot become “%(target)s”.",
                current=label(current),
                target=label(target),
            )
        )
    order.status = target
    order.changes.append(
        OrderStatusChange(
            from_status=current,
            to_status=target,
            actor_id=actor.id if actor is not None else None,
            actor_label=_actor_label(actor, default_actor),
            note=note,
        )
    )


def release_stock(order: Order, units: dict[int, int] | None = None) -> int:
    """Put the order's units back on the shelf (inside the caller's transaction): every unit
    not back yet, or ``units`` (order line id → how many), never more than a line has left.
    Each line counts what went back (``restocked_quantity``). Returns how many units went."""
    total = 0
    for line in order.lines:
        count = line.restockable if units is None else min(units.get(line.id, 0), line.restockable)
        if count <= 0:
            continue
        line.restocked_quantity += count
        total += count
        if line.product_id is not None:
            db.session.execute(
                update(Product)
                .where(Product.id == line.product_id)
                .values(stock=Product.stock + count)
                .execution_options(synchronize_session=False)
            )
    return total


def sale_payment(result: PaymentResult) -> Payment:
    """The record kept of an approved sale: its id, status, amount, card brand, last four."""
    return Payment(
        kind=Payment.SALE,
        transaction_id=result.transaction_id,
        status=result.status or "",
        amount_cents=result.amount_cents or 0,
        card_brand=result.card_brand or "",
        card_last4=result.card_last4 or "",
    )
