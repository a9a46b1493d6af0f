"""The access log's retention rule (``jomso.privacy.retention``, applied by ``purge``): an entry
is kept ACCESS_LOG_KEEP_DAYS, long enough to answer who looked at a customer's data and to
look into a security event, then deleted. The ORM refuses to delete entries; this rule is the
one place that does, in SQL, by age only."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from jomso.audit.models import AccessLogEntry
from jomso.extensions import db
from jomso.privacy.retention import Action, retention_rule


@retention_rule(
    "access log: old entries deleted",
    data=_l("The access log: which staff member saw whose data, staff sign-ins, refused pages"),
    tables=("access_log",),
    action=Action.DELETE,
    setting="ACCESS_LOG_KEEP_DAYS",
    starts=_l("after the entry"),
)
def delete_old_entries(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["ACCESS_LOG_KEEP_DAYS"]))
    result = db.session.execute(
        delete(AccessLogEntry.__table__).where(AccessLogEntry.__table__.c.created_at < cutoff)
    )
    db.session.commit()
    return result.rowcount or 0
