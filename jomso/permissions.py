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
    # customer records, and on order pages the email, billing address and account
    VIEW_CUSTOMERS = "view_customers"
    MANAGE_CATALOG = "manage_catalog"  # products, categories, stock, images
    COMPOSE_ANNOUNCEMENTS = "compose_announcements"
    VIEW_ANALYTICS = "view_analytics"  # traffic and sales aggregates
    ADMINISTER = "administer"  # staff and roles, access log, policy, settings
    HANDLE_PRIVACY_REQUESTS = "handle_privacy_requests"  # the queue of data requests
    EDIT_PAGES = "edit_pages"  # shipping and returns, terms of sale, about us, imprint
    MANAGE_DISCOUNTS = "manage_discounts"  # discount codes: create, edit, deactivate


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
        {
            Permission.MANAGE_CATALOG,
            Permission.COMPOSE_ANNOUNCEMENTS,
            Permission.VIEW_ANALYTICS,
            Permission.MANAGE_DISCOUNTS,
        }
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

# What each permission lets a person do, in the words of PRODUCT.md's roles table.
PERMISSION_LABELS = {
    Permission.VIEW_ORDERS: _l("See orders with the shipping name, address and phone"),
    Permission.PROCESS_ORDERS: _l("Change order status, ship, cancel, refund"),
    Permission.HANDLE_ENQUIRIES: _l("Read and answer enquiries"),
    Permission.VIEW_CUSTOMERS: _l("See customer records"),
    Permission.MANAGE_CATALOG: _l("Manage products, categories, stock and images"),
    Permission.COMPOSE_ANNOUNCEMENTS: _l("Compose new-product announcements"),
    Permission.VIEW_ANALYTICS: _l("See traffic and sales figures (totals only)"),
    Permission.ADMINISTER: _l("Manage staff and roles, read the access log, edit the policy"),
    Permission.HANDLE_PRIVACY_REQUESTS: _l(
        "Handle privacy requests (the queue with its deadlines)"
    ),
    Permission.EDIT_PAGES: _l("Edit the content pages (shipping, terms, about us, imprint)"),
    Permission.MANAGE_DISCOUNTS: _l("Manage discount codes"),
}


def role_permission_labels(role: Role) -> list:
    """The labels of what ``role`` may do, in the order of the roles table."""
    return [PERMISSION_LABELS[p] for p in Permission if p in ROLE_PERMISSIONS[role]]


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
                _refuse(permission)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def staff_required(view):
    """For pages every staff member may open (the dashboard): any role will do."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_staff:
            _refuse(None)
        return view(*args, **kwargs)

    wrapped.required_permission = None  # declared: any staff role
    return wrapped


# Called with (user, permission) on every refusal, permission None for "any staff role";
# the access log registers itself here (jomso/audit/signals.py).
PERMISSION_REFUSED_HOOKS: list = []
security_log = logging.getLogger("jomso.security")


def _refuse(permission: Permission | None):
    security_log.warning(
        "permission refused: user=%s permission=%s endpoint=%s",
        current_user.id,
        permission or "staff",
        request.endpoint,
    )
    user = current_user._get_current_object()
    for hook in PERMISSION_REFUSED_HOOKS:
        hook(user, permission)
    abort(403)


_UNDECLARED = object()


def may_open(user, endpoint: str) -> bool:
    """Whether ``user`` passes the permission check of the view at ``endpoint``, read from
    the view's own declaration; False for unknown endpoints and undeclared views. Navigation
    and dashboard links ask this, so a link shows exactly when its page would open."""
    view = current_app.view_functions.get(endpoint)
    declared = getattr(view, "required_permission", _UNDECLARED)
    if view is None or declared is _UNDECLARED or not user.is_authenticated:
        return False
    return user.is_staff if declared is None else user.can(declared)
