"""The public content pages, ``/pages/<page_slug>``, and the footer's links to them."""

from __future__ import annotations

from flask import abort, render_template

from jomso.pages import bp
from jomso.pages.services import get_page, latest_version, published_pages, render_page


@bp.get("/<page_slug>")
def page(page_slug: str):
    """The newest version of the page; 404 for a page with no version yet."""
    content = get_page(page_slug)
    version = latest_version(page_slug) if content is not None else None
    if version is None:
        abort(404)
    return render_template(
        "pages/page.html", page=content, version=version, body=render_page(version.body)
    )


@bp.app_context_processor
def footer_pages():
    """``footer_pages()`` in templates: the pages the footer links to (read when called)."""
    return {"footer_pages": published_pages}
