"""The orders' retention rules (``jomso.privacy.retention``, applied by ``purge``).

Orders are the shop's books: they keep their personal fields for ORDER_KEEP_YEARS after the
end of the year of their last change (the accounting period; 10 years by default), then are
anonymised as a deleted account's orders are (``data_rights.anonymize_order``: their staff
notes are deleted): lines, totals, payments and the country stay for the figures. An order
whose payment failed is no record of a sale: it is anonymised FAILED_ORDER_KEEP_DAYS after its
last change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from jomso.extensions import db
from jomso.orders.data_rights import anonymize_order
from jomso.orders.models import Order
from jomso.orders.status import OrderStatus
from jomso.privacy.retention import Action, retention_rule

_BATCH = 500


def _anonymize_where(now: datetime, *conditions) -> int:
    done = 0
    while True:
        batch = db.session.scalars(
            select(Order).where(Order.anonymized_at.is_(None), *conditions).limit(_BATCH)
        ).all()
        if not batch:
            return done
        for order in batch:
            anonymize_order(order, now)
        db.session.commit()
        done += len(batch)


def accounting_cutoff(now: datetime, years: int) -> datetime:
    """Orders last changed before this have been kept ``years`` full years after the end of
    their year: 1 January of ``now``'s year minus ``years``."""
    return datetime(now.year - years, 1, 1, tzinfo=UTC)


@retention_rule(
    "orders: anonymised after the accounting period",
    data=_l(
        "Orders and their invoices and credit notes: your name, email address, phone number "
        "and addresses on them, and the shop staff's internal notes about them (deleted)"
    ),
    tables=(
        "orders",
        "order_lines",
        "order_status_changes",
        "order_notes",
        "payments",
        "payment_events",
        "shipments",
        "shipment_lines",
        "order_tax_lines",
        "invoices",
        "credit_notes",
        "credit_note_tax_lines",
    ),
    action=Action.ANONYMIZE,
    setting="ORDER_KEEP_YEARS",
    unit="years",
    starts=_l("after the end of the year of the order's last change (for the books)"),
)
def anonymize_old_orders(now: datetime) -> int:
    cutoff = accounting_cutoff(now, int(current_app.config["ORDER_KEEP_YEARS"]))
    return _anonymize_where(now, Order.updated_at < cutoff)


@retention_rule(
    "orders: failed payments anonymised",
    data=_l("Orders whose payment failed"),
    tables=("orders",),
    action=Action.ANONYMIZE,
    setting="FAILED_ORDER_KEEP_DAYS",
    starts=_l("after the failed payment"),
)
def anonymize_failed_orders(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["FAILED_ORDER_KEEP_DAYS"]))
    return _anonymize_where(
        now, Order.status == OrderStatus.PAYMENT_FAILED, Order.updated_at < cutoff
    )
