"""Visit analytics: the page-view log, its retention rules and the staff traffic page."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("analytics", __name__, url_prefix="/staff/analytics", cli_group=None)

from jomso.analytics import (  # noqa: E402, F401
    cli,
    data_rights,
    recording,
    views,
)
from jomso.staff.navigation import INSIGHTS, StaffLink, register_staff_link  # noqa: E402

register_staff_link(
    StaffLink(
        "analytics.dashboard",
        _l("Traffic"),
        INSIGHTS,
        _l("Page views, visitors, top pages and products: totals only."),
    ),
    after="staff.analytics",
)
