"""The privacy request queue's card on the staff dashboard: open requests, the nearest deadline
first (for those who handle them). It names requests by reference and kind, never by address."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from jomso.permissions import Permission
from jomso.privacy.requests import days_left, days_left_text, open_requests
from jomso.staff.dashboard import CardContent, CardItem, CardLink, DashboardCard, register_card

SHOWN = 5
# A request this close to its deadline (or past it) makes the card stand out.
ATTENTION_DAYS = 7


def _privacy_requests() -> CardContent | None:
    """None while no request waits: the card shows only when there is something to answer."""
    waiting = open_requests()
    if not waiting:
        return None
    left = [days_left(item) for item in waiting]
    return CardContent(
        count=len(waiting),
        items=[
            CardItem(
                f"{item.reference} · {item.kind_label}",
                days_left_text(days),
                "privacy_requests_admin.request_detail",
                {"request_id": item.id},
            )
            for item, days in zip(waiting[:SHOWN], left, strict=False)
        ],
        links=[CardLink(_l("All open requests"), "privacy_requests_admin.request_list")],
        attention=any(days is not None and days <= ATTENTION_DAYS for days in left),
    )


register_card(
    DashboardCard(
        "privacy_requests",
        Permission.HANDLE_PRIVACY_REQUESTS,
        _l("Privacy requests"),
        _privacy_requests,
        order=35,
    )
)
