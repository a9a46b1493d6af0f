"""Product interest for catalog staff and the owner (/staff/interest): per product, how often
its page was viewed, how many enquiries were about it, and how many people asked for
new-product emails while asking about it. Counts only: no page here shows who."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from jomso.analytics.models import PageView
from jomso.catalog.models import Product
from jomso.contact.models import Enquiry
from jomso.database import utcnow
from jomso.extensions import db
from jomso.newsletter.models import Subscriber
from jomso.permissions import Permission, permission_required

bp = Blueprint("interest", __name__, url_prefix="/staff/interest", cli_group=None)


PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
SORTS = {
    "views": _l("Page views"),
    "enquiries": _l("Enquiries"),
    "signups": _l("Sign-ups"),
}
MAX_ROWS = 100


@dataclass
class ProductInterest:
    product_id: int
    name: str
    slug: str
    is_active: bool
    views: int = 0
    enquiries: int = 0
    signups: int = 0


def _counts(column, since: datetime, created) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(column, func.count())
            .where(column.is_not(None), created >= since)
            .group_by(column)
        ).all()
    )


def interest_by_product(since: datetime, sort: str = "views") -> list[ProductInterest]:
    """Interest per product since ``since``, the most interesting first (``MAX_ROWS`` rows).
    Four queries whatever the number of products or page views."""
    views = _counts(PageView.product_id, since, PageView.created_at)
    enquiries = _counts(Enquiry.product_id, since, Enquiry.created_at)
    signups = _counts(Subscriber.source_product_id, since, Subscriber.created_at)
    ids = set(views) | set(enquiries) | set(signups)
    if not ids:
        return []
    products = db.session.execute(
        select(Product.id, Product.name, Product.slug, Product.is_active).where(Product.id.in_(ids))
    ).all()
    rows = [
        ProductInterest(
            product_id=pid,
            name=name,
            slug=slug,
            is_active=active,
            views=views.get(pid, 0),
            enquiries=enquiries.get(pid, 0),
            signups=signups.get(pid, 0),
        )
        for pid, name, slug, active in products
    ]
    order = {
        "views": lambda r: (r.views, r.enquiries, r.signups),
        "enquiries": lambda r: (r.enquiries, r.signups, r.views),
        "signups": lambda r: (r.signups, r.enquiries, r.views),
    }[sort]
    rows.sort(key=lambda r: r.name.casefold())
    rows.sort(key=order, reverse=True)
    return rows[:MAX_ROWS]


@bp.get("")
@permission_required(Permission.MANAGE_CATALOG)
def product_interest():
    days = request.args.get("days", DEFAULT_DAYS, type=int)
    if days not in PERIODS:
        days = DEFAULT_DAYS
    sort = request.args.get("sort", "views")
    if sort not in SORTS:
        sort = "views"
    rows = interest_by_product(utcnow() - timedelta(days=days), sort)
    return render_template(
        "staff/interest.html",
        rows=rows,
        days=days,
        periods=PERIODS,
        sort=sort,
        sorts=SORTS,
        totals={
            "views": sum(r.views for r in rows),
            "enquiries": sum(r.enquiries for r in rows),
            "signups": sum(r.signups for r in rows),
        },
        max_rows=MAX_ROWS,
    )
