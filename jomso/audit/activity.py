"""Staff changes on the staff activity feed, from the access log: accounts created, roles
changed, accounts disabled and enabled again, the privacy policy or a content page published.
Owner only, as the access log is."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import select

from jomso.activity import ActivityEvent
from jomso.audit.models import AccessLogEntry, AuditKind
from jomso.extensions import db
from jomso.permissions import Permission

SHOWN = (
    AuditKind.STAFF_CREATED,
    AuditKind.ROLE_CHANGE,
    AuditKind.STAFF_DISABLED,
    AuditKind.STAFF_ENABLED,
    AuditKind.POLICY_CHANGE,
    AuditKind.PAGE_CHANGE,
)


def recent_staff_events(since: datetime, limit: int) -> list[ActivityEvent]:
    entries = db.session.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.kind.in_([str(kind) for kind in SHOWN]))
        .where(AccessLogEntry.created_at >= since)
        .order_by(AccessLogEntry.id.desc())
        .limit(limit)
    )
    return [
        ActivityEvent(
            at=entry.created_at,
            kind=entry.kind,
            text=f"{entry.kind_label}: {entry.detail}" if entry.detail else entry.kind_label,
            permission=Permission.ADMINISTER,
            url=url_for("staff.audit_log", kind=entry.kind),
            who=entry.actor_label,
        )
        for entry in entries
    ]
