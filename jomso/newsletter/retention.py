"""Retention: addresses that never confirmed are deleted after NEWSLETTER_PENDING_DAYS."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func

from jomso.extensions import db
from jomso.newsletter.models import Subscriber, SubscriberStatus
from jomso.privacy.retention import retention_rule


@retention_rule("newsletter: unconfirmed addresses deleted")
def delete_unconfirmed(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["NEWSLETTER_PENDING_DAYS"]))
    asked = func.coalesce(Subscriber.confirmation_sent_at, Subscriber.created_at)
    result = db.session.execute(
        delete(Subscriber)
        .where(Subscriber.status == SubscriberStatus.PENDING, asked < cutoff)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0
