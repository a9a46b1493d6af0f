"""New-product announcements, sent: queueing one to confirmed subscribers, sending in
batches, and the delivery counts staff see.

Sending is restartable and never sends twice. Queueing writes one ``Delivery`` row per
confirmed subscriber (``UNIQUE(announcement_id, subscriber_id)``). A sender handles each row in
one transaction: it takes the row (``UPDATE ... WHERE state='pending'``, so a row another sender
took is left alone), queues its message in the mail queue (``jomso.mail``) and marks the row
``sent``, and commits: the message is queued exactly when the mark is. A sender that dies
leaves its current row ``pending``, with nothing queued, and the next run sends it.
``flask --app app send-announcements`` (run it from cron) and the staff page's buttons call
``send_pending``; the mail queue then delivers, with retries (failures show on the owner's
dashboard, not here).

Rows left in ``sending`` were taken by a sender of an earlier version, which committed the
taking and then spoke to the mail server itself: whether their message went out is unknown.
No run takes them again; staff choose for each announcement (``retry_interrupted``, warned that
some people may then get it twice, or ``cancel_remaining``).

Drafts and the email's content are ``composing.py``'s.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, insert, literal, or_, select, update
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
    db.session.execute(
        insert(Delivery).from_select(
            ["announcement_id", "subscriber_id", "state", "attempts"], confirmed
        )
    )
    # Counted, not taken from the INSERT's rowcount: psycopg reports -1 for INSERT ... SELECT
    # through SQLAlchemy, and a list of "-1" subscribers would be sent inside the request.
    count = db.session.scalar(
        select(func.count()).where(Delivery.announcement_id == announcement.id)
    )
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
    """Queue the messages of pending deliveries, in batches, until none is left (or
    ``max_batches`` ran).

    ``announcement_id`` limits the run to one announcement (the staff page's buttons).
    Subscribers who unsubscribed meanwhile are skipped. Each delivery is its own transaction
    (see the module's docstring).
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
        db.session.commit()  # end the read: each delivery's transaction starts by writing
        if not ids:
            break
        tried.update(ids)
        for delivery_id in ids:
            _deliver(delivery_id, report)
        report.batches += 1
    _finish_announcements()
    remaining = select(func.count()).where(Delivery.state == DeliveryState.PENDING)
    if announcement_id is not None:
        remaining = remaining.where(Delivery.announcement_id == announcement_id)
    report.remaining = db.session.scalar(remaining)
    if report.batches:
        log.info(
            "announcements: queued %d, failed %d, skipped %d in %d batches, %d pending",
            report.sent,
            report.failed,
            report.skipped,
            report.batches,
            report.remaining,
        )
    return report


def _deliver(delivery_id: int, report: SendReport) -> None:
    """Take one pending delivery and queue its message, in one transaction."""
    now = utcnow()
    taken = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.PENDING)
        .values(state=DeliveryState.SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # another sender has it
        db.session.rollback()
        return
    delivery = db.session.scalar(
        select(Delivery)
        .where(Delivery.id == delivery_id)
        .options(
            selectinload(Delivery.subscriber),
            selectinload(Delivery.announcement).selectinload(Announcement.products),
        )
        .execution_options(populate_existing=True)
    )
    report.announcements.add(delivery.announcement_id)
    subscriber = delivery.subscriber
    if subscriber is None or subscriber.status != SubscriberStatus.CONFIRMED:
        delivery.state = DeliveryState.SKIPPED
        report.skipped += 1
    else:
        try:
            send_announcement_mail(delivery.announcement, subscriber)
        except Exception:
            db.session.rollback()
            log.exception("announcement delivery %s: the message could not be made", delivery_id)
            db.session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.PENDING)
                .values(state=DeliveryState.FAILED, attempts=Delivery.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            report.failed += 1
            return
        delivery.state = DeliveryState.SENT
        delivery.sent_at = now
        report.sent += 1
    db.session.commit()


def send_announcement_mail(announcement: Announcement, subscriber: Subscriber) -> bool:
    """Queue one announcement to one subscriber (in the caller's transaction), with its own
    unsubscribe link and the ``List-Unsubscribe`` headers (RFC 2369 and RFC 8058 one-click)."""
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


# -- Interrupted deliveries: staff choose ----------------------------------------------------


def _interrupted(announcement: Announcement):
    stale = utcnow() - INTERRUPTED_AFTER
    return (
        Delivery.announcement_id == announcement.id,
        Delivery.state == DeliveryState.SENDING,
        Delivery.claimed_at < stale,
    )


def retry_interrupted(announcement: Announcement) -> int:
    """Make the announcement's interrupted deliveries pending again, so that the next run (or
    the "send now" button) sends them; returns how many. Staff choose this knowing that some
    of those messages may have gone out already: those people then get the email twice.
    Deliveries sent, skipped, failed or cancelled are never touched. Commits."""
    result = db.session.execute(
        update(Delivery)
        .where(*_interrupted(announcement))
        .values(state=DeliveryState.PENDING, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0
    if count:
        db.session.execute(
            update(Announcement)
            .where(Announcement.id == announcement.id)
            .values(status=AnnouncementStatus.SENDING, finished_at=None)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    db.session.refresh(announcement)
    log.warning(
        "announcement %s: %d interrupted deliveries to be sent again", announcement.id, count
    )
    return count


def cancel_remaining(announcement: Announcement) -> int:
    """Send nothing more of this announcement: its pending and interrupted deliveries become
    ``cancelled`` and it is finished; returns how many. Commits."""
    result = db.session.execute(
        update(Delivery)
        .where(
            Delivery.announcement_id == announcement.id,
            or_(Delivery.state == DeliveryState.PENDING, and_(*_interrupted(announcement))),
        )
        .values(state=DeliveryState.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0
    _finish_announcements()  # commits
    db.session.refresh(announcement)
    log.info("announcement %s: %d deliveries cancelled", announcement.id, count)
    return count


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
    cancelled: int = 0


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
        c.interrupted, c.failed, c.skipped, c.cancelled = (
            counter["interrupted"],
            counter["failed"],
            counter["skipped"],
            counter["cancelled"],
        )
        c.recipients = sum(counter.values())
    return counts
