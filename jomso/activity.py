"""The shape of an event on the staff activity feed (``/staff/activity``), shared by the
domains that report their recent events (``orders.activity``, ``contact.activity``,
``audit.activity``, ``catalog.activity``) and the page that merges them
(``jomso.staff.activity_views``).

An event carries what anyone allowed to see it may read: never a customer's name, email or
address (order numbers, amounts, enquiry references, staff accounts), so the feed needs no
access-log entry. ``permission`` says who may see it; the page shows each person only the
events of the permissions they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jomso.permissions import Permission


@dataclass(frozen=True)
class ActivityEvent:
    at: datetime
    kind: str  # a short key for styling: order_paid, enquiry_new, staff_created...
    text: str  # translated, for people
    permission: Permission
    url: str = ""  # where to read more (a staff page), if anywhere
    who: str = ""  # the staff member who did it, when one did


def newest(events, limit: int) -> list[ActivityEvent]:
    """The ``limit`` newest of ``events``, newest first."""
    return sorted(events, key=lambda event: event.at, reverse=True)[:limit]
