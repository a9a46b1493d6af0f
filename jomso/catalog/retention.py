"""The catalog's retention rules (``jomso.privacy.retention``, applied by ``purge``): the
"email me when it is back" requests are deleted once their email is queued (restock.py);
``purge`` deletes unconfirmed ones after RESTOCK_PENDING_DAYS and confirmed ones still waiting
after RESTOCK_KEEP_DAYS."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from jomso.catalog.models import RestockRequest
from jomso.extensions import db
from jomso.privacy.retention import Action, declare_retention, retention_rule

declare_retention(
    "back in stock: deleted once told",
    data=_l("“Email me when it is back”: your address and the product variant"),
    tables=("restock_requests",),
    action=Action.DELETE,
    period=lambda _config: _("until we email you that it is back (then deleted at once)"),
)


@retention_rule(
    "back in stock: unconfirmed requests deleted",
    data=_l("“Email me when it is back” asked for but never confirmed"),
    tables=("restock_requests",),
    action=Action.DELETE,
    setting="RESTOCK_PENDING_DAYS",
    starts=_l("after the request"),
)
def delete_unconfirmed(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["RESTOCK_PENDING_DAYS"]))
    return _delete(RestockRequest.confirmed_at.is_(None), RestockRequest.created_at < cutoff)


@retention_rule(
    "back in stock: old requests deleted",
    data=_l("“Email me when it is back” still waiting"),
    tables=("restock_requests",),
    action=Action.DELETE,
    setting="RESTOCK_KEEP_DAYS",
    starts=_l("after the request"),
)
def delete_old(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["RESTOCK_KEEP_DAYS"]))
    return _delete(RestockRequest.created_at < cutoff)


def _delete(*conditions) -> int:
    result = db.session.execute(
        delete(RestockRequest).where(*conditions).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0
