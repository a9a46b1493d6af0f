"""New-product announcements, sent: queueing one to confirmed subscribers, sending in
batches, and the delivery counts staff see.

Sending is restartable and never sends twice. Queueing writes one ``Delivery`` row per
confirmed subscriber (``UNIQUE(announcement_id, subscriber_id)``). A sender takes a batch by
moving its rows from ``pending`` to ``sending`` and committing, then sends each message and
marks it ``sent`` with its own commit. A sender that dies leaves at most the rows it had taken
in ``sending``; no later run takes them again (they are reported as interrupted), so a restart
can leave a message unsent but can never send one twice. ``flask --app app send-announcements``
(run it from cron) and the staff page's button both call ``send_pending``.

Drafts and the email's content are ``composing.py``'s.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.orm import selectinload

from jomso.catalog.models import Product
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import send_mail
from jomso.newsletter.composing import (
    AnnouncementRefused,
    _snapshot,
    announcement_context,
    confirmed_subscriber_count,
    list_unsubscribe_headers,
)
from jomso.newsletter.models import (
    Announcement,
    AnnouncementStatus,
    Delivery,
    DeliveryState,
    Subscriber,
    SubscriberStatus,
)
from jomso.newsletter.services import unsubscribe_link
from jomso.urls import shop_base_url, shop_request_context

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a message the mail server refuses is tried in this many runs
# A row still "sending" this long after it was taken belongs to a sender that died.
INTERRUPTED_AFTER = timedelta(minutes=30)


# -- Queueing and sending ---------------------------------------------------------------------


def queue_announcement(announcement: Announcement) -> int:
    """Send ``announcement`` to every subscriber confirmed now: one pending delivery each.

    Refused (``AnnouncementRefused``) when it holds no product that is still on sale, when
    there is nobody to send to, or when it was queued already (two clicks, two staff members:
    only one wins). Returns the number of recipients. Commits. The announcement keeps the
    shop address its links are made on (``base_url``, for the record; sending always uses the
    configured one, never the address of the staff member's request).
    """
    if announcement.status != AnnouncementStatus.DRAFT:
        raise AnnouncementRefused(_("This announcement was already sent."))
    on_sale = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(
                Product.id.in_([item.product_id for item in announcement.products]),
                Product.is_active,
            )
        )
    }
    products = [on_sale[i.product_id] for i in announcement.products if i.product_id in on_sale]
    if not products:
        raise AnnouncementRefused(
            _("None of the chosen products is on sale any more. Choose new products to announce.")
        )
    if confirmed_subscriber_count() == 0:
        raise AnnouncementRefused(
            _("Nobody has confirmed a subscription yet, so there is nobody to send this to.")
        )
    now = utcnow()
    taken = db.session.execute(
        update(Announcement)
        .where(Announcement.id == announcement.id, Announcement.status == AnnouncementStatus.DRAFT)
        .values(status=AnnouncementStatus.SENDING, queued_at=now, base_url=shop_base_url())
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        db.session.rollback()
        raise AnnouncementRefused(_("This announcement was already sent."))
    announcement.products = _snapshot(products)
    confirmed = select(
        literal(announcement.id), Subscriber.id, literal(str(DeliveryState.PENDING)), literal(0)
    ).where(Subscriber.status == SubscriberStatus.CONFIRMED)
    result = db.session.execute(
        insert(Delivery).from_select(
            ["announcement_id", "subscriber_id", "state", "attempts"], confirmed
        )
    )
    count = result.rowcount or 0
    db.session.execute(
        update(Announcement)
        .where(Announcement.id == announcement.id)
        .values(recipient_count=count)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(announcement)
    log.info("announcement %s queued for %d subscribers", announcement.id, count)
    return count


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    batches: int = 0
    remaining: int = 0  # still pending when the run ended
    announcements: set[int] = field(default_factory=set)


def send_pending(
    *,
    batch_size: int | None = None,
    max_batches: int | None = None,
    announcement_id: int | None = None,
) -> SendReport:
    """Send queued deliveries in batches until none is left (or ``max_batches`` ran).

    ``announcement_id`` limits the run to one announcement (the staff page's button). A
    message the mail server refuses goes back to pending and is tried again by a later run,
    up to ``MAX_ATTEMPTS`` runs in all; subscribers who unsubscribed meanwhile are skipped.
    """
    batch_size = batch_size or int(current_app.config["NEWSLETTER_BATCH_SIZE"])
    report = SendReport()
    tried: set[int] = set()
    while max_batches is None or report.batches < max_batches:
        query = select(Delivery.id).where(Delivery.state == DeliveryState.PENDING)
        if announcement_id is not None:
            query = query.where(Delivery.announcement_id == announcement_id)
        if tried:
            query = query.where(Delivery.id.not_in(tried))
        ids = list(db.session.scalars(query.order_by(Delivery.id).limit(batch_size)))
        if not ids:
            break
        tried.update(ids)
        claimed = _claim(ids)
        for delivery in _load(claimed):
            _deliver(delivery, report)
            db.session.commit()  # each message on its own: a crash loses at most one mark
        report.batches += 1
    _finish_announcements()
    remaining = select(func.count()).where(Delivery.state == DeliveryState.PENDING)
    if announcement_id is not None:
        remaining = remaining.where(Delivery.announcement_id == announcement_id)
    report.remaining = db.session.scalar(remaining)
    if report.batches:
        log.info(
            "announcements: sent %d, failed %d, skipped %d in %d batches, %d pending",
            report.sent,
            report.failed,
            report.skipped,
            report.batches,
            report.remaining,
        )
    return report


def _claim(ids: list[int]) -> list[int]:
    """Move these rows from pending to sending; returns those this sender got (another sender
    running at the same time gets the others). Committed before anything is sent."""
    now = utcnow()
    claimed = []
    for delivery_id in ids:
        result = db.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.PENDING)
            .values(state=DeliveryState.SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(delivery_id)
    db.session.commit()
    return claimed


def _load(ids: list[int]) -> list[Delivery]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.id.in_(ids))
            .options(
                selectinload(Delivery.subscriber),
                selectinload(Delivery.announcement).selectinload(Announcement.products),
            )
            .order_by(Delivery.id)
        )
    )


def _deliver(delivery: Delivery, report: SendReport) -> None:
    subscriber = delivery.subscriber
    report.announcements.add(delivery.announcement_id)
    if subscriber is None or subscriber.status != SubscriberStatus.CONFIRMED:
        delivery.state = DeliveryState.SKIPPED
        report.skipped += 1
        return
    if send_announcement_mail(delivery.announcement, subscriber):
        delivery.state = DeliveryState.SENT
        delivery.sent_at = utcnow()
        report.sent += 1
    elif delivery.attempts < MAX_ATTEMPTS:
        delivery.state = DeliveryState.PENDING  # the next run tries again
        report.failed += 1
    else:
        delivery.state = DeliveryState.FAILED
        report.failed += 1


def send_announcement_mail(announcement: Announcement, subscriber: Subscriber) -> bool:
    """One announcement to one subscriber, with its own unsubscribe link and the
    ``List-Unsubscribe`` headers (RFC 2369 and RFC 8058 one-click)."""
    with shop_request_context():
        unsubscribe_url = unsubscribe_link(subscriber)
        return send_mail(
            subscriber.email,
            announcement.subject,
            "announcement",
            headers=list_unsubscribe_headers(unsubscribe_url),
            **announcement_context(announcement, unsubscribe_url),
        )


def _finish_announcements() -> None:
    """Announcements with nothing left pending are sent."""
    waiting = select(Delivery.id).where(
        Delivery.announcement_id == Announcement.id, Delivery.state == DeliveryState.PENDING
    )
    db.session.execute(
        update(Announcement)
        .where(Announcement.status == AnnouncementStatus.SENDING, ~waiting.exists())
        .values(status=AnnouncementStatus.SENT, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# -- What staff see ---------------------------------------------------------------------------


@dataclass
class DeliveryCounts:
    recipients: int = 0
    sent: int = 0
    pending: int = 0
    sending: int = 0
    interrupted: int = 0
    failed: int = 0
    skipped: int = 0


def delivery_counts(announcement_ids: list[int]) -> dict[int, DeliveryCounts]:
    """Counts per state for each announcement (one query); never who the recipients are."""
    counts = {aid: DeliveryCounts() for aid in announcement_ids}
    if not announcement_ids:
        return counts
    stale = utcnow() - INTERRUPTED_AFTER
    rows = db.session.execute(
        select(
            Delivery.announcement_id,
            Delivery.state,
            (Delivery.claimed_at < stale).label("stale"),
            func.count(),
        )
        .where(Delivery.announcement_id.in_(announcement_ids))
        .group_by(Delivery.announcement_id, Delivery.state, "stale")
    ).all()
    tally: dict[int, Counter] = {aid: Counter() for aid in announcement_ids}
    for aid, state, is_stale, number in rows:
        key = "interrupted" if state == DeliveryState.SENDING and is_stale else state
        tally[aid][key] += number
    for aid, counter in tally.items():
        c = counts[aid]
        c.sent, c.pending, c.sending = counter["sent"], counter["pending"], counter["sending"]
        c.interrupted, c.failed, c.skipped = (
            counter["interrupted"],
            counter["failed"],
            counter["skipped"],
        )
        c.recipients = sum(counter.values())
    return counts
