"""Recording page views: one row per storefront page, identifiers only with consent.

A view may set ``g.analytics_product_id`` to the product it shows (the product detail page
does), so "top products viewed" survives a product's slug changing; without it the report
falls back to matching the path against product slugs. ``skip_page_view()`` keeps a page out
of the log.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Response, current_app, g, request
from flask_login import current_user
from ua_parser import Domain
from ua_parser import parser as ua_parser

from jomso.analytics import bp
from jomso.analytics.writer import write_now, writer
from jomso.consent.cookies import (
    VISITOR_COOKIE,
    consent_state,
    forget_visitor,
    issue_visitor_id,
    visitor_id_from_request,
)
from jomso.database import utcnow
from jomso.extensions import db
from jomso.logging_setup import redact

# Never recorded: the back office, files, machine endpoints. Matched as whole path segments.
EXCLUDED_PREFIXES = (
    "/staff",
    "/static",
    "/webhooks",
    "/healthz",
    "/readyz",
    "/images",
    "/cookies/consent",
    "/errors",
)
# View arguments that are public names and may stay in a recorded path; any other argument
# (an order number, a token) makes the path be stored as its route pattern instead.
PUBLIC_VIEW_ARGS = frozenset({"slug", "category_slug"})


def skip_page_view() -> None:
    """Keep the current request out of the page-view log."""
    g.analytics_skip = True


def _excluded(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in EXCLUDED_PREFIXES)


def _recordable(response: Response) -> bool:
    return (
        current_app.config["ANALYTICS_ENABLED"]
        and request.method == "GET"
        and request.endpoint not in (None, "static")
        and not 300 <= response.status_code < 400
        and response.mimetype == "text/html"
        and not _excluded(request.path)
        and not g.get("analytics_skip")
    )


def recorded_path() -> str:
    """The path to store: no query string, no private values, at most 500 characters."""
    view_args = request.view_args or {}
    if request.url_rule is not None and not PUBLIC_VIEW_ARGS.issuperset(view_args):
        path = request.url_rule.rule
    else:
        path = redact(request.path)
    return path[:500]


def referrer_host() -> str | None:
    """The referring site's host name, only when it is another site."""
    referrer = request.headers.get("Referer")
    if not referrer:
        return None
    try:
        parts = urlsplit(referrer)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    own = urlsplit(f"//{request.host}").hostname
    return None if host == own else host.lower()[:253]


@lru_cache(maxsize=2048)
def browser_and_os(user_agent: str) -> tuple[str | None, str | None, str | None, str | None]:
    """Browser and operating system reduced to family and major version (cached: parsing an
    unseen user agent costs about a third of a millisecond)."""
    if not user_agent:
        return None, None, None, None
    result = ua_parser(user_agent[:1000], Domain.USER_AGENT | Domain.OS)
    browser, system = result.user_agent, result.os
    return (
        browser.family[:50] if browser else "Other",
        browser.major[:10] if browser and browser.major else None,
        system.family[:50] if system else "Other",
        system.major[:10] if system and system.major else None,
    )


def _client_ip() -> str | None:
    try:
        return ipaddress.ip_address(request.remote_addr or "").compressed
    except ValueError:
        return None


@bp.after_app_request
def record_page_view(response: Response) -> Response:
    """Log this storefront page view; keep the visitor cookie in step with consent."""
    state = consent_state()
    if not state.analytics_allowed and VISITOR_COOKIE in request.cookies:
        forget_visitor(response)
    if not _recordable(response):
        return response

    browser, browser_version, system, system_version = browser_and_os(
        request.headers.get("User-Agent", "")
    )
    consented = state.analytics_allowed
    values = {
        "created_at": utcnow(),
        "path": recorded_path(),
        "product_id": g.get("analytics_product_id") if response.status_code < 400 else None,
        "status": response.status_code,
        "referrer_host": referrer_host(),
        "browser_family": browser,
        "browser_version": browser_version,
        "os_family": system,
        "os_version": system_version,
        "consented": consented,
        "visitor_id": (visitor_id_from_request() or issue_visitor_id(response, state))
        if consented
        else None,
        "ip": _client_ip() if consented else None,
        "ip_truncated": False,
        "user_id": current_user.id if consented and current_user.is_authenticated else None,
    }
    # Written on a connection of its own, so the view's session is left exactly as it was; by
    # the writer thread unless switched off (and always at once under TESTING, so tests see
    # their rows without waiting).
    if current_app.config["ANALYTICS_WRITE_BEHIND"] and not current_app.testing:
        writer.submit(db.engine, values)
    else:
        write_now(db.engine, values)
    return response
