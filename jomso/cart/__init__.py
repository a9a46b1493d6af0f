from flask import Blueprint

bp = Blueprint("cart", __name__, url_prefix="/cart", cli_group=None)

from jomso.cart import data_rights, views  # noqa: E402, F401
