"""Security headers, safe redirects and the per-view Content-Security-Policy hook."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, g, request

BASE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def extend_csp(**sources: list[str]) -> None:
    """Let the current view admit extra sources, e.g. Braintree on the checkout page only.

    Keyword names use underscores for dashes: ``extend_csp(script_src=[...])``.
    """
    extra = g.setdefault("csp_extra", {})
    for directive, values in sources.items():
        extra.setdefault(directive.replace("_", "-"), []).extend(values)


def _csp_header() -> str:
    policy = {k: list(v) for k, v in BASE_CSP.items()}
    for directive, values in g.get("csp_extra", {}).items():
        current = [v for v in policy.get(directive, []) if v != "'none'"]
        policy[directive] = current + [v for v in values if v not in current]
    return "; ".join(f"{k} {' '.join(v)}" for k, v in policy.items())


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site relative paths: no scheme, no host, no protocol-relative ``//``."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target


def init_security(app: Flask) -> None:
    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", _csp_header())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
            )
        return response
