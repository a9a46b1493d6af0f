"""What the staff do with an open privacy request, and the download of an access request's data.

Each action closes or changes the request, tells the requester by email, and writes an
access-log entry (kind ``privacy_request``, the request's number in the detail), in one
transaction:

- **access**: email a signed link to the data as JSON (``PRIVACY_DATA_LINK_DAYS`` days); the
  file is made when the link is followed, by the same exporters as the account's download,
  and each download is logged;
- **erasure**: run the same erasers as an account's deletion over the proved address (and the
  account confirmed at it, which is deleted): guest orders anonymised and kept for the books,
  enquiries anonymised, subscriptions and their consent choices, page views and mail deleted;
- **correction**: the staff correct what the request says in the pages where the data lives,
  then mark it done with a note saying what changed;
- **extend** (once, with a reason), **refuse** (with the reason).

Staff accounts are not erased here: the owner closes them in the back office.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from jomso.accounts.data_rights import erase_data, export_data, mail_addresses
from jomso.accounts.models import User
from jomso.audit.models import AuditKind
from jomso.audit.services import record_event, record_personal_data_export
from jomso.database import utcnow
from jomso.extensions import db
from jomso.i18n import mail_language
from jomso.mail import send_mail
from jomso.privacy import request_links
from jomso.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from jomso.privacy.registry import erase_from_files
from jomso.privacy.requests import (
    EXTENSION_MONTHS,
    add_months,
    describe_counts,
    held_counts,
    subject_for,
)
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)


class RequestError(Exception):
    """The action does not apply to this request now; the message says why, for the staff."""


def _check_open(request: PrivacyRequest) -> None:
    if request.status != RequestStatus.OPEN:
        raise RequestError(_("This request is not open any more."))


def _log(request: PrivacyRequest, actor: User, what: str, *, about_person: bool = True) -> None:
    subject = subject_for(request) if about_person else None
    record_event(
        AuditKind.PRIVACY_REQUEST,
        actor=actor,
        customer_id=subject.user_id if subject else None,
        subject_email=request.email if about_person else None,
        detail=f"privacy request #{request.id} ({request.kind}): {what}",
        commit=False,
    )


def _close(request: PrivacyRequest, status: RequestStatus, outcome: str, note: str = "") -> None:
    request.status = status
    request.closed_at = utcnow()
    request.outcome = outcome
    request.note = note.strip()


def extend(request: PrivacyRequest, reason: str, actor: User) -> None:
    """Move the deadline ``EXTENSION_MONTHS`` later, once, telling the requester why."""
    _check_open(request)
    if request.is_extended:
        raise RequestError(_("The deadline was extended once already: it cannot be again."))
    request.due_on = add_months(request.due_on, EXTENSION_MONTHS)
    request.extended_at = utcnow()
    request.extension_reason = reason.strip()
    with mail_language():  # the shop's default, not the staff member's
        send_mail(
            request.email,
            _("Your privacy request %(ref)s: more time needed", ref=request.reference),
            "privacy_request_extended",
            privacy_request=request,
        )
    _log(request, actor, f"deadline extended to {request.due_on.isoformat()}")
    db.session.commit()


def send_data(request: PrivacyRequest, actor: User) -> None:
    """Answer an access request: email the signed link to the data and close the request."""
    _check_open(request)
    if request.kind != RequestKind.ACCESS:
        raise RequestError(_("Only an access request is answered with the data."))
    counts = held_counts(subject_for(request))
    request.data_key = request_links.new_secret()
    request.data_sent_at = utcnow()
    _close(request, RequestStatus.DONE, f"download link sent; held: {describe_counts(counts)}")
    days = int(current_app.config["PRIVACY_DATA_LINK_DAYS"])
    token = request_links.data_token(request.id, request.data_key)
    with mail_language():  # the shop's default, not the staff member's
        send_mail(
            request.email,
            _("Your data from %(shop)s", shop=current_app.config["SHOP_NAME"]),
            "privacy_request_data",
            privacy_request=request,
            link=shop_url_for("privacy_requests.data", token=token),
            days=days,
        )
    _log(request, actor, "download link sent")
    db.session.commit()
    log.info("privacy request %s answered: download link sent", request.id)


def erase(request: PrivacyRequest, actor: User, note: str = "") -> dict[str, int]:
    """Answer an erasure request: erase what is held for the proved address (an account
    confirmed at it included), close the request and tell the requester. Returns what was
    held, by export section. The request keeps what was asked and done, not the address."""
    _check_open(request)
    if request.kind != RequestKind.ERASURE:
        raise RequestError(_("Only an erasure request erases data."))
    subject = subject_for(request)
    if subject.user is not None and subject.user.is_staff:
        raise RequestError(
            _("This address belongs to a staff account: close the account under Staff first.")
        )
    email, counts, addresses = request.email, held_counts(subject), mail_addresses(subject)
    erase_data(subject)  # empties this request's address too (privacy/data_rights.py)
    _close(request, RequestStatus.DONE, f"erased; held: {describe_counts(counts)}", note)
    _log(request, actor, "data erased", about_person=False)
    db.session.commit()
    erase_from_files(addresses)  # the outbox's copies of earlier mail, the write-ahead log
    # The answer goes after the erasure is in the files: it is the one message the shop keeps
    # for the address, until purge deletes it with the other sent mail (MAIL_KEEP_DAYS).
    with mail_language():  # the shop's default, not the staff member's
        send_mail(
            email,
            _("Your privacy request %(ref)s: your data is erased", ref=request.reference),
            "privacy_request_erased",
            privacy_request=request,
            account_deleted=subject.user is not None,
        )
    db.session.commit()
    log.info("privacy request %s answered: data erased", request.id)
    return counts


def mark_corrected(request: PrivacyRequest, note: str, actor: User) -> None:
    """Close a correction request the staff carried out, telling the requester what changed."""
    _check_open(request)
    if request.kind != RequestKind.CORRECTION:
        raise RequestError(_("Only a correction request is marked as corrected."))
    _close(request, RequestStatus.DONE, "corrected", note)
    with mail_language():  # the shop's default, not the staff member's
        send_mail(
            request.email,
            _("Your privacy request %(ref)s is done", ref=request.reference),
            "privacy_request_corrected",
            privacy_request=request,
        )
    _log(request, actor, "marked corrected")
    db.session.commit()


def refuse(request: PrivacyRequest, note: str, actor: User) -> None:
    """Close the request without acting on it, telling the requester why (and that they may
    complain to the data protection authority)."""
    _check_open(request)
    _close(request, RequestStatus.REFUSED, "refused", note)
    with mail_language():  # the shop's default, not the staff member's
        send_mail(
            request.email,
            _("Your privacy request %(ref)s", ref=request.reference),
            "privacy_request_refused",
            privacy_request=request,
        )
    _log(request, actor, "refused")
    db.session.commit()


# -- The requester's download ------------------------------------------------------------------


def request_for_data_token(token: str) -> PrivacyRequest:
    """The answered access request a download link is for; else ``InvalidLink`` (tampered,
    expired, or the data was erased since)."""
    request_id, key = request_links.read_data_token(token)
    request = db.session.get(PrivacyRequest, request_id)
    if (
        request is None
        or request.email is None
        or request.status != RequestStatus.DONE
        or not request_links.same(request.data_key, key)
    ):
        raise request_links.InvalidLink
    return request


def download(token: str) -> tuple[PrivacyRequest, dict[str, Any]]:
    """The data of the request's link, made now, and the access-log entry of the download
    (committed)."""
    request = request_for_data_token(token)
    subject = subject_for(request)
    data = export_data(subject)
    data["privacy_request"] = {"reference": request.reference, "email": request.email}
    record_personal_data_export(
        "privacy_requests.data",
        subject.user_id,
        f"privacy request #{request.id}: data downloaded by the requester",
        subject_email=request.email,
    )
    return request, data
