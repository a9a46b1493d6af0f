"""The ``staff_orders`` blueprint, on its own so that the staff order pages
(``orders.staff_views``) and the ``reconcile-payments`` command (``orders.cli``) can both
attach to it without importing each other. The app registers it through
``orders.staff_views``, which imports ``orders.cli`` so the command comes along.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff_orders", __name__, url_prefix="/staff/orders", cli_group=None)
