"""Visit analytics: the page-view log, its retention rules and the staff traffic page."""

from flask import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/staff/analytics", cli_group=None)

from jomso.analytics import (  # noqa: E402, F401
    data_rights,
    notice,
    recording,
    retention,
    views,
)
