"""The activity feed (/staff/activity): what happened lately across the shop, each event
shown only to the roles allowed to see it (see ``jomso.activity``): orders to those who see
orders, enquiries to support, staff changes to the owner, new products to the catalog.

Events name no customer, so opening the feed writes no access-log entry; following an event's
link opens the page it names, which logs as it always does.
"""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_login import current_user

from jomso.activity import newest
from jomso.audit.activity import recent_staff_events
from jomso.catalog.activity import recent_bulk_edits, recent_product_events
from jomso.contact.activity import recent_enquiry_events
from jomso.database import utcnow
from jomso.orders.activity import recent_order_events
from jomso.permissions import Permission, staff_required
from jomso.staff.blueprint import bp

DAYS = 30
LIMIT = 100

# Who may see each source's events, and the source.
SOURCES = (
    (Permission.VIEW_ORDERS, recent_order_events),
    (Permission.HANDLE_ENQUIRIES, recent_enquiry_events),
    (Permission.ADMINISTER, recent_staff_events),
    (Permission.MANAGE_CATALOG, recent_product_events),
    (Permission.MANAGE_CATALOG, recent_bulk_edits),
)


@bp.get("/activity")
@staff_required
def activity():
    """The newest events of the last ``DAYS`` days this person's roles may see."""
    since = utcnow() - timedelta(days=DAYS)
    events = []
    for permission, source in SOURCES:
        if current_user.can(permission):
            events += [e for e in source(since, LIMIT) if current_user.can(e.permission)]
    return render_template(
        "staff/activity.html", events=newest(events, LIMIT), days=DAYS, limit=LIMIT
    )
