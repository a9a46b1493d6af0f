from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff", cli_group=None)

from jomso.staff import views  # noqa: E402, F401
