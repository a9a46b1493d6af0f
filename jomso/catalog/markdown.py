"""Product descriptions: Markdown rendered with markdown-it-py, then sanitized with nh3.

Raw HTML in the source is escaped by the renderer, and nh3 keeps only a small set of text tags
on top (no images, scripts, styles or event handlers; links get ``rel="nofollow noopener
noreferrer"``), so staff-written text can never inject markup into the shop.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_HEADING = re.compile(r"<(/?)h([1-6])>")
_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(source: str | None) -> Markup:
    """Safe HTML for a Markdown text; headings shift two levels down (the page owns h1, h2)."""
    if not source:
        return Markup("")
    return _render(source)


@lru_cache(maxsize=1024)  # descriptions change rarely and rendering is the costly part
def _render(source: str) -> Markup:
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 2, 6)}>", _renderer.render(source))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above
