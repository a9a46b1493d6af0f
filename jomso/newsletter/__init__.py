"""New-product emails: one subscriber list with double opt-in, announcements, unsubscribing.

Public pages under /newsletter (this blueprint); the staff composer is the ``announcements``
blueprint in ``staff_views.py``; ``send-announcements`` sends what is queued.
"""

from flask import Blueprint

bp = Blueprint("newsletter", __name__, url_prefix="/newsletter", cli_group=None)

from jomso.newsletter import (  # noqa: E402, F401
    cli,
    data_rights,
    hooks,
    retention,
    views,
)
