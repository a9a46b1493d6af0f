from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account", cli_group=None)

from jomso.accounts import (  # noqa: E402, F401
    area_views,
    data_rights,
    loader,
    notices,
    retention,
    views,
)
