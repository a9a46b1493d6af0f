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


def _csp(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{k} {' '.join(v)}" for k, v in policy.items())


_BASE_CSP_HEADER = _csp(BASE_CSP)
# Every answer's other security headers, written once.
_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
_HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def _csp_header() -> str:
    extra = g.get("csp_extra")
    if not extra:
        return _BASE_CSP_HEADER
    policy = {k: list(v) for k, v in BASE_CSP.items()}
    for directive, values in extra.items():
        current = [v for v in policy.get(directive, []) if v != "'none'"]
        policy[directive] = current + [v for v in values if v not in current]
    return _csp(policy)


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site relative paths: no scheme, no host, no protocol-relative ``//``."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target


def init_security(app: Flask) -> None:
    @app.after_request
    def _security_headers(response):
        headers = response.headers
        present = {name.lower() for name, _ in headers.items()}  # a view's own header stays
        if "content-security-policy" not in present:
            headers.add("Content-Security-Policy", _csp_header())
        for name, value in (*_HEADERS, _HSTS) if request.is_secure else _HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        return response
