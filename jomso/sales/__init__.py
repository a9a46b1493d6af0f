"""Sales figures: the sales page for the roles that see figures, its CSV downloads, the
daily roll-up that keeps it fast, and today's sales on the staff dashboard.

- ``days.py``: what a local day adds up to, read from the orders, refunds and page views (the
  one definition of every figure);
- ``models.py``, ``rollup.py``: the roll-up of the days that are over; ``hooks.py``: every
  flush that changes an order's figures forgets the roll-up of its day;
- ``periods.py``, ``report.py``: the period asked for and its figures;
- ``views.py``: /staff/sales and its CSV; ``dashboard.py``: the dashboard card.
"""

from flask import Blueprint

bp = Blueprint("sales", __name__, url_prefix="/staff/sales", cli_group=None)

from jomso.sales import dashboard, hooks, views  # noqa: E402, F401
