"""The accounts domain's retention rules (``jomso.privacy.retention``, applied by ``purge``).

- The account and what hangs off it (phones, addresses, staff roles) is kept until the account
  is deleted; the deletion takes it all (``data_rights.delete_account``).
- A sign-in (``user_sessions``) is deleted once it has ended.
- The mail held for people's addresses (``jomso.mail``'s queue): a message sent, or given up,
  more than MAIL_KEEP_DAYS ago is deleted with its address and body; messages still waiting
  are kept until they are sent or given up. Copies in the outbox folder (a shop without an
  SMTP server) are deleted after the same days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_

from jomso.accounts.user_sessions import purge_expired_sessions
from jomso.extensions import db
from jomso.mail import MailState, OutgoingMail
from jomso.mail_delivery import delete_old_outbox_files
from jomso.privacy.retention import Action, declare_retention, retention_rule

declare_retention(
    "accounts: kept until the account is deleted",
    data=_l("Your account: name, email address, phone numbers, address book, staff roles"),
    tables=("users", "phones", "addresses", "staff_roles"),
    action=Action.DELETE,
    period=lambda _config: _("until you delete your account"),
)


def _sign_in_period(config) -> str:
    return _(
        "until you sign out, or when the sign-in ends: after %(days)d days, or %(remember)d "
        'days with "Keep me signed in"',
        days=int(config["PERMANENT_SESSION_LIFETIME"]) // 86400,
        remember=int(config["REMEMBER_COOKIE_DURATION"]) // 86400,
    )


@retention_rule(
    "sign-ins: ended ones deleted",
    data=_l("Signed-in devices: browser, when the sign-in started and ends"),
    tables=("user_sessions",),
    action=Action.DELETE,
    period=_sign_in_period,
)
def delete_ended_sign_ins(_now: datetime) -> int:
    return purge_expired_sessions()


@retention_rule(
    "mail: sent and failed messages deleted",
    data=_l("Emails we send you (address and message)"),
    tables=("outgoing_mail",),
    action=Action.DELETE,
    setting="MAIL_KEEP_DAYS",
    starts=_l("after sending (or giving up)"),
)
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


@retention_rule(
    "mail: outbox files deleted",
    data=_l("Copies of emails in the outbox folder (only when the shop has no mail server)"),
    tables=(),
    files="instance/outbox/",
    action=Action.DELETE,
    setting="MAIL_KEEP_DAYS",
    starts=_l("after writing"),
)
def delete_old_outbox_mail(now: datetime) -> int:
    return delete_old_outbox_files(now - timedelta(days=int(current_app.config["MAIL_KEEP_DAYS"])))
