"""Order tools for staff: internal notes on an order, sending the confirmation or shipping
email again, and the staff timeline that shows both among the status changes.

Notes are for staff only: the customer's page, emails and invoices never show them. Sending an
email again writes a note too ("Shipping email sent again"), so the timeline says who sent
what and when. Each service commits what it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.orders import emails
from jomso.orders.fulfilment import ActionResult
from jomso.orders.models import Order, OrderNote, OrderStatusChange
from jomso.orders.status import PLACED_STATUSES, SHIPPED_STATUSES, OrderStatus

MAX_NOTE = 2000
# Orders whose confirmation the customer got (paid and on): not while the payment is unknown,
# nor once cancelled.
CONFIRMED_STATUSES = PLACED_STATUSES - {OrderStatus.PAYMENT_UNKNOWN, OrderStatus.CANCELLED}
CONFIRMATION = "confirmation"
SHIPPING = "shipping"


def add_note(order: Order, body: str, actor: User) -> OrderNote:
    """An internal note by ``actor`` on the order's timeline."""
    note = OrderNote(author_id=actor.id, author_label=actor.email, body=body.strip()[:MAX_NOTE])
    order.notes.append(note)
    db.session.commit()
    return note


def resendable(order: Order) -> list[str]:
    """Which emails can be sent again now: the confirmation of a placed order, the shipping
    email of a shipped one; none once the customer's details were erased."""
    if order.anonymized_at is not None:
        return []
    found = []
    if order.status in CONFIRMED_STATUSES:
        found.append(CONFIRMATION)
    if order.status in SHIPPED_STATUSES | {OrderStatus.PARTIALLY_SHIPPED} and order.tracking_number:
        found.append(SHIPPING)
    return found


def resend(order: Order, which: str, actor: User) -> ActionResult:
    """Queue the email again to the order's address and note it on the timeline."""
    if which not in resendable(order):
        return ActionResult(False, _("This email cannot be sent again for this order now."))
    if which == CONFIRMATION:
        emails.send_confirmation(order)
        body = _("Confirmation email sent again.")
    else:
        emails.send_shipped(order)
        body = _("Shipping email sent again.")
    order.notes.append(OrderNote(author_id=actor.id, author_label=actor.email, body=body))
    db.session.commit()  # the email is queued exactly when the note is kept
    return ActionResult(True, _("%(what)s It is on its way to the customer.", what=body))


@dataclass(frozen=True)
class TimelineEntry:
    """A status change or a note, for the staff timeline."""

    at: datetime
    change: OrderStatusChange | None = None
    note: OrderNote | None = None


def staff_timeline(order: Order) -> list[TimelineEntry]:
    """Status changes and notes together, newest first."""
    entries = [TimelineEntry(c.created_at, change=c) for c in order.changes]
    entries += [TimelineEntry(n.created_at, note=n) for n in order.notes]
    return sorted(entries, key=lambda e: (e.at, e.note is not None), reverse=True)
