"""New-product emails: the one subscriber list, announcements and their per-recipient deliveries.

Every opt-in (registration, the account profile, the contact form, the footer) becomes a
``Subscriber`` row, one per address. Only ``confirmed`` subscribers receive announcements; an
announcement gets one ``Delivery`` row per recipient, which is what makes sending restartable
without sending anything twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db


class SubscriberStatus(StrEnum):
    PENDING = "pending"  # asked, has not followed the confirmation link yet
    CONFIRMED = "confirmed"  # receives announcements
    UNSUBSCRIBED = "unsubscribed"


class SubscriberSource(StrEnum):
    REGISTRATION = "registration"
    ACCOUNT = "account"  # the profile page's box
    CONTACT_FORM = "contact_form"
    FOOTER = "footer"


class Subscriber(db.Model):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness holds regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=SubscriberStatus.PENDING, index=True)
    source: Mapped[str] = mapped_column(String(20))
    # The product the person was looking at when they asked (contact form), for product interest.
    source_product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    # The account that asked, when signed in; the address may also match an account's.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Random values signed into the links (see tokens.py): a new confirm nonce with each
    # request to subscribe (and none once used), one unsubscribe key for the row's life.
    confirm_nonce: Mapped[str | None] = mapped_column(String(32))
    unsubscribe_key: Mapped[str] = mapped_column(String(32))

    @property
    def is_confirmed(self) -> bool:
        return self.status == SubscriberStatus.CONFIRMED

    @property
    def is_active(self) -> bool:
        """Asked for the emails and has not withdrawn (confirmed or waiting to confirm)."""
        return self.status in (SubscriberStatus.PENDING, SubscriberStatus.CONFIRMED)


class AnnouncementStatus(StrEnum):
    DRAFT = "draft"
    SENDING = "sending"  # deliveries queued, some still pending
    SENT = "sent"


class Announcement(db.Model):
    """A new-product email: drafted, previewed, then queued to every confirmed subscriber."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=AnnouncementStatus.DRAFT, index=True)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The shop's address as the staff member reached it when sending ("https://shop.example/"),
    # so links built later by the command line point to the same place, with the same scheme.
    base_url: Mapped[str] = mapped_column(String(300), default="")
    recipient_count: Mapped[int] = mapped_column(default=0)

    products: Mapped[list[AnnouncementProduct]] = relationship(
        back_populates="announcement",
        cascade="all, delete-orphan",
        order_by="AnnouncementProduct.position",
    )


class AnnouncementProduct(db.Model):
    """A product in an announcement, copied as it was when sent (the email must not change
    if the product does)."""

    __tablename__ = "announcement_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220))
    price_cents: Mapped[int]
    image_key: Mapped[str | None] = mapped_column(String(64))

    announcement: Mapped[Announcement] = relationship(back_populates="products")


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its turn
    # Taken by a sender, only for the moment of its transaction. Rows committed so were left by
    # a sender of an earlier version that died: whether they went out is unknown.
    SENDING = "sending"
    SENT = "sent"  # its message is in the mail queue (jomso.mail), which delivers it
    FAILED = "failed"  # its message could not be made
    SKIPPED = "skipped"  # the subscriber unsubscribed before their turn
    CANCELLED = "cancelled"  # staff stopped the announcement before its turn


class Delivery(db.Model):
    """One announcement to one subscriber. The unique pair and the state machine make each
    message go out at most once, whatever the restarts."""

    __tablename__ = "announcement_deliveries"
    __table_args__ = (
        UniqueConstraint("announcement_id", "subscriber_id"),
        Index("ix_announcement_deliveries_state", "state", "announcement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    # Emptied when the subscriber row goes (account deleted, retention): the count stays.
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(20), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    announcement: Mapped[Announcement] = relationship()
    subscriber: Mapped[Subscriber | None] = relationship()
