"""Enquiries on the staff activity feed: new ones and the replies staff sent (the reference,
topic and product, never who wrote)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from jomso.accounts.models import User
from jomso.activity import ActivityEvent
from jomso.contact.models import Enquiry, EnquiryReply
from jomso.extensions import db
from jomso.permissions import Permission


def _about(enquiry: Enquiry) -> str:
    if enquiry.product_name:
        return _("%(topic)s: %(product)s", topic=enquiry.topic_label, product=enquiry.product_name)
    return enquiry.topic_label


def recent_enquiry_events(since: datetime, limit: int) -> list[ActivityEvent]:
    """New enquiries and replies sent since ``since``, the newest ``limit`` of each."""
    events = []
    for enquiry in db.session.scalars(
        select(Enquiry)
        .where(Enquiry.created_at >= since)
        .order_by(Enquiry.created_at.desc())
        .limit(limit)
    ):
        events.append(
            ActivityEvent(
                at=enquiry.created_at,
                kind="enquiry_new",
                text=_(
                    "New enquiry %(ref)s (%(about)s).", ref=enquiry.reference, about=_about(enquiry)
                ),
                permission=Permission.HANDLE_ENQUIRIES,
                url=url_for("enquiries.enquiry_detail", enquiry_id=enquiry.id),
            )
        )
    replies = db.session.execute(
        select(EnquiryReply, Enquiry, User.email)
        .join(Enquiry, Enquiry.id == EnquiryReply.enquiry_id)
        .outerjoin(User, User.id == EnquiryReply.author_id)
        .where(EnquiryReply.created_at >= since)
        .order_by(EnquiryReply.id.desc())
        .limit(limit)
    ).all()
    for reply, enquiry, author in replies:
        events.append(
            ActivityEvent(
                at=reply.created_at,
                kind="enquiry_answered",
                text=_("Enquiry %(ref)s answered.", ref=enquiry.reference),
                permission=Permission.HANDLE_ENQUIRIES,
                url=url_for("enquiries.enquiry_detail", enquiry_id=enquiry.id),
                who=author or "",
            )
        )
    return events
