"""Helpers for the consent and analytics tests: cookies set, choices made through the banner,
page views seeded at chosen times."""

from __future__ import annotations

import re
from datetime import date, datetime

from jomso.analytics.models import PageView
from jomso.consent.cookies import encode_consent
from jomso.extensions import db

IP = "203.0.113.77"
IPV6 = "2001:db8:abcd:12:3456:789a:bcde:f012"
CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
ESSENTIAL = {"jomso_session", "jomso_consent", "jomso_remember"}
_BANNER_TOKEN = re.compile(
    r'<form class="cookie-banner-actions".*?name="csrf_token" value="([^"]+)"', re.S
)


def cookies_set(response) -> dict[str, str]:
    """Name -> full Set-Cookie header, for every cookie the response sets or deletes."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def is_deletion(header: str) -> bool:
    return "Max-Age=0" in header or "Expires=Thu, 01 Jan 1970" in header


def banner_token(html: str) -> str:
    match = _BANNER_TOKEN.search(html)
    assert match, "no cookie banner on the page"
    return match.group(1)


def choose(client, choice: str, page: str = "/", headers=None, **extra):
    """Open ``page`` and press a banner button, as a browser without scripts does."""
    html = client.get(page, headers=headers).text
    data = {"csrf_token": banner_token(html), "choice": choice, "next": page, "source": "banner"}
    data.update(extra)
    return client.post("/cookies/consent", data=data, headers=headers)


def choose_in_settings(client, choice: str, headers=None):
    """Press a button on the cookie settings page."""
    from tests.conftest import csrf_token_from

    html = client.get("/cookies", headers=headers).text
    data = {
        "csrf_token": csrf_token_from(html),
        "choice": choice,
        "next": "/cookies",
        "source": "settings",
    }
    return client.post("/cookies/consent", data=data, headers=headers)


def consent_cookie(client, choice: str, decided_on: date, version: int = 1) -> None:
    """Put a signed consent cookie made on ``decided_on`` in the client's jar."""
    app = client.application
    with app.test_request_context():
        value = encode_consent(choice, version, decided_on)
    client.set_cookie("jomso_consent", value, domain="shop.test")


def add_views(app, *views: dict) -> None:
    """Insert page views; each dict gives columns, ``created_at`` an aware datetime."""
    with app.app_context():
        for values in views:
            values = {"path": "/", "status": 200, **values}
            db.session.add(PageView(**values))
        db.session.commit()


def at(year, month, day, hour=12, tz=None) -> datetime:
    from datetime import UTC

    return datetime(year, month, day, hour, tzinfo=tz or UTC)
