"""The checkout (``/checkout``) and the customer's order page (``/orders/<number>``)."""

from flask import Blueprint

bp = Blueprint("checkout", __name__, cli_group=None)

from jomso.checkout import views  # noqa: E402, F401
