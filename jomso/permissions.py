"""Staff roles and what each may do: the one place that says who can do what.

PRODUCT.md's roles table, in code. Views declare the permission they need with
``permission_required``; templates ask ``current_user.can(Permission.X)``.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


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
