"""The page-view log. Identifying columns (visitor id, IP, account) are filled only with
analytics consent; everything else describes the page, not the person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db


def _partial_index(column: str) -> Index:
    # Most rows (no consent, not a product page) leave these columns empty; a partial index
    # skips them, so recording such a page view writes one index fewer per column.
    condition = text(f"{column} IS NOT NULL")
    return Index(
        f"ix_page_views_{column}", column, sqlite_where=condition, postgresql_where=condition
    )


class PageView(db.Model):
    __tablename__ = "page_views"
    __table_args__ = (
        _partial_index("product_id"),
        _partial_index("visitor_id"),
        _partial_index("user_id"),
        # The visits of the sales figures (jomso/sales/days.py): the consented page views of a
        # day, read from the index alone.
        Index(
            "ix_page_views_visits",
            "created_at",
            "visitor_id",
            "path",
            sqlite_where=text("visitor_id IS NOT NULL"),
            postgresql_where=text("visitor_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The address without its query string; addresses holding private values (order numbers,
    # tokens) are stored as their pattern, e.g. "/orders/<number>".
    path: Mapped[str] = mapped_column(String(500))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    status: Mapped[int] = mapped_column(SmallInteger)
    referrer_host: Mapped[str | None] = mapped_column(String(253))  # other sites only
    browser_family: Mapped[str | None] = mapped_column(String(50))
    browser_version: Mapped[str | None] = mapped_column(String(10))  # major version only
    os_family: Mapped[str | None] = mapped_column(String(50))
    os_version: Mapped[str | None] = mapped_column(String(10))
    consented: Mapped[bool] = mapped_column(default=False)
    # Only with analytics consent and no Global Privacy Control signal:
    visitor_id: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(45))
    ip_truncated: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
