"""The subscriber list's retention rules (``jomso.privacy.retention``, applied by ``purge``):

- a confirmed address is kept until it unsubscribes (or its account is deleted), with the
  record of which announcements were sent to it (``announcement_deliveries``);
- an address that never confirmed is deleted NEWSLETTER_PENDING_DAYS after it was asked;
- an unsubscribed address is deleted NEWSLETTER_UNSUBSCRIBED_DAYS after it unsubscribed. Its
  deliveries stay as counts, without a recipient (``ON DELETE SET NULL``); the consent ledger
  keeps the record of the choice (see ``jomso.consent.retention``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func

from jomso.extensions import db
from jomso.newsletter.models import Subscriber, SubscriberStatus
from jomso.privacy.retention import Action, declare_retention, retention_rule

declare_retention(
    "newsletter: kept while subscribed",
    data=_l("New-product emails: your address and which emails we sent to it"),
    tables=("subscribers", "announcement_deliveries"),
    action=Action.DELETE,
    period=lambda _config: _("until you unsubscribe or delete your account"),
)


@retention_rule(
    "newsletter: unconfirmed addresses deleted",
    data=_l("New-product emails asked for but never confirmed"),
    tables=("subscribers",),
    action=Action.DELETE,
    setting="NEWSLETTER_PENDING_DAYS",
    starts=_l("after the confirmation email"),
)
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


@retention_rule(
    "newsletter: unsubscribed addresses deleted",
    data=_l("New-product emails you unsubscribed from"),
    tables=("subscribers", "announcement_deliveries"),
    action=Action.DELETE,
    setting="NEWSLETTER_UNSUBSCRIBED_DAYS",
    starts=_l("after unsubscribing"),
)
def delete_unsubscribed(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["NEWSLETTER_UNSUBSCRIBED_DAYS"]))
    result = db.session.execute(
        delete(Subscriber)
        .where(
            Subscriber.status == SubscriberStatus.UNSUBSCRIBED,
            func.coalesce(Subscriber.unsubscribed_at, Subscriber.created_at) < cutoff,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0
