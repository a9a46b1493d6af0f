"""The back office's own dashboard card: mail that could not be sent (owner only)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from jomso.mail_delivery import failed_mail
from jomso.permissions import Permission
from jomso.staff.dashboard import CardContent, DashboardCard, register_card


def _failed_mail() -> CardContent | None:
    """What failed and when, never to whom; nothing at all when every message went out."""
    total, latest = failed_mail()
    if not total:
        return None
    return CardContent(
        count=total,
        attention=True,
        extra={"latest": latest, "keep_days": int(current_app.config["MAIL_KEEP_DAYS"])},
    )


register_card(
    DashboardCard(
        "failed_mail",
        Permission.ADMINISTER,
        _l("Mail"),
        _failed_mail,
        template="staff/dashboard/_failed_mail.html",
        order=90,
        wide=True,
    )
)
