"""Enquiries: receiving them from the contact form, answering, closing, finding them.

Services commit, and queue the emails that go with each step in the same transaction. Logs
carry enquiry ids only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from jomso.accounts.models import User
from jomso.catalog.models import Product
from jomso.contact.models import Enquiry, EnquiryReply, EnquiryStatus
from jomso.database import utcnow
from jomso.extensions import db
from jomso.i18n import mail_language
from jomso.mail import send_mail
from jomso.privacy.registry import DataSubject
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)

# A shop with at most this many products on sale offers them in a list on the contact form;
# a larger one relies on "Ask about this product" from the product's page.
PRODUCT_CHOICES_MAX = 150


@dataclass
class EnquiryData:
    """What the contact form collected, validated and normalised."""

    name: str
    email: str  # normalised
    topic: str
    message: str
    phone: str | None = None  # E.164
    product: Product | None = None
    order_number: str | None = None
    newsletter: bool = False
    user: User | None = None  # the signed-in account sending it


def active_product(slug: str | None) -> Product | None:
    if not slug:
        return None
    return db.session.scalar(select(Product).where(Product.slug == slug, Product.is_active))


def product_choices() -> list[tuple[str, str]] | None:
    """(slug, name) of the products on sale for the form's list, or None in a large shop."""
    rows = db.session.execute(
        select(Product.slug, Product.name)
        .where(Product.is_active)
        .order_by(Product.name)
        .limit(PRODUCT_CHOICES_MAX + 1)
    ).all()
    if len(rows) > PRODUCT_CHOICES_MAX:
        return None
    return [(slug, name) for slug, name in rows]


def submit_enquiry(data: EnquiryData) -> Enquiry:
    """Store the enquiry, acknowledge it to the sender, tell the shop, and, when the sender
    ticked the box, start their new-product emails (a consent of its own). Commits."""
    from jomso.newsletter.models import SubscriberSource
    from jomso.newsletter.services import subscribe

    enquiry = Enquiry(
        status=EnquiryStatus.NEW,
        topic=data.topic,
        name=data.name,
        email=data.email,
        phone=data.phone,
        product_id=data.product.id if data.product else None,
        product_name=data.product.name if data.product else None,
        order_number=data.order_number or None,
        message=data.message,
        user_id=data.user.id if data.user is not None else None,
    )
    db.session.add(enquiry)
    db.session.flush()  # its id makes the reference
    _acknowledge(enquiry)
    with mail_language():  # the shop's default, not the staff member's
        send_mail(
            _shop_address(),
            _("New enquiry %(ref)s: %(topic)s", ref=enquiry.reference, topic=enquiry.topic_label),
            "enquiry_new_staff",
            enquiry=enquiry,
            link=shop_url_for("enquiries.enquiry_detail", enquiry_id=enquiry.id),
        )
    db.session.commit()
    log.info("enquiry %s received (%s)", enquiry.id, enquiry.topic)
    if data.newsletter:
        own = data.user if data.user is not None and data.user.email == data.email else None
        subscribe(
            data.email,
            SubscriberSource.CONTACT_FORM,
            user=own,
            product_id=enquiry.product_id,
        )
    return enquiry


def _shop_address() -> str:
    return current_app.config["SHOP_EMAIL"]


def _acknowledge(enquiry: Enquiry) -> bool:
    # The acknowledgement does not repeat the message, nor greet with the name typed: the form
    # must not become a way to send any text to any address under the shop's name.
    return send_mail(
        enquiry.email,
        _("We received your message (%(ref)s)", ref=enquiry.reference),
        "enquiry_received",
        enquiry=enquiry,
    )


def reply(enquiry: Enquiry, body: str, author: User) -> EnquiryReply:
    """Email ``body`` to the enquirer from the shop, keep it with the enquiry and mark the
    enquiry answered, in one transaction: the reply is kept exactly when its email is queued.
    (A mail server that refuses it for good shows on the owner's dashboard.)"""
    with mail_language():  # the shop's default, not the staff member's
        send_mail(
            enquiry.email,
            _("Re: your message to %(shop)s (%(ref)s)", shop=_shop_name(), ref=enquiry.reference),
            "enquiry_reply",
            reply_to=_shop_address(),
            enquiry=enquiry,
            body=body,
        )
    record = EnquiryReply(enquiry=enquiry, body=body, author_id=author.id)
    db.session.add(record)
    enquiry.status = EnquiryStatus.ANSWERED
    enquiry.updated_at = utcnow()
    db.session.commit()
    log.info("enquiry %s answered by account %s", enquiry.id, author.id)
    return record


def _shop_name() -> str:
    return current_app.config["SHOP_NAME"]


def close(enquiry: Enquiry) -> None:
    enquiry.status = EnquiryStatus.CLOSED
    enquiry.updated_at = utcnow()
    db.session.commit()


def reopen(enquiry: Enquiry) -> None:
    enquiry.status = EnquiryStatus.ANSWERED if enquiry.replies else EnquiryStatus.NEW
    enquiry.updated_at = utcnow()
    db.session.commit()


# -- Finding enquiries --------------------------------------------------------------------------


def enquiries_query(status: str | None = None, search: str = "") -> Select:
    """Enquiries, newest first, with ``status`` and containing ``search`` (in the name, email,
    message, product name or order number; "#12" finds enquiry 12)."""
    query = select(Enquiry)
    if status:
        query = query.where(Enquiry.status == status)
    search = search.strip()
    if search:
        if search.lstrip("#").isdigit():
            query = query.where(Enquiry.id == int(search.lstrip("#")))
        else:
            query = query.where(
                or_(
                    Enquiry.name.icontains(search, autoescape=True),
                    Enquiry.email.icontains(search, autoescape=True),
                    Enquiry.message.icontains(search, autoescape=True),
                    Enquiry.product_name.icontains(search, autoescape=True),
                    Enquiry.order_number.icontains(search, autoescape=True),
                )
            )
    return query.order_by(Enquiry.created_at.desc(), Enquiry.id.desc())


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(Enquiry.status, func.count()).group_by(Enquiry.status))
    counts = {status.value: 0 for status in EnquiryStatus}
    counts.update(dict(rows.all()))
    return counts


def subject_enquiries(subject: DataSubject) -> list[Enquiry]:
    """A person's enquiries: sent while signed in to their account, or from one of their
    proved addresses (an account's once confirmed, a privacy request's)."""
    condition = subject.owns(user=Enquiry.user_id, email=Enquiry.email)
    return list(db.session.scalars(select(Enquiry).where(condition).order_by(Enquiry.created_at)))


def customer_enquiries(user: User) -> list[Enquiry]:
    """The account's enquiries, as its data export finds them."""
    return subject_enquiries(DataSubject.of_account(user))


def anonymize(enquiry: Enquiry) -> None:
    """Remove everything about the sender, keep the fact (topic, product, dates) for product
    interest. Replies go: they quote and address the sender. No commit."""
    enquiry.name = ""
    enquiry.email = ""
    enquiry.phone = None
    enquiry.order_number = None
    enquiry.message = ""
    enquiry.user_id = None
    enquiry.status = EnquiryStatus.CLOSED
    enquiry.anonymized_at = utcnow()
    enquiry.replies = []
