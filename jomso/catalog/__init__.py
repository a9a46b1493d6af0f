from flask import Blueprint

bp = Blueprint("catalog", __name__, cli_group=None)

from jomso.catalog import (  # noqa: E402, F401
    cli,
    dashboard,
    data_rights,
    restock_views,
    retention,
    views,
)
