"""The one place that writes the access log, and the queries the owner reads it with.

Other areas call ``record_personal_data_access`` from every view or export that shows a
customer's personal data, and ``record_event`` for security events (policy changes, ...).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, func, or_, select

from jomso.accounts.models import User
from jomso.audit.models import AccessLogEntry, AuditKind
from jomso.extensions import db

COMMAND_LINE = "command line"
ANONYMOUS = "anonymous"  # the actor of an entry made in a request nobody was signed in to


def record_personal_data_access(
    view: str, customer_id: int | None, detail: str = "", *, subject_email: str | None = None
) -> None:
    """Write the one entry for a staff view or export that displays personal data.

    ``view`` names the page (its endpoint, e.g. ``"staff.customer_detail"``); ``customer_id``
    is the customer whose data was shown, or None for lists of several customers or a guest;
    ``subject_email`` the address the page is about (a guest's order or enquiry), so the entry
    is found by that address too; ``detail`` adds context such as the page number and must not
    contain personal data itself.
    """
    record_event(
        AuditKind.VIEW_PERSONAL_DATA,
        customer_id=customer_id,
        detail=detail,
        view=view,
        subject_email=subject_email,
    )


def record_personal_data_export(
    view: str, customer_id: int | None, detail: str = "", *, subject_email: str | None = None
) -> None:
    """Like ``record_personal_data_access``, for a download (CSV, JSON) of personal data."""
    record_event(
        AuditKind.EXPORT_PERSONAL_DATA,
        customer_id=customer_id,
        detail=detail,
        view=view,
        subject_email=subject_email,
    )


def record_event(
    kind: AuditKind | str,
    actor: User | None = None,
    customer_id: int | None = None,
    detail: str = "",
    *,
    view: str | None = None,
    subject_email: str | None = None,
    commit: bool = True,
) -> AccessLogEntry:
    """Append one entry. ``actor`` defaults to the signed-in account of the current request
    (on the command line there is none). ``subject_email`` is the address of the person the
    entry is about, when known (stored lower-cased). ``commit=False`` lets a service write the
    entry in the same transaction as the change it describes."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if actor is not None:
        label = actor.email
    elif has_request_context():
        label = ANONYMOUS
    else:
        label = COMMAND_LINE
    if view is None:
        view = (request.endpoint or request.path) if has_request_context() else COMMAND_LINE
    entry = AccessLogEntry(
        kind=str(kind),
        actor_id=actor.id if actor is not None else None,
        actor_label=label[:254],
        ip=request.remote_addr if has_request_context() else None,
        view=view[:120],
        customer_id=customer_id,
        subject_email=subject_email.strip().lower()[:254] if subject_email else None,
        detail=detail,
    )
    db.session.add(entry)
    if commit:
        db.session.commit()
    return entry


@dataclass
class AuditFilter:
    """What the owner narrowed the log to. ``customer`` is the typed text (an id or an
    email); ``customer_id`` the account it resolved to, -1 when it matched no account;
    ``customer_email`` the typed address, which also finds entries about that address
    without an account (a guest's order or enquiry, a privacy request)."""

    actor_id: int | None = None
    customer: str = ""
    customer_id: int | None = None
    customer_email: str | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def customer_not_found(self) -> bool:
        return self.customer_id == -1

    def resolve(self) -> None:
        """Fill ``customer_id`` and ``customer_email`` from the typed ``customer``."""
        text = self.customer.strip()
        self.customer_email = text.lower() if "@" in text else None
        self.customer_id = resolve_customer(text)


def resolve_customer(text: str) -> int | None:
    """An account id from what was typed: a number is an id, anything else an exact email.
    Returns -1 when nothing matches, so the filter shows no account's rows rather than all."""
    text = text.strip()
    if not text:
        return None
    if text.lstrip("#").isdigit():
        return int(text.lstrip("#"))
    found = db.session.scalar(select(User.id).where(func.lower(User.email) == text.lower()))
    return found if found is not None else -1


def _day_start_utc(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=zone)


def filtered_entries(flt: AuditFilter) -> Select:
    """The entries matching ``flt``, newest first. Dates are whole days in the shop's zone."""
    query = select(AccessLogEntry)
    if flt.actor_id is not None:
        query = query.where(AccessLogEntry.actor_id == flt.actor_id)
    if flt.customer_email:
        query = query.where(
            or_(
                AccessLogEntry.customer_id == flt.customer_id,
                AccessLogEntry.subject_email == flt.customer_email,
            )
        )
    elif flt.customer_id is not None:
        query = query.where(AccessLogEntry.customer_id == flt.customer_id)
    if flt.kind:
        query = query.where(AccessLogEntry.kind == flt.kind)
    if flt.date_from:
        query = query.where(AccessLogEntry.created_at >= _day_start_utc(flt.date_from))
    if flt.date_to:
        next_day = _day_start_utc(flt.date_to + timedelta(days=1))
        query = query.where(AccessLogEntry.created_at < next_day)
    # Ids grow with time, so newest first is highest id first (and keyset paging is exact).
    return query.order_by(AccessLogEntry.id.desc())


def customer_emails(entries) -> dict[int, str]:
    """Email of each customer named in ``entries``, in one query."""
    ids = {e.customer_id for e in entries if e.customer_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())


def logged_actors() -> list[tuple[int, str]]:
    """(id, label) of every account that appears as an actor, for the staff filter."""
    rows = db.session.execute(
        select(AccessLogEntry.actor_id, func.max(AccessLogEntry.actor_label))
        .where(AccessLogEntry.actor_id.is_not(None))
        .group_by(AccessLogEntry.actor_id)
    ).all()
    if not rows:
        return []
    current = dict(
        db.session.execute(
            select(User.id, User.email).where(User.id.in_([r[0] for r in rows]))
        ).all()
    )
    return sorted(((i, current.get(i, label)) for i, label in rows), key=lambda r: r[1])


CSV_COLUMNS = (
    "time_utc",
    "actor_id",
    "actor",
    "ip",
    "kind",
    "view",
    "customer_id",
    "customer_email",
    "detail",
)


def _cell(value) -> str:
    """A spreadsheet-safe cell: text starting like a formula is quoted with an apostrophe."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def entries_csv(flt: AuditFilter, batch: int = 500) -> Iterator[str]:
    """The filtered log as CSV text, a batch of rows at a time (the log can be large)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    before_id = None
    while True:
        query = filtered_entries(flt).limit(batch)
        if before_id is not None:
            query = query.where(AccessLogEntry.id < before_id)
        rows = db.session.scalars(query).all()
        emails = customer_emails(rows)
        for e in rows:
            writer.writerow(
                [
                    e.created_at.isoformat(timespec="seconds"),
                    _cell(e.actor_id),
                    _cell(e.actor_label),
                    _cell(e.ip),
                    _cell(e.kind),
                    _cell(e.view),
                    _cell(e.customer_id),
                    _cell(emails.get(e.customer_id) or e.subject_email or ""),
                    _cell(e.detail),
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < batch:
            return
        before_id = rows[-1].id


def last_sign_ins(user_ids) -> dict[int, datetime]:
    """When each of these accounts last signed in, from the log (one query)."""
    ids = list(user_ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(AccessLogEntry.actor_id, func.max(AccessLogEntry.created_at))
            .where(AccessLogEntry.kind == AuditKind.SIGN_IN, AccessLogEntry.actor_id.in_(ids))
            .group_by(AccessLogEntry.actor_id)
        ).all()
    )
