"""The privacy policy's versions, which version each account accepted when, and the privacy
requests of people who prove an email address instead of signing in."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db


class PolicyVersion(db.Model):
    """One published version of the policy. Versions are never edited or deleted: a change is
    a new version, so what a customer accepted can always be shown again."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    # Markdown; ``{{ shop_name }}``-style placeholders are filled in at display time.
    body: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")  # what changed, in a sentence or two
    effective_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PolicyAcceptance(db.Model):
    """An account accepted (at registration) or acknowledged (after a change) a version."""

    __tablename__ = "policy_acceptances"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    policy_version: Mapped[int] = mapped_column(ForeignKey("policy_versions.version"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source: Mapped[str] = mapped_column(String(20))  # "registration" or "notice"


class RequestKind(StrEnum):
    ACCESS = "access"  # a copy of the data, as the JSON download
    ERASURE = "erasure"  # erase what is held (orders anonymised, kept for the books)
    CORRECTION = "correction"  # correct what the request says is wrong


class RequestStatus(StrEnum):
    UNVERIFIED = "unverified"  # waiting for the requester to follow the emailed link
    OPEN = "open"  # the address is proved: in the staff's queue, the deadline running
    DONE = "done"
    REFUSED = "refused"


CLOSED_STATUSES = frozenset({RequestStatus.DONE, RequestStatus.REFUSED})

KIND_LABELS = {
    RequestKind.ACCESS: _l("A copy of my data"),
    RequestKind.ERASURE: _l("Erase my data"),
    RequestKind.CORRECTION: _l("Correct my data"),
}

STATUS_LABELS = {
    RequestStatus.UNVERIFIED: _l("Waiting for the address to be confirmed"),
    RequestStatus.OPEN: _l("Open"),
    RequestStatus.DONE: _l("Done"),
    RequestStatus.REFUSED: _l("Refused"),
}


class PrivacyRequest(db.Model):
    """A data request from someone who proves an email address rather than signing in (a guest,
    an enquirer, a subscriber): access, erasure or correction of what the shop holds for the
    address. The deadline runs from the day the address was proved: one month, extended once
    (two months more, with a reason the requester is told). Kept as the record of what was
    asked and done; an erasure empties what identifies the person (address, text, browser)."""

    __tablename__ = "privacy_requests"
    __table_args__ = (Index("ix_privacy_requests_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Lower-cased; empty (NULL) once the person's data was erased.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    # What the requester wrote: what to correct, which order or message they mean.
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.UNVERIFIED)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_on: Mapped[date | None] = mapped_column(Date)  # in the shop's time zone
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the shop did ("download link sent", what was erased), written by the shop.
    outcome: Mapped[str] = mapped_column(Text, default="")
    # The staff member's words to the requester: what was corrected, why it was refused.
    note: Mapped[str] = mapped_column(Text, default="")
    # The analytics visitor id of the browser that followed the link, if it had one: its page
    # views are the requester's too.
    visitor_id: Mapped[str | None] = mapped_column(String(32))
    # Random values signed into the emailed links (request_links.py): the proof of the address
    # (emptied once used), and the access request's download (set when it is sent).
    verify_nonce: Mapped[str | None] = mapped_column(String(32))
    data_key: Mapped[str | None] = mapped_column(String(32))
    data_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def reference(self) -> str:
        return f"#{self.id}"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(RequestKind(self.kind), self.kind))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(RequestStatus(self.status), self.status))

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN

    @property
    def is_extended(self) -> bool:
        return self.extended_at is not None
