"""The consent ledger's retention rule (``jomso.privacy.retention``, applied by ``purge``): a
choice is kept CONSENT_KEEP_DAYS after it was made, as the proof that what the shop did with
it was allowed, then deleted. The ledger is append-only for the application; this rule is the
one place that removes rows, in SQL, by age only.

A subscription's own proof (when it was asked for, confirmed and from where) stays on the
subscriber list for as long as the subscription does (``jomso.newsletter.retention``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from jomso.consent.models import ConsentRecord
from jomso.extensions import db
from jomso.privacy.retention import Action, retention_rule


@retention_rule(
    "consent ledger: old choices deleted",
    data=_l("Your choices about cookies and emails (the consent ledger)"),
    tables=("consent_records",),
    action=Action.DELETE,
    setting="CONSENT_KEEP_DAYS",
    starts=_l("after the choice"),
)
def delete_old_choices(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["CONSENT_KEEP_DAYS"]))
    result = db.session.execute(
        delete(ConsentRecord)
        .where(ConsentRecord.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0
