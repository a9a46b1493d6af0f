"""Changing an order's status, and what the order services share to do it: the write lock,
the timeline row, putting stock back, the payment record of a sale.

Used by ``orders.placing``, ``orders.reconciling`` and ``orders.fulfilment``; imports none of
them. Two rules hold here:

* **Every change goes through ``move``.** It refuses a change the pipeline
  (``orders.status.TRANSITIONS``) does not allow by raising ``IllegalTransition``
  (``check_move``), and writes the ``OrderStatusChange`` row (from, to, who, a note) in the
  caller's transaction. ``move`` and ``release_stock`` never commit: the caller owns the
  transaction. The one exception is the checkout's new order becoming paid: its rows are
  written with Core statements (``new_rows.record_sale``), after the same check, with the
  same timeline row.
* **Stock.** Checking, taking and giving back stock happen in one write transaction that
  holds the database's write lock from its first statement (``write_lock``: ``BEGIN
  IMMEDIATE`` on SQLite; row locks on PostgreSQL). Units go back on the shelf with an UPDATE
  relative to the current stock, never by writing a number read earlier.
* **Lock order.** Where PostgreSQL's row locks are taken, they are taken in one order, so
  that two transactions never wait for each other: the order's row first (``lock_order``),
  then the variants' rows by ascending id, then their products' rows by ascending id (their
  stock totals follow), all of them before the first is changed (``lock_variants``), then a
  discount code's row when an order placed uses one (``placing``), and
  the catalog revision last, when the transaction commits (a
  deferred trigger, ``jomso.catalog.page_cache``). On SQLite the write lock is the
  database's own, taken at once, and these are plain reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from jomso.accounts.models import User
from jomso.catalog.models import Product, ProductVariant
from jomso.catalog.restock import note_restocked
from jomso.catalog.variants import refresh_stock_totals
from jomso.database import commit_keeping_loaded
from jomso.extensions import db
from jomso.orders.models import Order, OrderStatusChange, Payment
from jomso.orders.status import IllegalTransition, OrderStatus, can_move, label
from jomso.payments import PaymentResult

# Who made a change, in the timeline, when no staff member did.
CUSTOMER = "customer"
SYSTEM = "system"


@contextmanager
def write_lock(keep_loaded: bool = False) -> Iterator[None]:
    """One write transaction that holds the write lock from its first statement: ``BEGIN
    IMMEDIATE`` on SQLite (callers lock rows themselves on other databases). Commits at the
    end, rolls back on any exception. Whatever the session read before is committed first,
    so nothing read outside the lock is trusted inside it. A commit that fails (a unique
    key taken by a parallel request) rolls back too, so the session can read again.
    ``keep_loaded``: the closing commit keeps what the transaction wrote loaded
    (``commit_keeping_loaded``)."""
    db.session.commit()
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
        if keep_loaded:
            commit_keeping_loaded()
        else:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def lock_order(number: str) -> Order:
    """The order read again under its row lock (``FOR NO KEY UPDATE`` on PostgreSQL: rows
    that refer to it can still be added), inside ``write_lock``: the first lock taken."""
    return db.session.scalar(
        select(Order)
        .where(Order.number == number)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


def _locking(model):
    """The rows of ``model`` with the ids ``ids``, read again under their row locks, taken by
    ascending id."""
    return (
        select(model)
        .where(model.id.in_(bindparam("ids", expanding=True)))
        .order_by(model.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


# Built once: building a statement (and its cache key) costs about as much as running it.
_LOCK_VARIANTS, _LOCK_PRODUCTS = _locking(ProductVariant), _locking(Product)


def lock_variants(variant_ids: Iterable[int]) -> list[ProductVariant]:
    """The variants read again under their row locks, taken by ascending id (the order every
    transaction that locks several variants keeps), then their products' rows, by ascending
    id (their stock totals change with them), inside ``write_lock``. Each variant comes with
    its product loaded."""
    variants = list(db.session.scalars(_LOCK_VARIANTS, {"ids": sorted(set(variant_ids))}))
    product_ids = sorted({variant.product_id for variant in variants})
    if product_ids:
        products = {
            product.id: product
            for product in db.session.scalars(_LOCK_PRODUCTS, {"ids": product_ids})
        }
        # Each variant holds its product (the session's identity map holds objects weakly:
        # a product nothing refers to would be gone, and read again at ``variant.product``).
        for variant in variants:
            set_committed_value(variant, "product", products[variant.product_id])
    return variants


def _actor_label(actor: User | None, default: str) -> str:
    return actor.email if actor is not None else default


def check_move(current: OrderStatus, target: OrderStatus) -> None:
    """Raise ``IllegalTransition`` unless an order that is ``current`` may become ``target``."""
    if not can_move(current, target):
        raise IllegalTransition(
            _(
                "An order that is “%(current)s” cannot become “%(target)s”.",
                current=label(current),
                target=label(target),
            )
        )


def move(
    order: Order,
    target: OrderStatus,
    actor: User | None = None,
    note: str = "",
    default_actor: str = SYSTEM,
) -> None:
    """Change the status (inside the caller's transaction) and write the timeline row."""
    current = order.status
    check_move(current, target)
    order.status = target
    # Added beside the order rather than appended to ``order.changes``: that would load every
    # earlier change of the order first (a query in every checkout and staff action).
    db.session.add(
        OrderStatusChange(
            order=order,
            from_status=current,
            to_status=target,
            actor_id=actor.id if actor is not None else None,
            actor_label=_actor_label(actor, default_actor),
            note=note,
        )
    )


def release_stock(order: Order, units: dict[int, int] | None = None) -> int:
    """Put the order's units back on the shelf (inside the caller's ``write_lock``, after
    ``lock_order``): every unit not back yet, or ``units`` (order line id → how many), never
    more than a line has left. Every variant row is locked first, by ascending id, then
    changed, then the products' stock totals. Each line counts what went back
    (``restocked_quantity``). Returns how many units went."""
    counts: dict[int, int] = {}
    for line in order.lines:
        count = line.restockable if units is None else min(units.get(line.id, 0), line.restockable)
        if count > 0:
            counts[line.id] = count
    quantities = Counter()
    for line in order.lines:
        if line.id in counts and line.variant_id is not None:
            quantities[line.variant_id] += counts[line.id]
    variants = lock_variants(quantities)
    # Sold out until now: their "email me when it is back" requests are told at commit.
    note_restocked(db.session, [v.id for v in variants if v.stock <= 0])
    for line in order.lines:
        line.restocked_quantity += counts.get(line.id, 0)
    for variant_id in sorted(quantities):
        db.session.execute(
            update(ProductVariant)
            .where(ProductVariant.id == variant_id)
            .values(stock=ProductVariant.stock + quantities[variant_id])
            .execution_options(synchronize_session=False)
        )
    refresh_stock_totals(variant.product_id for variant in variants)
    return sum(counts.values())


def sale_values(result: PaymentResult) -> dict:
    """The columns of the record kept of an approved sale: its id, status, amount, card brand,
    last four."""
    return {
        "kind": Payment.SALE,
        "transaction_id": result.transaction_id,
        "status": result.status or "",
        "amount_cents": result.amount_cents or 0,
        "card_brand": result.card_brand or "",
        "card_last4": result.card_last4 or "",
    }


def sale_payment(result: PaymentResult) -> Payment:
    """The record kept of an approved sale, as a new row of the session."""
    return Payment(**sale_values(result))
