"""How each visitor's pieces of a page are made cheaply (``visitor_piece``, page_cache.py).

Every page serve puts five pieces in: the account links, the cart link, the flashes, the
signed-in customer's notices and the cookie banner. Rendering each as a template for each
visitor costs more than the rest of serving a cached page, so a piece's domain says, with
``piece_key(name, key)``, what the piece depends on for this visitor; ``key()`` returns

- ``EMPTY`` (None): the piece is empty for this visitor (no flashes, no banner once a choice
  is made, no notices for a visitor who is not signed in): no template is rendered;
- ``PERSONAL``: the piece holds something of this visitor's own (a flash, the customer's email
  in a notice): rendered for them, never kept;
- a tuple of what it shows (signed in or not, staff or not, the cart count, Global Privacy
  Control on or off, which notices a customer has): rendered once per tuple, language and
  script root in this process and reused, with the CSRF token and the visitor's own values
  (``blank(name)``: the address of the page, ``here()``; a customer's email) left as
  placeholders put in for each visitor. So what is kept is the same for every visitor with
  that tuple, and nothing personal is kept.

A piece nobody registered a key for is rendered for each visitor, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, g, get_flashed_messages, request
from markupsafe import Markup, escape

from jomso.i18n import current_language
from jomso.session_cookie import csrf_token

EMPTY = None
PERSONAL = object()
TOKEN = "\x00csrf-token\x00"  # noqa: S105 - a marker, not a secret
_BLANK = re.compile("\x00blank:(\\w+)\x00")
_MAKING = "visitor_piece_making"
_EXTENSION = "jomso.visitor_pieces"
MAX_KEPT = 512

_keys: dict[str, Callable[[], Any]] = {}
_blanks: dict[str, Callable[[], str]] = {}


def piece_key(name: str, key: Callable[[], Any]) -> None:
    """Register what the piece ``name`` (a template) depends on for the current visitor."""
    _keys[name] = key


def register_blank(name: str, value: Callable[[], str]) -> None:
    """Let pieces show ``blank(name)``: ``value()`` for the current visitor."""
    _blanks[name] = value


def blank(name: str) -> str:
    """The visitor's own value ``name``: a placeholder while a kept piece is made, put in
    (escaped) for each visitor the piece is served to."""
    if g.get(_MAKING):
        return f"\x00blank:{name}\x00"
    return _blanks[name]()


def here() -> str:
    """The address of the current page without an empty ``?`` (a form's ``next``)."""
    return blank("here")


register_blank("here", lambda: request.full_path.rstrip("?"))


@contextmanager
def making() -> Iterator[None]:
    """While something kept for many visitors is made (a kept piece, a cached page body):
    ``blank()`` gives placeholders, which ``fill_blanks`` puts each visitor's values into."""
    outer = g.get(_MAKING)
    setattr(g, _MAKING, True)
    try:
        yield
    finally:
        if not outer:
            g.pop(_MAKING, None)


def fill_blanks(html: str) -> str:
    """``html`` with the current visitor's values (escaped) in its blanks."""
    if "\x00blank:" not in html:
        return html
    return _BLANK.sub(lambda match: blank_value(match[1]), html)


def blank_value(name: str) -> str:
    """The current visitor's value (escaped) of the blank ``name``."""
    return str(escape(_blanks[name]()))


def _render(name: str, context: dict | None) -> str:
    if context is None:
        context = {}
        current_app.update_template_context(context)
    return current_app.jinja_env.get_template(name).render(context)


def render_piece(name: str, context: Callable[[], dict] | None = None) -> str:
    """The piece ``name`` for the current visitor. ``context()`` gives the template context
    when one is needed (the page's own, or None for a fresh one)."""
    key_of = _keys.get(name)
    key = PERSONAL if key_of is None else key_of()
    if key is EMPTY:
        return ""
    if key is PERSONAL:
        return _render(name, context() if context else None)
    kept = current_app.extensions.setdefault(_EXTENSION, {})
    where = g.get("_visitor_pieces_where")  # the same for each piece of the request
    if where is None:
        where = g._visitor_pieces_where = (current_language(), request.script_root)
    full_key = (name, key, *where)
    piece = kept.get(full_key)
    if piece is None:
        with making():
            piece = _render(name, None)
        token = g.get("csrf_token")
        if token:
            piece = piece.replace(token, TOKEN)
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[full_key] = piece
    piece = fill_blanks(piece)
    if TOKEN in piece:
        piece = piece.replace(TOKEN, csrf_token())
    return piece


def _flashes_key():
    return PERSONAL if get_flashed_messages() else EMPTY


piece_key("partials/flashes.html", _flashes_key)


def piece_markup(name: str, context: Callable[[], dict]) -> Markup:
    return Markup(render_piece(name, context))  # noqa: S704 - a template's output, escaped by Jinja
