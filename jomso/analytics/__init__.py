"""Visit analytics: the page-view log, its retention rules and the staff traffic page."""

from flask import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/staff/analytics", cli_group=None)

from jomso.analytics import cli, recording, views  # noqa: E402, F401
