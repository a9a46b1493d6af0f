from flask import Blueprint

bp = Blueprint("contact", __name__, url_prefix="/contact", cli_group=None)

from jomso.contact import views  # noqa: E402, F401
