"""New-product announcements: drafting, queueing to confirmed subscribers, sending in batches.

Sending is restartable and never sends twice. Queueing writes one ``Delivery`` row per
confirmed subscriber (``UNIQUE(announcement_id, subscriber_id)``). A sender takes a batch by
moving its rows from ``pending`` to ``sending`` and committing, then sends each message and
marks it ``sent`` with its own commit. A sender that dies leaves at most the rows it had taken
in ``sending``; no later run takes them again (they are reported as interrupted), so a restart
can leave a message unsent but can never send one twice. ``flask --app app send-announcements``
(run it from cron) and the staff page's button both call ``send_pending``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.orm import selectinload

from jomso.accounts.models import User
from jomso.catalog.models import Product
from jomso.catalog.queries import first_image_key
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import build_message, send_mail
from jomso.newsletter.models import (
    Announcement,
    AnnouncementProduct,
    AnnouncementStatus,
    Delivery,
    DeliveryState,
    Subscriber,
    SubscriberStatus,
)
from jomso.newsletter.services import unsubscribe_link

log = logging.getLogger(__name__)

PREVIEW_TOKEN = "preview"  # noqa: S105 - the staff preview's dummy unsubscribe link
MAX_ATTEMPTS = 3  # a message the mail server refuses is tried in this many runs
MAX_CANDIDATES = 60  # products offered on the compose page, newest first
# A row still "sending" this long after it was taken belongs to a sender that died.
INTERRUPTED_AFTER = timedelta(minutes=30)


class AnnouncementRefused(Exception):
    """The announcement cannot be saved or sent; ``str(error)`` says why, for staff."""


# -- Composing --------------------------------------------------------------------------------


def last_announcement() -> Announcement | None:
    """The most recent announcement that was sent (or is being sent)."""
    return db.session.scalar(
        select(Announcement)
        .where(Announcement.queued_at.is_not(None))
        .order_by(Announcement.queued_at.desc())
        .limit(1)
    )


def candidates_since() -> datetime:
    """Products added after this moment are "new" for the next announcement: since the last
    one, or, before the first, those still carrying the "new" badge."""
    last = last_announcement()
    if last is not None:
        return last.queued_at
    return utcnow() - timedelta(days=int(current_app.config["NEW_PRODUCT_DAYS"]))


def candidate_products(limit: int = MAX_CANDIDATES) -> list[Product]:
    """Active products added since ``candidates_since()``, newest first."""
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.is_active, Product.created_at > candidates_since())
            .order_by(Product.created_at.desc(), Product.id.desc())
            .limit(limit)
        )
    )


def save_draft(
    announcement: Announcement | None,
    *,
    subject: str,
    intro: str,
    product_ids: list[int],
    author: User | None,
) -> Announcement:
    """Create or update a draft with the chosen products (copied as they are now). Raises
    ``AnnouncementRefused`` when no new product is chosen. Commits."""
    if announcement is not None and announcement.status != AnnouncementStatus.DRAFT:
        raise AnnouncementRefused(_("This announcement was already sent and can no longer change."))
    allowed = {product.id: product for product in candidate_products()}
    chosen = [allowed[pid] for pid in dict.fromkeys(product_ids) if pid in allowed]
    if not allowed:
        raise AnnouncementRefused(_("No products were added since the last announcement."))
    if not chosen:
        raise AnnouncementRefused(_("Choose at least one new product to announce."))
    if announcement is None:
        announcement = Announcement(author_id=author.id if author is not None else None)
        db.session.add(announcement)
    announcement.subject = subject
    announcement.intro = intro
    announcement.products = _snapshot(chosen)
    db.session.commit()
    log.info("announcement %s drafted with %d products", announcement.id, len(chosen))
    return announcement


def _snapshot(products: list[Product]) -> list[AnnouncementProduct]:
    keys = dict(
        db.session.execute(
            select(Product.id, first_image_key()).where(Product.id.in_([p.id for p in products]))
        ).all()
    )
    return [
        AnnouncementProduct(
            product_id=product.id,
            position=position,
            name=product.name,
            slug=product.slug,
            price_cents=product.price_cents,
            image_key=keys.get(product.id),
        )
        for position, product in enumerate(products)
    ]


def delete_draft(announcement: Announcement) -> None:
    if announcement.status != AnnouncementStatus.DRAFT:
        raise AnnouncementRefused(_("Only drafts can be deleted."))
    db.session.delete(announcement)
    db.session.commit()


def confirmed_subscriber_count() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Subscriber)
        .where(Subscriber.status == SubscriberStatus.CONFIRMED)
    )


# -- Queueing and sending ---------------------------------------------------------------------


def queue_announcement(announcement: Announcement, base_url: str) -> int:
    """Send ``announcement`` to every subscriber confirmed now: one pending delivery each.

    Refused (``AnnouncementRefused``) when it holds no product that is still on sale, when
    there is nobody to send to, or when it was queued already (two clicks, two staff members:
    only one wins). Returns the number of recipients. Commits.
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
        .values(status=AnnouncementStatus.SENDING, queued_at=now, base_url=base_url)
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
    with current_app.test_request_context("/", base_url=announcement.base_url or None):
        unsubscribe_url = unsubscribe_link(subscriber)
        return send_mail(
            subscriber.email,
            announcement.subject,
            "announcement",
            headers=list_unsubscribe_headers(unsubscribe_url),
            **announcement_context(announcement, unsubscribe_url),
        )


def preview_message(announcement: Announcement) -> EmailMessage:
    """The announcement as a subscriber would get it, for the staff preview (its unsubscribe
    link is a dummy that opens the "link does not work" page)."""
    unsubscribe_url = url_for("newsletter.unsubscribe", token=PREVIEW_TOKEN, _external=True)
    return build_message(
        "subscriber@example.com",
        announcement.subject,
        "announcement",
        headers=list_unsubscribe_headers(unsubscribe_url),
        **announcement_context(announcement, unsubscribe_url),
    )


def list_unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def announcement_context(announcement: Announcement, unsubscribe_url: str) -> dict:
    """What the announcement templates show (also used by the staff preview)."""
    products = [
        {
            "name": item.name,
            "price_cents": item.price_cents,
            "url": url_for("catalog.product_detail", slug=item.slug, _external=True),
            "image_url": url_for(
                "catalog.product_image", key=item.image_key, size=320, _external=True
            )
            if item.image_key
            else None,
        }
        for item in announcement.products
    ]
    return {
        "announcement": announcement,
        "products": products,
        "unsubscribe_url": unsubscribe_url,
        "shop_url": url_for("catalog.home", _external=True),
    }


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
