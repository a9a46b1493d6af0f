from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account", cli_group=None)

from jomso.accounts import area_views, data_rights, loader, notices, views  # noqa: E402, F401
