from flask import Blueprint

bp = Blueprint("consent", __name__, url_prefix="/cookies", cli_group=None)

from jomso.consent import notice, retention, views  # noqa: E402, F401
