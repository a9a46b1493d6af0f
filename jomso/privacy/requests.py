"""Privacy requests from people who prove an email address instead of signing in: receiving
them, proving the address, the deadlines, and the queue the staff read.

The way in is the public form at ``/privacy/request``. Receiving a request stores it
``unverified`` and emails a link to the address; nothing else happens until the link is
followed, so nobody can ask for someone else's data, and the page answers the same whatever
the shop holds for the address. Following the link makes the request ``open``: the deadline
starts (one month, in the shop's time zone), the shop is told, and the staff's queue shows it.
What the staff then do is in ``request_handling.py``.

Whose data a request is about is a ``DataSubject`` for the proved address (with the account
confirmed at that address, and the browser that followed the link): the same exporters and
erasers as the account area's run over it.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterable
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, select

from jomso.accounts.data_rights import export_data
from jomso.accounts.lookup import find_user_by_email
from jomso.database import utcnow
from jomso.extensions import db
from jomso.i18n import format_when
from jomso.mail import send_mail
from jomso.privacy import request_links
from jomso.privacy.models import CLOSED_STATUSES, PrivacyRequest, RequestKind, RequestStatus
from jomso.privacy.registry import DataSubject, normalize_email
from jomso.shop_time import shop_today
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)

DEADLINE_MONTHS = 1  # from the day the address is proved
EXTENSION_MONTHS = 2  # once, with a reason the requester is told
DETAILS_MAX = 5000


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def days_left(request: PrivacyRequest) -> int | None:
    """Days until the deadline (0 on the day, negative once overdue); None before it runs."""
    return (request.due_on - shop_today()).days if request.due_on else None


def days_left_text(days: int | None) -> str:
    """ "12 days left", "due today", "3 days overdue" (from ``days_left``)."""
    if days is None:
        return ""
    if days == 0:
        return _("due today")
    if days > 0:
        return ngettext("%(num)d day left", "%(num)d days left", days)
    return ngettext("%(num)d day overdue", "%(num)d days overdue", -days)


# -- Receiving and proving -----------------------------------------------------------------------


def submit_request(kind: RequestKind | str, email: str, details: str = "") -> PrivacyRequest:
    """Store the request and email the link that proves the address. Commits.

    The message says only what was asked, never the text typed: the address is not proved yet.
    """
    request = PrivacyRequest(
        kind=str(RequestKind(kind)),
        email=normalize_email(email),
        details=details.strip(),
        status=RequestStatus.UNVERIFIED,
        verify_nonce=request_links.new_secret(),
    )
    db.session.add(request)
    db.session.flush()  # the link carries the id
    send_mail(
        request.email,
        _("Please confirm your privacy request"),
        "privacy_request_verify",
        privacy_request=request,
        link=shop_url_for(
            "privacy_requests.verify",
            token=request_links.verify_token(request.id, request.verify_nonce),
        ),
        days=request_links.VERIFY_MAX_AGE // 86400,
    )
    db.session.commit()
    log.info("privacy request %s received (%s), waiting for its link", request.id, request.kind)
    return request


def request_for_verify_token(token: str) -> PrivacyRequest:
    """The request a proof link is for, while it still applies; else ``InvalidLink``. A link
    already used names a request that is no longer unverified: it is shown as such."""
    request_id, nonce = request_links.read_verify_token(token)
    request = db.session.get(PrivacyRequest, request_id)
    if request is None or request.email is None:
        raise request_links.InvalidLink
    if request.status == RequestStatus.UNVERIFIED and not request_links.same(
        request.verify_nonce, nonce
    ):
        raise request_links.InvalidLink
    return request


def verify(token: str, visitor_id: str | None = None) -> tuple[PrivacyRequest, bool]:
    """Follow the proof link: (the request, whether it was proved now). The deadline starts,
    the shop is told by email. ``visitor_id`` is the analytics id of the browser following
    the link, if it has one: its page views are the requester's too. Commits."""
    request = request_for_verify_token(token)
    if request.status != RequestStatus.UNVERIFIED:
        return request, False
    request.status = RequestStatus.OPEN
    request.verified_at = utcnow()
    request.due_on = add_months(shop_today(), DEADLINE_MONTHS)
    request.verify_nonce = None
    request.visitor_id = visitor_id
    send_mail(
        current_app.config["SHOP_EMAIL"],
        _(
            "Privacy request %(ref)s: answer by %(date)s",
            ref=request.reference,
            date=format_when(request.due_on, "document"),
        ),
        "privacy_request_new_staff",
        privacy_request=request,
        link=shop_url_for("privacy_requests_admin.request_detail", request_id=request.id),
    )
    db.session.commit()
    log.info("privacy request %s verified, due %s", request.id, request.due_on)
    return request, True


# -- Whose data --------------------------------------------------------------------------------


def subject_for(request: PrivacyRequest) -> DataSubject:
    """The person the request is about: the proved address, the account confirmed at that
    address (the same proof its password reset would take), the browser that followed the
    link. An account whose address was never confirmed is not included: it may have been
    opened by someone else with this address."""
    account = find_user_by_email(request.email) if request.email else None
    user = account if account is not None and account.is_confirmed else None
    return DataSubject.of_email(request.email or "", user=user, visitor_ids=[request.visitor_id])


def held_counts(subject: DataSubject) -> dict[str, int]:
    """How many records each export section holds for ``subject`` (empty sections left out),
    for the staff's request page and the request's outcome: counts, never the data."""
    data = export_data(subject)
    counts = {}
    for name, value in data.items():
        if name in ("format", "format_version", "exported_at", "shop"):
            continue
        count = len(value) if isinstance(value, list) else int(value is not None)
        if count:
            counts[name] = count
    return counts


def describe_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items()) or "nothing"


# -- The queue -----------------------------------------------------------------------------------


def open_requests() -> list[PrivacyRequest]:
    """Requests waiting for the staff, the nearest deadline first."""
    return list(
        db.session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.status == RequestStatus.OPEN)
            .order_by(PrivacyRequest.due_on, PrivacyRequest.id)
        )
    )


def closed_requests_query() -> Select:
    return (
        select(PrivacyRequest)
        .where(PrivacyRequest.status.in_([str(s) for s in CLOSED_STATUSES]))
        .order_by(PrivacyRequest.closed_at.desc(), PrivacyRequest.id.desc())
    )


def unverified_count() -> int:
    return db.session.scalar(
        select(db.func.count())
        .select_from(PrivacyRequest)
        .where(PrivacyRequest.status == RequestStatus.UNVERIFIED)
    )


# -- In the person's own data ------------------------------------------------------------------


def subject_requests(subject: DataSubject) -> list[PrivacyRequest]:
    """The requests made from the person's proved addresses."""
    return list(
        db.session.scalars(
            select(PrivacyRequest)
            .where(subject.owns(email=PrivacyRequest.email))
            .order_by(PrivacyRequest.received_at)
        )
    )


def erase_requests(requests: Iterable[PrivacyRequest]) -> None:
    """Empty what identifies the person in their requests (address, text, browser, links),
    keep what was asked and done as the shop's record, and close those still waiting: there
    is nothing left to answer. No commit."""
    now = utcnow()
    for request in requests:
        request.email = None
        request.details = ""
        request.visitor_id = None
        request.verify_nonce = None
        request.data_key = None
        request.erased_at = now
        if request.status not in CLOSED_STATUSES:
            request.status = RequestStatus.DONE
            request.closed_at = now
            request.outcome = "closed: the person's data was erased"
    db.session.flush()
