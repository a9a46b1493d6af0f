"""The session cookie and its CSRF token, each checked or signed once per process, not per page.

Flask keeps the session in a signed cookie (``SecureCookieSessionInterface``): every request
that sends one decodes, decompresses and checks the signature of the same string again, and
every page with a form signs the session's CSRF token again (Flask-WTF). For a visitor with a
cart or an account, that was a fifth of serving a cached page. So each worker process keeps

- the sessions of the cookies it has checked (``MAX_SESSIONS`` of them, the oldest dropped
  first), by the cookie's exact value: the same string has the same signature and says the
  same thing, so it needs checking once. Its age is still checked on every request against
  ``PERMANENT_SESSION_LIFETIME``, as Flask does; each request gets its own copy to change.
- the signed form of each session's CSRF token (``MAX_TOKENS``), reused for
  ``CSRF_TOKEN_REUSE_SECONDS``: a form token signed a minute ago is as good as a new one (it
  expires ``WTF_CSRF_TIME_LIMIT`` after it was signed, a minute sooner at most).

Neither is shared between visitors: each entry answers only to the exact cookie or token it was
made from. What is kept lives in the worker's memory only, as the cookie itself does in the
request.
"""

from __future__ import annotations

import copy
import time

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature

MAX_SESSIONS = 10_000
MAX_TOKENS = 10_000
CSRF_TOKEN_REUSE_SECONDS = 60
_TOKEN_FIELD = "csrf_token"  # noqa: S105 - Flask-WTF's default field name, kept by the shop
_TOKENS = "jomso.session_cookie.tokens"


def _bounded_put(store: dict, key, value, limit: int) -> None:
    if len(store) >= limit:
        del store[next(iter(store))]  # the oldest entry (dicts keep their order)
    store[key] = value


class CheckedOnceSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, each cookie value checked once per process."""

    def __init__(self) -> None:
        self._checked: dict[str, tuple[dict, int]] = {}
        self._serializer = None
        self._serializer_key = None

    def get_signing_serializer(self, app: Flask):
        # Made once (Flask makes one per request); it holds no request state.
        if self._serializer is None or self._serializer_key != app.secret_key:
            self._serializer = super().get_signing_serializer(app)
            self._serializer_key = app.secret_key
        return self._serializer

    def open_session(self, app: Flask, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        checked = self._checked.get(value)
        if checked is None:
            serializer = self.get_signing_serializer(app)
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            checked = (data, int(signed_at.timestamp()))
            _bounded_put(self._checked, value, checked, MAX_SESSIONS)
        elif time.time() - checked[1] > max_age:
            self._checked.pop(value, None)
            return self.session_class()
        return self.session_class(copy.deepcopy(checked[0]))


def _reuse_signed_token() -> None:
    """Put this session's recently signed CSRF token where Flask-WTF looks first (``g``), or
    sign it now and keep it, when the session has a token."""
    if request.endpoint == "static" or not session:  # ``not session`` leaves no Vary: Cookie
        return
    raw = session.get(_TOKEN_FIELD)
    if not isinstance(raw, str) or _TOKEN_FIELD in g:
        return
    tokens = current_app.extensions.setdefault(_TOKENS, {})
    now = time.monotonic()
    kept = tokens.get(raw)
    if kept is not None and now - kept[1] < CSRF_TOKEN_REUSE_SECONDS:
        setattr(g, _TOKEN_FIELD, kept[0])
        return
    signed = generate_csrf()  # signs ``raw``: the session has it and ``g`` had no token
    tokens.pop(raw, None)
    _bounded_put(tokens, raw, (signed, now), MAX_TOKENS)


def csrf_token() -> str:
    """This request's signed CSRF token, as Flask-WTF's ``generate_csrf`` gives it: the one on
    ``g`` once there is one (Flask-WTF reads its two settings from the config first, 8 µs a
    call, and a cart page asks five times), else made by Flask-WTF."""
    return g.get(_TOKEN_FIELD) or generate_csrf()


def init_session_cookie(app: Flask) -> None:
    app.session_interface = CheckedOnceSessions()
    app.before_request(_reuse_signed_token)

    @app.context_processor
    def _csrf_token():  # after Flask-WTF's own, so the templates' csrf_token() is this one
        return {"csrf_token": csrf_token}
