"""Retention: enquiries untouched for ENQUIRY_KEEP_DAYS are anonymised
(the sender's details and the messages go; topic, product and dates stay as counts)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from jomso.contact.models import Enquiry
from jomso.contact.services import anonymize
from jomso.extensions import db
from jomso.privacy.retention import Action, retention_rule

_BATCH = 500


@retention_rule(
    "enquiries: old ones anonymised",
    data=_l("Messages you send us, and our replies"),
    tables=("enquiries", "enquiry_replies"),
    action=Action.ANONYMIZE,
    setting="ENQUIRY_KEEP_DAYS",
    starts=_l("after the last reply or change"),
)
def anonymize_old_enquiries(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["ENQUIRY_KEEP_DAYS"]))
    done = 0
    while True:
        batch = db.session.scalars(
            select(Enquiry)
            .where(
                Enquiry.anonymized_at.is_(None),
                Enquiry.updated_at < cutoff,
            )
            .limit(_BATCH)
        ).all()
        if not batch:
            return done
        for enquiry in batch:
            anonymize(enquiry)
        db.session.commit()
        done += len(batch)
