"""Traffic figures for staff: aggregates over a date range, never a visitor's trail.

Days are the shop's local days (``TIMEZONE``). The range is cut where the UTC offset changes
(daylight saving time), so every page view falls on its local day; a visitor seen on both
sides of such a change counts twice that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import aliased

from jomso.analytics.models import PageView
from jomso.catalog.models import Product
from jomso.consent.models import ConsentRecord
from jomso.consent.services import ANALYTICS
from jomso.extensions import db
from jomso.shop_time import as_date, days_bounds, local_day_sql, local_segments, shop_timezone

PRODUCT_PATH_PREFIX = "/products/"
TOP = 15


@dataclass(frozen=True)
class DayStat:
    day: date
    views: int = 0
    visitors: int = 0
    consented_views: int = 0


@dataclass
class TrafficReport:
    start: date
    end: date
    days: list[DayStat] = field(default_factory=list)
    unique_visitors: int = 0
    top_pages: list[tuple[str, int]] = field(default_factory=list)
    top_products: list[tuple[str, int]] = field(default_factory=list)
    referrers: list[tuple[str, int]] = field(default_factory=list)
    browsers: list[tuple[str, int]] = field(default_factory=list)
    systems: list[tuple[str, int]] = field(default_factory=list)
    consent_choices: dict[str, int] = field(default_factory=dict)

    @property
    def total_views(self) -> int:
        return sum(d.views for d in self.days)

    @property
    def consented_views(self) -> int:
        return sum(d.consented_views for d in self.days)

    @property
    def consented_view_share(self) -> float | None:
        return self.consented_views / self.total_views if self.total_views else None

    @property
    def accepts(self) -> int:
        return self.consent_choices.get("accept", 0)

    @property
    def declines(self) -> int:
        return self.consent_choices.get("decline", 0)

    @property
    def accept_share(self) -> float | None:
        total = self.accepts + self.declines
        return self.accepts / total if total else None


def _in_range(begin: datetime, finish: datetime) -> list[ColumnElement]:
    return [PageView.created_at >= begin, PageView.created_at < finish]


def _top(column, begin: datetime, finish: datetime, *extra, limit: int = TOP):
    count = func.count(PageView.id)
    rows = db.session.execute(
        select(column, count)
        .where(*_in_range(begin, finish), column.is_not(None), *extra)
        .group_by(column)
        .order_by(count.desc(), column)
        .limit(limit)
    ).all()
    return [(value, n) for value, n in rows]


def _daily(start: date, end: date, tz: ZoneInfo) -> list[DayStat]:
    totals: dict[date, list[int]] = {}
    for seg_start, seg_end, offset in local_segments(start, end, tz):
        day = local_day_sql(PageView.created_at, offset)
        rows = db.session.execute(
            select(
                day,
                func.count(PageView.id),
                func.count(PageView.visitor_id.distinct()),
                func.sum(case((PageView.consented.is_(True), 1), else_=0)),
            )
            .where(*_in_range(seg_start, seg_end))
            .group_by(day)
        ).all()
        for raw_day, views, visitors, consented in rows:
            key = min(max(as_date(raw_day), start), end)
            bucket = totals.setdefault(key, [0, 0, 0])
            bucket[0] += views
            bucket[1] += visitors
            bucket[2] += consented or 0
    days = []
    day = start
    while day <= end:
        views, visitors, consented = totals.get(day, (0, 0, 0))
        days.append(DayStat(day, views, visitors, consented))
        day += timedelta(days=1)
    return days


def _top_products(begin: datetime, finish: datetime) -> list[tuple[str, int]]:
    """Views per product: by the product id the page gave, else by the slug in the path."""
    slug = func.substr(PageView.path, len(PRODUCT_PATH_PREFIX) + 1)
    named = aliased(Product)
    by_slug = select(named.id).where(named.slug == slug).correlate(PageView).scalar_subquery()
    product_id = func.coalesce(PageView.product_id, by_slug)
    count = func.count(PageView.id)
    rows = db.session.execute(
        select(Product.name, count)
        .select_from(PageView)
        .join(Product, Product.id == product_id)
        .where(
            *_in_range(begin, finish),
            PageView.status < 400,
            (PageView.product_id.is_not(None)) | PageView.path.startswith(PRODUCT_PATH_PREFIX),
        )
        .group_by(Product.id, Product.name)
        .order_by(count.desc(), Product.name)
        .limit(TOP)
    ).all()
    return [(name, n) for name, n in rows]


def traffic_report(start: date, end: date) -> TrafficReport:
    """Every figure of the staff traffic page for the local days ``start``..``end``."""
    tz = shop_timezone()
    begin, finish = days_bounds(start, end, tz)
    report = TrafficReport(start=start, end=end, days=_daily(start, end, tz))
    report.unique_visitors = (
        db.session.scalar(
            select(func.count(PageView.visitor_id.distinct())).where(*_in_range(begin, finish))
        )
        or 0
    )
    report.top_pages = _top(PageView.path, begin, finish, PageView.status < 400)
    report.top_products = _top_products(begin, finish)
    report.referrers = _top(PageView.referrer_host, begin, finish)
    report.browsers = _top(PageView.browser_family, begin, finish, limit=10)
    report.systems = _top(PageView.os_family, begin, finish, limit=10)
    report.consent_choices = dict(
        db.session.execute(
            select(ConsentRecord.choice, func.count(ConsentRecord.id))
            .where(
                ConsentRecord.scope == ANALYTICS,
                ConsentRecord.created_at >= begin,
                ConsentRecord.created_at < finish,
            )
            .group_by(ConsentRecord.choice)
        ).all()
    )
    return report
