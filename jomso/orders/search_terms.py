"""The words the staff order search finds an order by, kept beside the order.

An order's terms are the words of its billing and shipping names, its email and the SKU of
each line, each with the kind that says who may search it (``OrderSearchTerm``), and each
*folded*: lower case, accents removed, letters and digits only (so ``José O'Brien`` gives
``jose``, ``o``, ``brien``; ``gus@example.com`` gives ``gusexamplecom``; ``SKU-BOWL-2`` gives
``skubowl2``). A search folds what was typed the same
way and looks the terms up by prefix, which an index answers in a few steps whatever the
number of orders (see ``orders.order_list``).

Terms hold only letters and digits so that a prefix range (``term >= 'gus' AND term < 'gut'``)
means the same under any database collation.

The terms follow the order by themselves: before every flush, a new order, a new line, or a
change of the names or the email (the account's deletion anonymizes them) recomputes them, so
no service has to remember to.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from jomso.orders.models import Order, OrderLine, OrderSearchTerm

_WORD = re.compile(r"[^\W_]+")
MAX_TERM = 254
SEARCHED_FIELDS = ("email", "billing_name", "shipping_name")


def fold(text: str) -> str:
    """Lower case without accents (``É`` is ``e``, ``ß`` is ``ss``)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of ``text``: runs of letters and digits."""
    return _WORD.findall(fold(text))


def squashed(text: str) -> str:
    """``text`` folded with everything but letters and digits removed."""
    return "".join(words(text))[:MAX_TERM]


def terms_for(order: Order) -> dict[str, str]:
    """Each term of the order and its kind: ``order`` for the words of the shipping name and
    the SKUs (what everyone who sees orders may search), ``customer`` for the rest (words only
    in the billing name, the email: the customer record's)."""
    terms = {squashed(order.email): OrderSearchTerm.CUSTOMER}
    terms.update((word[:MAX_TERM], OrderSearchTerm.CUSTOMER) for word in words(order.billing_name))
    terms.update((word[:MAX_TERM], OrderSearchTerm.ORDER) for word in words(order.shipping_name))
    terms.update((squashed(line.sku), OrderSearchTerm.ORDER) for line in order.lines)
    terms.pop("", None)
    return terms


def refresh_terms(order: Order) -> None:
    """Make the order's terms match its fields: add the missing, remove the stale, change a
    kind in place (never a delete and insert of the same row, which one flush cannot order)."""
    wanted = terms_for(order)
    current = {row.term: row for row in order.search_terms}
    for term, row in current.items():
        if term not in wanted:
            order.search_terms.remove(row)
        elif row.kind != wanted[term]:
            row.kind = wanted[term]
    for term in sorted(wanted.keys() - current.keys()):
        order.search_terms.append(OrderSearchTerm(term=term, kind=wanted[term]))


def _changed(order: Order) -> bool:
    state = inspect(order)
    return any(state.attrs[name].history.has_changes() for name in SEARCHED_FIELDS)


@event.listens_for(Session, "before_flush")
def _keep_terms(session: Session, _context, _instances) -> None:
    orders: set[Order] = set()
    for obj in session.new:
        if isinstance(obj, Order):
            orders.add(obj)
        elif isinstance(obj, OrderLine) and obj.order is not None:
            orders.add(obj.order)
    for obj in session.dirty:
        if isinstance(obj, Order) and _changed(obj):
            orders.add(obj)
    for order in orders:
        if order not in session.deleted:
            refresh_terms(order)
