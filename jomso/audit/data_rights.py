"""The access log in a customer's data export and account deletion.

A customer sees every entry about them (when, which page, what kind), without the staff
member's identity or address. Entries the customer caused themselves (a refused staff page)
are theirs too, with their own IP. Deleting the account keeps the entries as the shop's record
of access but removes what identifies the customer in them: the subject link goes by
``ON DELETE SET NULL`` and, for entries they caused, the label and IP are blanked. This is the
one update the append-only log allows, done in SQL in the deletion's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update

from jomso.accounts.models import User
from jomso.audit.models import AccessLogEntry
from jomso.extensions import db
from jomso.privacy.registry import (
    declare_not_exported,
    register_erasure,
    register_export_section,
    row_dict,
)


def _access_log_section(user: User) -> list[dict[str, Any]]:
    entries = db.session.scalars(
        select(AccessLogEntry)
        .where(or_(AccessLogEntry.customer_id == user.id, AccessLogEntry.actor_id == user.id))
        .order_by(AccessLogEntry.created_at)
    )
    rows = []
    for entry in entries:
        own = {"ip": entry.ip} if entry.actor_id == user.id else {}
        rows.append(row_dict(entry, about_you=entry.customer_id == user.id, **own))
    return rows


def _erase_access_log_identity(user: User) -> None:
    db.session.execute(
        update(AccessLogEntry)
        .where(AccessLogEntry.actor_id == user.id)
        .values(actor_id=None, actor_label=f"deleted account #{user.id}", ip=None)
        .execution_options(synchronize_session=False)
    )


declare_not_exported(
    "access_log.actor_label", "names the staff member who looked, not the customer"
)
declare_not_exported("access_log.ip", "the staff member's address (your own is exported)")
register_export_section("access_log", _access_log_section, tables=("access_log",))
register_erasure(_erase_access_log_identity)
