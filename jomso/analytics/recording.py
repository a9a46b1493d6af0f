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

from flask import Request, Response, current_app, g, request
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


_EXCLUDED_BELOW = tuple(prefix + "/" for prefix in EXCLUDED_PREFIXES)


def _excluded(path: str) -> bool:
    return path in EXCLUDED_PREFIXES or path.startswith(_EXCLUDED_BELOW)


def _recordable(req: Request, response: Response) -> bool:
    return (
        req.method == "GET"
        and req.endpoint not in (None, "static")
        and not 300 <= response.status_code < 400
        and response.mimetype == "text/html"
        and not _excluded(req.path)
        and not g.get("analytics_skip")
    )


def recorded_path(req: Request) -> str:
    """The path to store: no query string, no private values, at most 500 characters."""
    rule, args = req.url_rule, req.view_args
    if rule is not None and not (args and PUBLIC_VIEW_ARGS.issuperset(args)):
        path = rule.rule  # the path itself when the rule takes no arguments
    else:
        path = redact(req.path)  # public names only (a product's slug), or no page at all
    return path[:500]


def referrer_host(req: Request) -> str | None:
    """The referring site's host name, only when it is another site."""
    referrer = req.headers.get("Referer")
    if not referrer:
        return None
    try:
        parts = urlsplit(referrer)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    own = urlsplit(f"//{req.host}").hostname
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


def _client_ip(req: Request) -> str | None:
    try:
        return ipaddress.ip_address(req.remote_addr or "").compressed
    except ValueError:
        return None


@bp.after_app_request
def record_page_view(response: Response) -> Response:
    """Log this storefront page view; keep the visitor cookie in step with consent."""
    req = request._get_current_object()  # read a dozen times: once through the proxy
    state = consent_state()
    if not state.analytics_allowed and VISITOR_COOKIE in req.cookies:
        forget_visitor(response)
    config = current_app.config
    if not config["ANALYTICS_ENABLED"] or not _recordable(req, response):
        return response

    browser, browser_version, system, system_version = browser_and_os(
        req.headers.get("User-Agent", "")
    )
    consented = state.analytics_allowed
    values = {
        "created_at": utcnow(),
        "path": recorded_path(req),
        "product_id": g.get("analytics_product_id") if response.status_code < 400 else None,
        "status": response.status_code,
        "referrer_host": referrer_host(req),
        "browser_family": browser,
        "browser_version": browser_version,
        "os_family": system,
        "os_version": system_version,
        "consented": consented,
        "visitor_id": (visitor_id_from_request() or issue_visitor_id(response, state))
        if consented
        else None,
        "ip": _client_ip(req) if consented else None,
        "ip_truncated": False,
        "user_id": current_user.id if consented and current_user.is_authenticated else None,
    }
    # Written on a connection of its own, so the view's session is left exactly as it was; by
    # the writer thread unless switched off (and always at once under TESTING, so tests see
    # their rows without waiting).
    if config["ANALYTICS_WRITE_BEHIND"] and not current_app.testing:
        writer.submit(db.engine, values)
    else:
        write_now(db.engine, values)
    return response
