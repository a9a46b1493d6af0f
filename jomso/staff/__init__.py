"""The back office under /staff: dashboard, activity feed, staff accounts, customer records,
access log.

Other areas add their staff pages to this blueprint's layout (templates/staff/layout.html),
protect every view with ``permission_required`` / ``staff_required`` (jomso/permissions.py)
and appear in the menu through jomso/staff/navigation.py.
"""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff", cli_group=None)

from jomso.staff import (  # noqa: E402, F401
    activity_views,
    audit_views,
    cli,
    customer_views,
    session,
    templating,
    views,
)
