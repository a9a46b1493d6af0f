from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/privacy", cli_group=None)

from jomso.privacy import views  # noqa: E402, F401
