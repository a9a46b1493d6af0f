"""The sales card on the staff dashboard: today so far against the same weekday last week, by
the same time of day and in all (for the roles that see figures)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from jomso.extensions import db
from jomso.permissions import Permission
from jomso.sales.days import orders_in
from jomso.shop_time import day_start, shop_now
from jomso.staff.dashboard import CardContent, CardLink, DashboardCard, register_card


def todays_sales() -> dict:
    """Today so far, the same weekday a week ago until the same time of day, and that whole
    day: (orders, gross cents) each, and the change against last week by this time."""
    now = shop_now()
    today = now.date()
    a_week_ago = today - timedelta(days=7)
    # The same wall-clock time a week ago (daylight saving time may lie between).
    same_time = now.replace(tzinfo=None) - timedelta(days=7)
    same_time = same_time.replace(tzinfo=now.tzinfo)
    so_far, by_then, whole_day = orders_in(
        db.session,
        (day_start(today), now),
        (day_start(a_week_ago), same_time),
        (day_start(a_week_ago), day_start(today - timedelta(6))),
    )
    change = (so_far[1] - by_then[1]) / by_then[1] if by_then[1] else None
    return {
        "today": today,
        "last_week": a_week_ago,
        "so_far": so_far,
        "by_then": by_then,
        "whole_day": whole_day,
        "change": change,
    }


def _card() -> CardContent:
    return CardContent(
        extra=todays_sales(),
        links=[
            CardLink(_l("Today"), "sales.sales_page", {"period": "today"}),
            CardLink(_l("The last 7 days"), "sales.sales_page", {"period": "7d"}),
        ],
    )


register_card(
    DashboardCard(
        "sales_today",
        Permission.VIEW_ANALYTICS,
        _l("Today's sales"),
        _card,
        template="staff/sales/_dashboard_card.html",
        order=5,
    )
)
