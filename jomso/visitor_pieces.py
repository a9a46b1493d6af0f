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
  Control on or off): rendered once per tuple, language and script root in this process and
  reused, with the CSRF token and the address of the page (``here()``) left as placeholders
  put in for each visitor. So what is kept is the same for every visitor with that tuple, and
  nothing personal is kept.

A piece nobody registered a key for is rendered for each visitor, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, get_flashed_messages, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from jomso.i18n import current_language

EMPTY = None
PERSONAL = object()
TOKEN = "\x00csrf-token\x00"  # noqa: S105 - a marker, not a secret
_HERE = "\x00here\x00"
_MAKING = "visitor_piece_making"
_EXTENSION = "jomso.visitor_pieces"
MAX_KEPT = 512

_keys: dict[str, Callable[[], Any]] = {}


def piece_key(name: str, key: Callable[[], Any]) -> None:
    """Register what the piece ``name`` (a template) depends on for the current visitor."""
    _keys[name] = key


def here() -> str:
    """The address of the current page without an empty ``?`` (a form's ``next``): a
    placeholder while a kept piece is made, put in for each visitor."""
    if g.get(_MAKING):
        return _HERE
    return request.full_path.rstrip("?")


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
    full_key = (name, key, current_language(), request.script_root)
    piece = kept.get(full_key)
    if piece is None:
        g.setdefault(_MAKING, True)
        try:
            piece = _render(name, None)
        finally:
            g.pop(_MAKING, None)
        token = g.get("csrf_token")
        if token:
            piece = piece.replace(token, TOKEN)
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[full_key] = piece
    if _HERE in piece:
        piece = piece.replace(_HERE, str(escape(here())))
    if TOKEN in piece:
        piece = piece.replace(TOKEN, generate_csrf())
    return piece


def _flashes_key():
    return PERSONAL if get_flashed_messages() else EMPTY


piece_key("partials/flashes.html", _flashes_key)


def piece_markup(name: str, context: Callable[[], dict]) -> Markup:
    return Markup(render_piece(name, context))  # noqa: S704 - a template's output, escaped by Jinja
