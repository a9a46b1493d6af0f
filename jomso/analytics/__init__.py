"""Visit analytics: the page-view log, its retention rules and the staff traffic page."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("analytics", __name__, url_prefix="/staff/analytics", cli_group=None)

from jomso.analytics import cli, recording, views  # noqa: E402, F401

try:
    from jomso.staff.navigation import INSIGHTS, StaffLink, register_staff_link
except ModuleNotFoundError as error:  # the staff menu arrives with the staff branch
    if error.name != "jomso.staff.navigation":
        raise
else:
    register_staff_link(
        StaffLink(
            "analytics.dashboard",
            _l("Traffic"),
            INSIGHTS,
            _l("Page views, visitors, top pages and products: totals only."),
        ),
        after="staff.analytics",
    )
