"""New-product announcements, before they are sent: choosing the products added since the last
one, saving and deleting drafts, and the email as subscribers will read it (for the staff
preview, and for ``sending.py`` to send).

A draft holds a copy of its products (name, slug, price, first picture) made when it is
saved; queueing makes the copy again (see ``sending.py``). Only drafts change or are deleted.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from jomso.accounts.models import User
from jomso.catalog.models import Product
from jomso.catalog.queries import first_image_key
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import build_message, parse_message
from jomso.newsletter.models import (
    Announcement,
    AnnouncementProduct,
    AnnouncementStatus,
    Subscriber,
    SubscriberStatus,
)
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)

PREVIEW_TOKEN = "preview"  # noqa: S105 - the staff preview's dummy unsubscribe link
MAX_CANDIDATES = 60  # products offered on the compose page, newest first


class AnnouncementRefused(Exception):
    """The announcement cannot be saved or sent; ``str(error)`` says why, for staff."""


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


def draft_problems(product_ids: list[int], allowed: dict | None = None) -> list[str]:
    """Why these products cannot make a draft (none new since the last announcement, or none
    of them chosen); empty when they can. ``allowed``: ``candidate_products()`` by id."""
    if allowed is None:
        allowed = {product.id: product for product in candidate_products()}
    if not allowed:
        return [_("No products were added since the last announcement.")]
    if not any(pid in allowed for pid in product_ids):
        return [_("Choose at least one new product to announce.")]
    return []


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
    problems = draft_problems(product_ids, allowed)
    if problems:
        raise AnnouncementRefused(problems[0])
    chosen = [allowed[pid] for pid in dict.fromkeys(product_ids) if pid in allowed]
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


# -- The email ----------------------------------------------------------------------------------


def preview_message(announcement: Announcement) -> EmailMessage:
    """The announcement as a subscriber would get it, for the staff preview (its unsubscribe
    link is a dummy that opens the "link does not work" page)."""
    unsubscribe_url = shop_url_for("newsletter.unsubscribe", token=PREVIEW_TOKEN)
    raw = build_message(
        "subscriber@example.com",
        announcement.subject,
        "announcement",
        headers=list_unsubscribe_headers(unsubscribe_url),
        **announcement_context(announcement, unsubscribe_url),
    )
    return parse_message(raw)


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
            "url": shop_url_for("catalog.product_detail", slug=item.slug),
            "image_url": shop_url_for("catalog.product_image", key=item.image_key, size=320)
            if item.image_key
            else None,
        }
        for item in announcement.products
    ]
    return {
        "announcement": announcement,
        "products": products,
        "unsubscribe_url": unsubscribe_url,
        "shop_url": shop_url_for("catalog.home"),
    }
