"""The enquiries' card on the staff dashboard: enquiries nobody has answered, oldest first.

Each line names the enquiry by number, topic and product, never by who sent it.
"""

from __future__ import annotations

from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from jomso.contact.models import Enquiry, EnquiryStatus
from jomso.database import utcnow
from jomso.extensions import db
from jomso.permissions import Permission
from jomso.staff.dashboard import CardContent, CardItem, CardLink, DashboardCard, register_card

ITEMS = 5


def unanswered_enquiries(limit: int = ITEMS) -> tuple[int, list[Enquiry]]:
    """How many enquiries are new (not answered, not closed), and the ``limit`` oldest."""
    new = Enquiry.status == EnquiryStatus.NEW
    total = db.session.scalar(select(func.count()).select_from(Enquiry).where(new))
    oldest = db.session.scalars(
        select(Enquiry).where(new).order_by(Enquiry.created_at, Enquiry.id).limit(limit)
    ).all()
    return total or 0, list(oldest)


def _text(enquiry: Enquiry) -> str:
    about = enquiry.topic_label
    if enquiry.product_name:
        about = f"{about}: {enquiry.product_name}"
    return f"#{enquiry.id} {about}"


def _unanswered() -> CardContent:
    total, oldest = unanswered_enquiries()
    now = utcnow()
    return CardContent(
        count=total,
        summary=_("Not answered yet. The oldest first:")
        if oldest
        else _("Every enquiry is answered."),
        items=[
            CardItem(
                _text(e),
                _("waiting %(age)s", age=format_timedelta(now - e.created_at, threshold=1.0)),
                "enquiries.enquiry_detail",
                {"enquiry_id": e.id},
            )
            for e in oldest
        ],
        links=[CardLink(_l("All new enquiries"), "enquiries.enquiry_list", {"status": "new"})],
        attention=total > 0,
    )


register_card(
    DashboardCard(
        "unanswered_enquiries",
        Permission.HANDLE_ENQUIRIES,
        _l("Unanswered enquiries"),
        _unanswered,
        order=30,
    )
)
