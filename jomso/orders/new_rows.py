"""A new order's rows written with Core statements, then put into the request's ORM session as
if a query had loaded them (``jomso.attached_rows``).

The checkout writes the order, its lines, its tax lines, its first status change and its
search terms in its locked transaction (``placing._reserve``). Through the ORM's unit of work
(an object per row, their relationships cascaded and sorted at the flush) that was the
largest single part of placing an order. Here each table gets one statement built once; the
lines and tax lines come back with their ids in order (``sort_by_parameter_order``:
SQLAlchemy sends a row at a time where a batch could not keep it), the search terms go in
one ``executemany``. Placing an order runs about 9% fewer instructions (47.5 million against
52.2 under callgrind, two runs each). The order then behaves as one just read: its collections
are known (none is read), its invoice is added through the ORM, and it stays loaded past the
commit (``commit_keeping_loaded``).

When the card is approved, the order becomes paid the same way (``record_sale``): its
status and the sale's payment and timeline rows, each by one statement built once, after the
check ``move`` makes (``transitions.check_move``). Through the ORM, the flush before the
invoice's number took 3 to 4 ms of a 20 ms checkout; this way placing an order runs 39.2
million instructions instead of 43.7 (callgrind), and under gunicorn its POST took 22.3 ms at
the median against 24.7 (``bench_checkout_versions.py``, 150 orders each, lower in each of 5
parts).

The flush hooks do not see these rows, so what they do is done here: a new order's search
terms (``search_terms.terms_for``; a status is not searched); once it is paid,
``signals.new_order_paid`` tells the sales figures, which forget the day it was placed as their
flush hook does for an order that starts counting. Columns left out of the values get their
defaults, as with the ORM.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value

from jomso import attached_rows
from jomso.database import utcnow
from jomso.extensions import db
from jomso.orders.models import (
    Order,
    OrderLine,
    OrderSearchTerm,
    OrderStatusChange,
    OrderTaxLine,
    Payment,
)
from jomso.orders.search_terms import terms_for
from jomso.orders.signals import new_order_paid
from jomso.orders.status import OrderStatus
from jomso.orders.transitions import CUSTOMER, check_move


def _returning_all(model, many: bool = False):
    table = model.__table__
    return insert(table).returning(*table.c, sort_by_parameter_order=many)


# Built once: building a statement costs about as much as running it.
_ORDER = _returning_all(Order)
_LINES = _returning_all(OrderLine, many=True)
_TAX_LINES = _returning_all(OrderTaxLine, many=True)
_CHANGE = _returning_all(OrderStatusChange)
_TERMS = insert(OrderSearchTerm.__table__)
_PAYMENT = _returning_all(Payment)
# The columns to set are the parameters' other names (status, updated_at).
_STATUS = update(Order.__table__).where(Order.__table__.c.id == bindparam("order_row"))

# The order's collections a new order has nothing in.
_EMPTY = ("payments", "events", "notes", "shipments")


def insert_order(
    values: dict, lines: list[dict], tax_lines: list[dict], first_change: dict
) -> Order:
    """Write a new order (``values``: its columns) with its ``lines``, ``tax_lines`` and
    ``first_change`` (each without ``order_id``) and its search terms, in the session's
    transaction; return the order as loaded, its lines, tax lines and timeline with it."""
    session = db.session()
    (order,) = _inserted(session, _ORDER, Order, [values])
    children = {"order_id": order.id}
    loaded_lines = _inserted(session, _LINES, OrderLine, [{**line, **children} for line in lines])
    taxes = _inserted(session, _TAX_LINES, OrderTaxLine, [{**t, **children} for t in tax_lines])
    changes = _inserted(session, _CHANGE, OrderStatusChange, [{**first_change, **children}])
    for name, rows in (("lines", loaded_lines), ("tax_lines", taxes), ("changes", changes)):
        set_committed_value(order, name, rows)
        for row in rows:
            set_committed_value(row, "order", order)
    for name in _EMPTY:
        set_committed_value(order, name, [])
    set_committed_value(order, "invoice", None)
    terms = [
        {"order_id": order.id, "term": term, "kind": kind}
        for term, kind in sorted(terms_for(order).items())
    ]
    if terms:
        session.execute(_TERMS, terms)
    set_committed_value(
        order,
        "search_terms",
        [_loaded(session, OrderSearchTerm, term) for term in terms],
    )
    return order


def _inserted(session, statement, model, rows: list[dict]) -> list:
    """The rows written by ``statement`` (one, or many in one ``executemany``), as loaded."""
    if not rows:
        return []
    result = session.execute(statement, rows[0] if len(rows) == 1 else rows)
    return [_loaded(session, model, row) for row in result.mappings()]


def _loaded(session, model, row):
    return attached_rows.attach(session, attached_rows.detached(model, row, ""))


def record_sale(order: Order, sale: dict) -> None:
    """The order written by ``insert_order`` paid by the customer: its status, the ``sale``
    (a payment's columns, ``transitions.sale_values``) and the timeline row written in the
    session's transaction, as ``move`` and the ORM would write them; the order, its payments
    and timeline kept as loaded. Sends ``signals.new_order_paid`` (the sales figures)."""
    session = db.session()
    current, target = order.status, OrderStatus.PAID
    check_move(current, target)
    now = utcnow()
    session.execute(_STATUS, {"order_row": order.id, "status": target, "updated_at": now})
    set_committed_value(order, "status", target)
    set_committed_value(order, "updated_at", now)
    (payment,) = _inserted(session, _PAYMENT, Payment, [{**sale, "order_id": order.id}])
    change = {"from_status": current, "to_status": target, "actor_label": CUSTOMER}
    (changed,) = _inserted(session, _CHANGE, OrderStatusChange, [{**change, "order_id": order.id}])
    for name, row in (("payments", payment), ("changes", changed)):
        set_committed_value(row, "order", order)
        if name in order.__dict__:  # known (the order's collections are, once inserted)
            set_committed_value(order, name, [*order.__dict__[name], row])
    new_order_paid.send(current_app._get_current_object(), order=order)
