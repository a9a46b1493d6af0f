"""Enquiries sent through the contact form, and the replies staff sent from the back office."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db


class Topic(StrEnum):
    QUESTION = "question"
    FEEDBACK = "feedback"
    PRODUCT = "product"
    ORDER = "order"


TOPIC_LABELS = {
    Topic.QUESTION: _l("A question"),
    Topic.FEEDBACK: _l("Feedback"),
    Topic.PRODUCT: _l("About a product"),
    Topic.ORDER: _l("About an order"),
}


class EnquiryStatus(StrEnum):
    NEW = "new"
    ANSWERED = "answered"
    CLOSED = "closed"


STATUS_LABELS = {
    EnquiryStatus.NEW: _l("New"),
    EnquiryStatus.ANSWERED: _l("Answered"),
    EnquiryStatus.CLOSED: _l("Closed"),
}


class Enquiry(db.Model):
    __tablename__ = "enquiries"
    __table_args__ = (Index("ix_enquiries_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Last reply, close or reopen.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default=EnquiryStatus.NEW)
    topic: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), index=True)  # lower-cased
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    # The product's name when asked, kept should the product be renamed or deleted.
    product_name: Mapped[str | None] = mapped_column(String(200))
    order_number: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    # The account that sent it, when signed in.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Set when the sender's personal data was removed (account deleted, retention).
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    product = relationship("Product")
    replies: Mapped[list[EnquiryReply]] = relationship(
        back_populates="enquiry",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EnquiryReply.created_at",
    )

    @property
    def topic_label(self) -> str:
        try:
            return str(TOPIC_LABELS[Topic(self.topic)])
        except ValueError:
            return self.topic

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(EnquiryStatus(self.status), self.status))

    @property
    def reference(self) -> str:
        return f"#{self.id}"


class EnquiryReply(db.Model):
    """A reply emailed to the enquirer from the enquiry's page."""

    __tablename__ = "enquiry_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(
        ForeignKey("enquiries.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The staff member who answered (the email itself comes from the shop).
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)

    enquiry: Mapped[Enquiry] = relationship(back_populates="replies")
    author = relationship("User")
