from flask import Blueprint

bp = Blueprint("cart", __name__, url_prefix="/cart", cli_group=None)

from jomso.cart import data_rights, retention, views  # noqa: E402, F401
