"""Retention of the mail held for people's addresses (``jomso.mail``'s queue): a message sent,
or given up, more than MAIL_KEEP_DAYS ago is deleted with its address and body. Messages still
waiting are kept until they are sent or given up."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_

from jomso.extensions import db
from jomso.mail import MailState, OutgoingMail
from jomso.privacy.retention import retention_rule


@retention_rule("mail: sent and failed messages deleted")
def delete_old_mail(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["MAIL_KEEP_DAYS"]))
    result = db.session.execute(
        delete(OutgoingMail)
        .where(
            or_(
                and_(OutgoingMail.state == MailState.SENT, OutgoingMail.sent_at < cutoff),
                and_(OutgoingMail.state == MailState.FAILED, OutgoingMail.failed_at < cutoff),
            )
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0
