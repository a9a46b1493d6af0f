"""Subscriptions in the customer's data export and account deletion.

A customer's subscription rows are those linked to the account and, once its address is
confirmed, the row for that address (an opt-in given in the footer before signing in, say).
The export shows each with the announcements sent to it; deleting the account deletes the
rows. The delivery records stay, without a recipient, so the shop's counts stay right.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.newsletter.models import Delivery
from jomso.newsletter.services import account_subscriptions
from jomso.privacy.registry import (
    declare_not_exported,
    declare_not_personal,
    register_erasure,
    register_export_section,
    row_dict,
)


def _subscriptions_section(user: User) -> list[dict[str, Any]]:
    rows = []
    for subscriber in account_subscriptions(user):
        deliveries = db.session.scalars(
            select(Delivery)
            .where(Delivery.subscriber_id == subscriber.id)
            .options(selectinload(Delivery.announcement))
            .order_by(Delivery.id)
        )
        rows.append(
            row_dict(
                subscriber,
                emails=[
                    row_dict(d, announcement_subject=d.announcement.subject) for d in deliveries
                ],
            )
        )
    return rows


def _erase_subscriptions(user: User) -> None:
    for subscriber in account_subscriptions(user):
        db.session.delete(subscriber)
    db.session.flush()


declare_not_exported("subscribers.confirm_nonce", "a random value signed into the emailed link")
declare_not_exported("subscribers.unsubscribe_key", "a random value signed into the emailed link")
declare_not_personal(
    "announcements",
    "author_id names the staff member who composed a new-product email: shop records",
)
register_export_section(
    "subscriptions", _subscriptions_section, tables=("subscribers", "announcement_deliveries")
)
register_erasure(_erase_subscriptions)
