"""The back office's pages on the ``staff`` blueprint: the dashboard, the activity feed, staff
accounts, customer records and the access log, and its commands. The app registers ``bp``
from here; the package itself imports nothing, so that any domain can register a dashboard
card (``jomso.staff.dashboard``) or a customer-record section (``jomso.staff.customers``)
without loading these pages.
"""

from jomso.staff import (  # noqa: F401  (attach their views and commands to bp)
    activity_views,
    audit_views,
    cards,
    cli,
    customer_views,
    notification_views,
    session,
    templating,
    views,
)
from jomso.staff.blueprint import bp

__all__ = ["bp"]
