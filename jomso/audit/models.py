"""The access log: one append-only row per look at personal data or security event."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db


class AuditKind(StrEnum):
    VIEW_PERSONAL_DATA = "view_personal_data"
    EXPORT_PERSONAL_DATA = "export_personal_data"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    PERMISSION_REFUSED = "permission_refused"
    SESSION_EXPIRED = "session_expired"
    STAFF_CREATED = "staff_created"
    ROLE_CHANGE = "role_change"
    STAFF_DISABLED = "staff_disabled"
    STAFF_ENABLED = "staff_enabled"
    POLICY_CHANGE = "policy_change"
    PRIVACY_REQUEST = "privacy_request"  # a staff action on a privacy request
    PAGE_CHANGE = "page_change"  # a content page published (shipping, terms, about, imprint)
    CATALOG_BULK_EDIT = "catalog_bulk_edit"  # prices, stock or status of many products at once


KIND_LABELS = {
    AuditKind.VIEW_PERSONAL_DATA: _l("Viewed personal data"),
    AuditKind.EXPORT_PERSONAL_DATA: _l("Exported personal data"),
    AuditKind.SIGN_IN: _l("Signed in"),
    AuditKind.SIGN_IN_FAILED: _l("Failed sign-in"),
    AuditKind.PERMISSION_REFUSED: _l("Refused: no permission"),
    AuditKind.SESSION_EXPIRED: _l("Signed out after inactivity"),
    AuditKind.STAFF_CREATED: _l("Staff account created"),
    AuditKind.ROLE_CHANGE: _l("Roles changed"),
    AuditKind.STAFF_DISABLED: _l("Staff account disabled"),
    AuditKind.STAFF_ENABLED: _l("Staff account enabled"),
    AuditKind.POLICY_CHANGE: _l("Privacy policy changed"),
    AuditKind.PRIVACY_REQUEST: _l("Privacy request handled"),
    AuditKind.PAGE_CHANGE: _l("Content page changed"),
    AuditKind.CATALOG_BULK_EDIT: _l("Products changed in bulk"),
}

# Kinds that are about security rather than about a customer; shown with a warning colour.
SECURITY_KINDS = frozenset(
    {AuditKind.SIGN_IN_FAILED, AuditKind.PERMISSION_REFUSED, AuditKind.STAFF_DISABLED}
)


class AccessLogEntry(db.Model):
    """Who did what, when, from where, to which customer. Never edited, never deleted by the
    application: the ORM refuses updates and deletes of these rows (see the listeners below).
    ``purge`` deletes entries older than ACCESS_LOG_KEEP_DAYS (``jomso.audit.retention``)."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_customer_created", "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The account that acted; the label keeps who it was should the account be deleted.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    ip: Mapped[str | None] = mapped_column(String(45))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    view: Mapped[str] = mapped_column(String(120), default="")
    # The customer whose data was shown; a deleted account leaves the entry without a subject.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The address of the person whose data was shown, lower-cased, when the page is about an
    # address (a guest's order or enquiry, a privacy request): so the entry is found by that
    # address with or without an account. Emptied when that person's data is erased.
    subject_email: Mapped[str | None] = mapped_column(String(254), index=True)
    # Free text for context: ids, page numbers, role names. Never names, emails or addresses.
    detail: Mapped[str] = mapped_column(Text, default="")

    @property
    def kind_label(self) -> str:
        try:
            return str(KIND_LABELS[AuditKind(self.kind)])
        except ValueError:
            return self.kind

    @property
    def is_security_event(self) -> bool:
        return self.kind in SECURITY_KINDS


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an access-log entry."""


@event.listens_for(AccessLogEntry, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise AppendOnlyError(f"access log entry {target.id} cannot be changed")


@event.listens_for(AccessLogEntry, "before_delete")
def _refuse_delete(_mapper, _connection, target):
    raise AppendOnlyError(f"access log entry {target.id} cannot be deleted")
