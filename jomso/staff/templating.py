"""What staff templates can use: the menu for the signed-in person."""

from flask import request
from flask_login import current_user

from jomso.permissions import ROLE_LABELS, Role, may_open
from jomso.staff.blueprint import bp
from jomso.staff.navigation import current_link, nav_groups


@bp.app_template_filter("role_label")
def role_label(name: str) -> str:
    try:
        return str(ROLE_LABELS[Role(name)])
    except ValueError:
        return name


@bp.app_context_processor
def _staff_context():
    # The menu is computed only when a template asks for it (the storefront never does).
    return {
        "staff_nav": lambda: nav_groups(current_user),
        "staff_nav_current": lambda groups: current_link(groups, request.endpoint),
        "may_open": lambda endpoint: may_open(current_user, endpoint),
        "role_label": role_label,
    }
