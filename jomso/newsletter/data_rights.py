"""Subscriptions in a person's data export and erasure.

A person's subscription rows are those linked to their account and the rows for their proved
addresses (the account's once confirmed, a privacy request's): an opt-in given in the footer
before signing in, say. The export shows each with the announcements sent to it and the
choices recorded about it in the consent ledger (the proof of consent, and of its withdrawal,
whoever was signed in). An erasure deletes the rows, and with them those choices (``ON DELETE
CASCADE``); the delivery records stay, without a recipient, so the shop's counts stay right.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from jomso.consent.models import ConsentRecord
from jomso.extensions import db
from jomso.newsletter.models import Delivery
from jomso.newsletter.services import subject_subscriptions
from jomso.privacy.registry import (
    DataSubject,
    declare_not_exported,
    declare_not_personal,
    register_erasure,
    register_export_section,
    row_dict,
)


def _subscriptions_section(subject: DataSubject) -> list[dict[str, Any]]:
    rows = []
    for subscriber in subject_subscriptions(subject):
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
                consents=[row_dict(record) for record in _consents(subscriber.id)],
            )
        )
    return rows


def _consents(subscriber_id: int) -> list[ConsentRecord]:
    return list(
        db.session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.subscriber_id == subscriber_id)
            .order_by(ConsentRecord.created_at, ConsentRecord.id)
        )
    )


def _erase_subscriptions(subject: DataSubject) -> None:
    for subscriber in subject_subscriptions(subject):
        db.session.delete(subscriber)
    db.session.flush()


declare_not_exported("subscribers.confirm_nonce", "a random value signed into the emailed link")
declare_not_exported("subscribers.unsubscribe_key", "a random value signed into the emailed link")
declare_not_personal(
    "announcements",
    "author_id names the staff member who composed a new-product email: shop records",
)
register_export_section(
    "subscriptions",
    _subscriptions_section,
    tables=("subscribers", "announcement_deliveries", "consent_records"),
)
register_erasure(_erase_subscriptions)
