from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account", cli_group=None)

from jomso.accounts import loader, views  # noqa: E402, F401
