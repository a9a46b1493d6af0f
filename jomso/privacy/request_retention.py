"""Retention of the privacy requests: a request whose link was never followed is deleted once
the link has expired; a closed request is kept ``PRIVACY_REQUEST_KEEP_DAYS`` (the record of
what was asked and done, should the person or an authority ask), then deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from jomso.extensions import db
from jomso.privacy.models import CLOSED_STATUSES, PrivacyRequest, RequestStatus
from jomso.privacy.request_links import VERIFY_MAX_AGE
from jomso.privacy.retention import Action, retention_rule


@retention_rule(
    "privacy requests: never confirmed deleted",
    data=_l("A privacy request whose emailed link was never followed"),
    tables=("privacy_requests",),
    action=Action.DELETE,
    period=lambda _config: _("7 days, once its link has expired"),
)
def delete_unverified_requests(now: datetime) -> int:
    return _delete(
        PrivacyRequest.status == RequestStatus.UNVERIFIED,
        PrivacyRequest.received_at < now - timedelta(seconds=VERIFY_MAX_AGE),
    )


@retention_rule(
    "privacy requests: closed ones deleted",
    data=_l("Privacy requests you made, and how we answered them"),
    tables=("privacy_requests",),
    action=Action.DELETE,
    setting="PRIVACY_REQUEST_KEEP_DAYS",
    starts=_l("after the request was closed"),
)
def delete_old_requests(now: datetime) -> int:
    days = int(current_app.config["PRIVACY_REQUEST_KEEP_DAYS"])
    return _delete(
        PrivacyRequest.status.in_([str(s) for s in CLOSED_STATUSES]),
        PrivacyRequest.closed_at < now - timedelta(days=days),
    )


def _delete(*conditions) -> int:
    result = db.session.execute(
        delete(PrivacyRequest).where(*conditions).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0
