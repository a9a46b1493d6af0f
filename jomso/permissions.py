"""Staff roles and what each may do: the one place that says who can do what.

PRODUCT.md's roles table, in code. Views declare the permission they need with
``permission_required``; templates ask ``current_user.can(Permission.X)``.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from functools import wraps

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user


class Permission(StrEnum):
    VIEW_ORDERS = "view_orders"  # orders with shipping name, address and phone
    PROCESS_ORDERS = "process_orders"  # change status, ship, cancel, refund
    HANDLE_ENQUIRIES = "handle_enquiries"  # read and answer enquiries
    VIEW_CUSTOMERS = "view_customers"  # customer records
    MANAGE_CATALOG = "manage_catalog"  # products, categories, stock, images
    COMPOSE_ANNOUNCEMENTS = "compose_announcements"
    VIEW_ANALYTICS = "view_analytics"  # traffic and sales aggregates
    ADMINISTER = "administer"  # staff and roles, access log, policy, settings


class Role(StrEnum):
    OWNER = "owner"
    ORDERS = "orders"
    SUPPORT = "support"
    CATALOG = "catalog"
    ANALYST = "analyst"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ORDERS: frozenset({Permission.VIEW_ORDERS, Permission.PROCESS_ORDERS}),
    Role.SUPPORT: frozenset({Permission.HANDLE_ENQUIRIES}),
    Role.CATALOG: frozenset(
        {Permission.MANAGE_CATALOG, Permission.COMPOSE_ANNOUNCEMENTS, Permission.VIEW_ANALYTICS}
    ),
    Role.ANALYST: frozenset({Permission.VIEW_ANALYTICS}),
}

ROLE_LABELS = {
    Role.OWNER: _l("Owner"),
    Role.ORDERS: _l("Orders"),
    Role.SUPPORT: _l("Support"),
    Role.CATALOG: _l("Catalog"),
    Role.ANALYST: _l("Analyst"),
}


def permissions_for(roles) -> frozenset[Permission]:
    """The union of the permissions of the given roles (unknown names grant nothing)."""
    granted: set[Permission] = set()
    for name in roles:
        try:
            granted |= ROLE_PERMISSIONS[Role(name)]
        except ValueError:
            continue
    return frozenset(granted)


def permission_required(permission: Permission):
    """Declare the permission a view needs: anonymous visitors go to the login page, signed-in
    accounts without it get 403 (logged as a security event). The declaration is kept on the
    view as ``required_permission`` so tests can check that every staff URL has one."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.can(permission):
                security_log.warning(
                    "permission refused: user=%s permission=%s endpoint=%s",
                    current_user.id,
                    permission,
                    request.endpoint,
                )
                for hook in PERMISSION_REFUSED_HOOKS:
                    hook(current_user, permission)
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


# Called with (user, permission) on every refusal; the access log registers itself here.
PERMISSION_REFUSED_HOOKS: list = []
security_log = logging.getLogger("jomso.security")


def staff_required(view):
    """For pages every staff member may open (the dashboard): any role will do."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_staff:
            security_log.warning(
                "staff page refused: user=%s endpoint=%s", current_user.id, request.endpoint
            )
            abort(403)
        return view(*args, **kwargs)

    wrapped.required_permission = None  # declared: any staff role
    return wrapped
