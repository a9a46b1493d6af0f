"""The consent ledger's entry in the privacy page's list of logs (``jomso.privacy.logs``): every
column of ``consent_records``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from jomso.privacy.logs import Log, LoggedField, register_log

register_log(
    Log(
        key="consent_records",
        title=_l("Your choices (the consent ledger)"),
        purpose=_l("to show that we asked, and that we do what you chose"),
        table="consent_records",
        fields=(
            LoggedField(_l("the time"), "created_at"),
            LoggedField(_l("your choice: accept or decline"), "choice"),
            LoggedField(_l("what it was about: analytics or new-product emails"), "scope"),
            LoggedField(_l("the version of this policy in force"), "policy_version"),
            LoggedField(
                _l("a scrambled fingerprint of your IP address, never the address itself"),
                "ip_hash",
            ),
            LoggedField(_l("your account, when you are signed in"), "user_id"),
            LoggedField(
                _l("your subscription, when the choice is about new-product emails"),
                "subscriber_id",
            ),
            LoggedField(_l("the visitor number being started or withdrawn"), "visitor_id"),
            LoggedField(
                _l("where you chose: the banner, the settings page, a form, an email"), "source"
            ),
            LoggedField(_l("whether your browser sent the Global Privacy Control signal"), "gpc"),
        ),
    )
)
