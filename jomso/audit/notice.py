"""The access log's entry in the privacy page's list of logs (``jomso.privacy.logs``): every
column of ``access_log``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from jomso.privacy.logs import Log, LoggedField, register_log

register_log(
    Log(
        key="access_log",
        title=_l("The access log"),
        purpose=_l(
            "to know which staff member saw whose personal data, and to notice attempts to break in"
        ),
        table="access_log",
        fields=(
            LoggedField(_l("the time"), "created_at"),
            LoggedField(
                _l("who acted: a staff member (or you, if you opened a staff page)"), "actor_id"
            ),
            LoggedField(
                _l("their email address, kept should their account be deleted"), "actor_label"
            ),
            LoggedField(_l("their IP address"), "ip"),
            LoggedField(
                _l(
                    "what happened: personal data seen or exported, a staff sign-in, a refused page"
                ),
                "kind",
            ),
            LoggedField(_l("which page"), "view"),
            LoggedField(_l("whose data it was: the customer's account"), "customer_id"),
            LoggedField(
                _l("or, for a guest's order, message or request, the email address"),
                "subject_email",
            ),
            LoggedField(
                _l("details such as page numbers or role names, never personal data"), "detail"
            ),
        ),
    )
)
