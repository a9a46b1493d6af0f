"""The page-view log's entry in the privacy page's list of logs (``jomso.privacy.logs``): every
column of ``page_views``, with the condition under which it is filled."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from jomso.privacy.logs import Log, LoggedField, register_log

_WITH_CONSENT = _l("only with analytics consent and no Global Privacy Control signal")

register_log(
    Log(
        key="page_views",
        title=_l("Page views"),
        purpose=_l("to learn which pages are useful and to keep the shop working well"),
        table="page_views",
        fields=(
            LoggedField(_l("the time"), "created_at"),
            LoggedField(
                _l(
                    "the page's address, without what you searched for; an address holding an "
                    "order number or a secret link is stored as its pattern"
                ),
                "path",
            ),
            LoggedField(_l("the product shown, on a product page"), "product_id"),
            LoggedField(_l("whether the page loaded (its status code)"), "status"),
            LoggedField(
                _l("the site you came from: its name only, other sites only"), "referrer_host"
            ),
            LoggedField(_l("your browser's name"), "browser_family"),
            LoggedField(_l("your browser's major version"), "browser_version"),
            LoggedField(_l("your operating system's name"), "os_family"),
            LoggedField(_l("your operating system's major version"), "os_version"),
            LoggedField(_l("whether you had accepted analytics"), "consented"),
            LoggedField(
                _l("a random visitor number (the analytics cookie)"), "visitor_id", _WITH_CONSENT
            ),
            LoggedField(_l("your IP address"), "ip", _WITH_CONSENT),
            LoggedField(_l("whether the IP address has been shortened"), "ip_truncated"),
            LoggedField(_l("your account, when you are signed in"), "user_id", _WITH_CONSENT),
        ),
    )
)
