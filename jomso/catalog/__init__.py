from flask import Blueprint

bp = Blueprint("catalog", __name__, cli_group=None)

from jomso.catalog import cli, dashboard, restock_privacy, restock_views, views  # noqa: E402, F401
