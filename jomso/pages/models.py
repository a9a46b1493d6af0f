"""The content pages' versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db


class PageVersion(db.Model):
    """One published version of a content page. Versions are never edited or deleted: a change
    is a new version, so the history shows what the shop said when."""

    __tablename__ = "page_versions"
    __table_args__ = (UniqueConstraint("page", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page: Mapped[str] = mapped_column(String(40))  # the page's slug (jomso.pages.services.PAGES)
    version: Mapped[int]  # 1, 2, ... for each page
    body: Mapped[str] = mapped_column(Text)  # Markdown
    summary: Mapped[str] = mapped_column(Text, default="")  # what changed, in a sentence
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
