"""The access log in a person's data export and erasure.

A person sees every entry about them (when, which page, what kind): those naming their account
and those naming one of their addresses (a staff look at their guest order or enquiry, their
privacy request), without the staff member's identity or address. Entries they caused
themselves (a refused staff page) are theirs too, with their own IP. An erasure keeps the
entries as the shop's record of access but removes what identifies the person in them: the
account link goes by ``ON DELETE SET NULL``, the address is emptied and, for entries they
caused, the label and IP are blanked. These are the only updates the append-only log allows,
done in SQL in the erasure's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from jomso.audit.models import AccessLogEntry
from jomso.audit.services import ANONYMOUS
from jomso.extensions import db
from jomso.privacy.registry import (
    DataSubject,
    declare_not_exported,
    register_erasure,
    register_export_section,
    row_dict,
)


def _about(subject: DataSubject):
    return subject.owns(user=AccessLogEntry.customer_id, email=AccessLogEntry.subject_email)


def _access_log_section(subject: DataSubject) -> list[dict[str, Any]]:
    condition = _about(subject) | subject.owns(user=AccessLogEntry.actor_id)
    entries = db.session.scalars(
        select(AccessLogEntry).where(condition).order_by(AccessLogEntry.created_at)
    )
    uid = subject.user_id
    rows = []
    for entry in entries:
        about_you = (uid is not None and entry.customer_id == uid) or (
            entry.subject_email in subject.emails
        )
        # Their own doing: signed in as themselves, or signed out on a page about them (the
        # download of a privacy request's data).
        own = (uid is not None and entry.actor_id == uid) or (
            about_you and entry.actor_id is None and entry.actor_label == ANONYMOUS
        )
        rows.append(row_dict(entry, about_you=about_you, **({"ip": entry.ip} if own else {})))
    return rows


def _erase_access_log_identity(subject: DataSubject) -> None:
    # Entries about them made signed out (their own download) also hold their IP address.
    db.session.execute(
        update(AccessLogEntry)
        .where(
            _about(subject),
            AccessLogEntry.actor_id.is_(None),
            AccessLogEntry.actor_label == ANONYMOUS,
        )
        .values(ip=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(AccessLogEntry)
        .where(_about(subject), AccessLogEntry.subject_email.is_not(None))
        .values(subject_email=None)
        .execution_options(synchronize_session=False)
    )
    if subject.user is None:
        return
    db.session.execute(
        update(AccessLogEntry)
        .where(AccessLogEntry.actor_id == subject.user.id)
        .values(actor_id=None, actor_label=f"deleted account #{subject.user.id}", ip=None)
        .execution_options(synchronize_session=False)
    )


declare_not_exported(
    "access_log.actor_label", "names the staff member who looked, not the customer"
)
declare_not_exported("access_log.ip", "the staff member's address (your own is exported)")
register_export_section("access_log", _access_log_section, tables=("access_log",))
register_erasure(_erase_access_log_identity)
