"""The content pages: which pages there are, their versions, how they are shown, publishing.

The four pages are fixed (``PAGES``): the owner writes their text, not their list. A page with
no version yet is not shown: its URL answers 404 and the footer leaves it out. Publishing the
first version of a page raises the catalog revision, so that pages cached for visitors
(``jomso.catalog.page_cache``) are made again with the footer's new link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import g
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from jomso.accounts.models import User
from jomso.audit.models import AuditKind
from jomso.audit.services import record_event
from jomso.catalog.markdown import render_markdown
from jomso.catalog.page_cache import kept_per_revision, raise_revision
from jomso.extensions import db
from jomso.pages.models import PageVersion

log = logging.getLogger(__name__)

BODY_MAX = 100_000  # characters of a page's text


@dataclass(frozen=True)
class ContentPage:
    slug: str
    title: object  # a lazy translated string


PAGES: dict[str, ContentPage] = {
    page.slug: page
    for page in (
        ContentPage("shipping-and-returns", _l("Shipping and returns")),
        ContentPage("terms", _l("Terms of sale")),
        ContentPage("about", _l("About us")),
        ContentPage("imprint", _l("Imprint")),
    )
}


def get_page(slug: str) -> ContentPage | None:
    return PAGES.get(slug)


def latest_version(slug: str) -> PageVersion | None:
    """The newest version of the page: the one visitors read."""
    return db.session.scalar(
        select(PageVersion).where(PageVersion.page == slug).order_by(PageVersion.version.desc())
    )


def page_versions(slug: str) -> list[PageVersion]:
    """Every version of the page, newest first."""
    return list(
        db.session.scalars(
            select(PageVersion).where(PageVersion.page == slug).order_by(PageVersion.version.desc())
        )
    )


def latest_versions() -> dict[str, PageVersion]:
    """The newest version of each page that has one, by slug."""
    newest = (
        select(PageVersion.page, func.max(PageVersion.version).label("version"))
        .group_by(PageVersion.page)
        .subquery()
    )
    rows = db.session.scalars(
        select(PageVersion).join(
            newest,
            (PageVersion.page == newest.c.page) & (PageVersion.version == newest.c.version),
        )
    )
    return {row.page: row for row in rows}


def published_pages() -> list[ContentPage]:
    """The pages that have a version, in ``PAGES`` order (the footer's links); read once per
    catalog revision (a page's first version raises it)."""
    return kept_per_revision("published_pages", _published_pages)


def _published_pages() -> list[ContentPage]:
    slugs = set(db.session.scalars(select(PageVersion.page).distinct()))
    return [page for page in PAGES.values() if page.slug in slugs]


def render_page(body: str) -> Markup:
    """A version's Markdown as sanitised HTML (no raw HTML, scripts or unsafe links); ``#``
    and ``##`` headings are h2, under the page's own title."""
    return render_markdown(body, shift=0, top=2)


def normalize_body(text: str) -> str:
    """Line endings as ``\\n``, no trailing spaces, one final newline (a textarea sends
    ``\\r\\n``; the stored text should not depend on the browser)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def publish_page(slug: str, body: str, summary: str, user: User | None = None) -> PageVersion:
    """Add a new version of the page ``slug``: who published it and when are stored on the
    version, and a ``page_change`` entry goes to the access log in the same commit."""
    if slug not in PAGES:
        raise ValueError(f"unknown page {slug!r}")
    body = normalize_body(body)
    if not body.strip():
        raise ValueError("the page text is empty")
    number = (
        db.session.scalar(select(func.max(PageVersion.version)).where(PageVersion.page == slug))
        or 0
    ) + 1
    version = PageVersion(
        page=slug,
        version=number,
        body=body,
        summary=summary.strip(),
        created_by=user.id if user is not None else None,
    )
    db.session.add(version)
    record_event(AuditKind.PAGE_CHANGE, actor=user, detail=f"{slug} version {number}", commit=False)
    if number == 1:
        raise_revision()  # the footer links to the page from now on
    db.session.commit()
    g.pop("_kept_per_revision", None)
    log.info("page %s version %s published", slug, number)
    return version
