"""Product descriptions and content pages: Markdown rendered with markdown-it-py, then sanitized
with nh3.

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
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(source: str | None, shift: int = 2, top: int = 3) -> Markup:
    """Safe HTML for a Markdown text. Headings move ``shift`` levels down and none is above
    ``h{top}``: a product page owns h1 and h2, so a description's ``#`` becomes h3 (the
    defaults); a content page owns h1, so its ``#`` and ``##`` become h2 (``shift=0, top=2``)."""
    if not source:
        return Markup("")
    return _render(source, shift, max(2, top))


@lru_cache(maxsize=1024)  # descriptions change rarely and rendering is the costly part
def _render(source: str, shift: int, top: int) -> Markup:
    html = _HEADING.sub(
        lambda m: f"<{m[1]}h{max(top, min(int(m[2]) + shift, 6))}>", _renderer.render(source)
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above
