"""The cookies this shop sets, and the two that consent governs.

``jomso_consent`` remembers the visitor's analytics choice: ``<choice>.<policy version>.<date>``,
signed with the secret key so it cannot be forged into an "accept". It is essential (without it
the choice could not be honoured) and carries no identifier. ``jomso_vid`` is the analytics
visitor id: a random value, set only while analytics consent holds and no Global Privacy Control
signal is sent, and deleted as soon as either stops being true.

The cookie settings page lists ``COOKIES``; a domain that adds a cookie registers it with
``register_cookie`` so the page stays complete.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from flask import Flask, Response, current_app, g, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, Signer

from jomso.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_DAYS

CONSENT_COOKIE = "jomso_consent"
VISITOR_COOKIE = "jomso_vid"
ACCEPT = "accept"
DECLINE = "decline"
CHOICES = (ACCEPT, DECLINE)

_VISITOR_ID_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")


@dataclass(frozen=True)
class CookieInfo:
    """One row of the cookie table on the settings page."""

    name: str
    purpose: str
    lifetime: str
    essential: bool


def _cookie_rows(app: Flask) -> list[CookieInfo]:
    cfg = app.config
    return [
        CookieInfo(
            cfg["SESSION_COOKIE_NAME"],
            _l(
                "Keeps your visit together: the security token that protects every form "
                "against forgery, your cart, and your sign-in. Set on your first page, "
                "because the cookie banner is a form."
            ),
            _l("Until you close your browser"),
            True,
        ),
        CookieInfo(
            CONSENT_COOKIE,
            _l(
                "Remembers whether you accepted or declined analytics cookies, so we do not "
                "ask on every page. Holds only your choice, the policy version and the date."
            ),
            _l("%(days)d days, then we ask again", days=cfg["CONSENT_MAX_AGE_DAYS"]),
            True,
        ),
        CookieInfo(
            cfg["REMEMBER_COOKIE_NAME"],
            _l('Keeps you signed in, only when you tick "Keep me signed in".'),
            _l("%(days)d days", days=int(cfg["REMEMBER_COOKIE_DURATION"]) // 86400),
            True,
        ),
        CookieInfo(
            LANGUAGE_COOKIE,
            _l(
                "Remembers the language you chose at the foot of the page. Set only when you "
                "choose one; it is your preference, so it needs no consent."
            ),
            _l("%(days)d days", days=LANGUAGE_COOKIE_DAYS),
            True,
        ),
        CookieInfo(
            VISITOR_COOKIE,
            _l(
                "A random number that lets us count returning visitors and see which pages "
                "help. Only after you accept; deleted when you decline."
            ),
            _l(
                "Until your consent runs out (%(days)d days at most)",
                days=cfg["CONSENT_MAX_AGE_DAYS"],
            ),
            False,
        ),
    ]


_EXTRA_COOKIES: list[CookieInfo] = []


def register_cookie(info: CookieInfo) -> None:
    """Add a cookie another domain sets, so the cookie settings page lists it."""
    if all(existing.name != info.name for existing in _EXTRA_COOKIES):
        _EXTRA_COOKIES.append(info)


def cookie_table() -> list[CookieInfo]:
    return _cookie_rows(current_app) + _EXTRA_COOKIES


@dataclass(frozen=True)
class ConsentState:
    """What this request may do: the stored choice (None when never made or expired) and the
    browser's Global Privacy Control signal, which always wins for analytics."""

    choice: str | None = None
    policy_version: int | None = None
    decided_on: date | None = None
    gpc: bool = False

    @property
    def analytics_allowed(self) -> bool:
        return self.choice == ACCEPT and not self.gpc

    @property
    def undecided(self) -> bool:
        return self.choice is None

    @property
    def expires_on(self) -> date | None:
        if self.decided_on is None:
            return None
        return self.decided_on + timedelta(days=current_app.config["CONSENT_MAX_AGE_DAYS"])


def _signer() -> Signer:
    # Cached per secret key: deriving the signing key is the costly part of unsigning.
    key = current_app.config["SECRET_KEY"]
    cache = current_app.extensions.setdefault("jomso_consent_signer", {})
    if key not in cache:
        cache.clear()
        cache[key] = Signer(key, salt="jomso.consent", digest_method=hashlib.sha256)
    return cache[key]


def encode_consent(choice: str, policy_version: int, decided_on: date) -> str:
    """The signed cookie value for a choice (tests use it to make an old choice)."""
    return _signer().sign(f"{choice}.{int(policy_version)}.{decided_on.isoformat()}").decode()


def decode_consent(value: str | None, today: date | None = None) -> ConsentState:
    """The choice a cookie value holds; a forged, malformed or expired value holds none."""
    if not value:
        return ConsentState()
    today = today or datetime.now(UTC).date()
    return _decode(_signer(), str(value)[:200], today, current_app.config["CONSENT_MAX_AGE_DAYS"])


@lru_cache(maxsize=1024)
def _decode(signer: Signer, value: str, today: date, max_age: int) -> ConsentState:
    # Cached: a visitor sends the same value with every request, and checking the signature
    # is most of the work. The key includes the signer, so a new secret key starts afresh.
    try:
        choice, version, day = signer.unsign(value).decode().split(".")
        state = ConsentState(choice, int(version), date.fromisoformat(day))
    except (BadSignature, ValueError, UnicodeDecodeError):
        return ConsentState()
    if choice not in CHOICES or not (-1 <= (today - state.decided_on).days < max_age):
        return ConsentState()
    return state


def gpc_enabled() -> bool:
    """The browser sends Global Privacy Control (``Sec-GPC: 1``)."""
    return request.headers.get("Sec-GPC", "").strip() == "1"


def consent_state() -> ConsentState:
    """The consent that holds for the current request (computed once per request)."""
    state = g.get("_jomso_consent")
    if state is None:
        stored = decode_consent(request.cookies.get(CONSENT_COOKIE))
        state = ConsentState(stored.choice, stored.policy_version, stored.decided_on, gpc_enabled())
        g._jomso_consent = state
    return state


def _cookie_options() -> dict:
    return {
        "path": "/",
        "secure": bool(current_app.config["SESSION_COOKIE_SECURE"]),
        "httponly": True,
        "samesite": "Lax",
    }


def store_choice(response: Response, choice: str, policy_version: int) -> ConsentState:
    """Put the choice in the consent cookie; returns the state it now holds."""
    today = datetime.now(UTC).date()
    max_age = current_app.config["CONSENT_MAX_AGE_DAYS"] * 86400
    response.set_cookie(
        CONSENT_COOKIE,
        encode_consent(choice, policy_version, today),
        max_age=max_age,
        **_cookie_options(),
    )
    state = ConsentState(choice, policy_version, today, gpc_enabled())
    g._jomso_consent = state
    return state


def visitor_id_from_request() -> str | None:
    value = request.cookies.get(VISITOR_COOKIE)
    return value if value and _VISITOR_ID_RE.match(value) else None


def issue_visitor_id(response: Response, state: ConsentState) -> str:
    """A new random visitor id in ``jomso_vid``, living no longer than the consent."""
    visitor_id = secrets.token_urlsafe(16)
    expires = state.expires_on or datetime.now(UTC).date()
    expires_at = datetime.combine(expires, datetime.min.time(), tzinfo=UTC)
    max_age = max(0, int((expires_at - datetime.now(UTC)).total_seconds()))
    response.set_cookie(VISITOR_COOKIE, visitor_id, max_age=max_age, **_cookie_options())
    return visitor_id


def forget_visitor(response: Response) -> None:
    """Delete the visitor id cookie in the browser (an expired Set-Cookie), once."""
    prefix = VISITOR_COOKIE + "="
    if not any(h.startswith(prefix) for h in response.headers.getlist("Set-Cookie")):
        response.delete_cookie(VISITOR_COOKIE, **_cookie_options())


def forget_choice(response: Response) -> None:
    """Delete the consent cookie in the browser: the banner asks again."""
    response.delete_cookie(CONSENT_COOKIE, **_cookie_options())
