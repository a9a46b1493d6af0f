"""The shop's own address, for every full link the shop gives out (mail, command output).

A link in an email must lead to this shop whatever request made it send the mail: the
``Host`` and ``X-Forwarded-Host`` headers are chosen by whoever sends the request, so a
password reset asked for with ``Host: evil.example`` must not mail a link to evil.example.
``shop_url_for(endpoint, **values)`` builds full URLs from the shop's base URL, which is,
in this order:

1. ``SHOP_URL`` (scheme, host and port, and a path prefix when the shop lives under one).
   Production requires it (``jomso.config`` refuses to start without it).
2. In development, inside a request, the request's own address, but only when the operator
   listed the hosts to trust (``TRUSTED_HOSTS``) and this request's host is one of them.
3. ``SERVER_NAME`` (with Flask's ``PREFERRED_URL_SCHEME`` and ``APPLICATION_ROOT``).
4. ``http://127.0.0.1:5000/``, where ``flask run`` and ``demo`` listen by default (``demo``
   sets ``SHOP_URL`` to the address it serves when none is configured).

Pages keep using ``url_for``: relative links in a page are the page's own business.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from flask import current_app, has_request_context, request
from flask.ctx import RequestContext
from werkzeug.exceptions import SecurityError
from werkzeug.routing import MapAdapter
from werkzeug.wsgi import get_host

DEVELOPMENT_URL = "http://127.0.0.1:5000/"


def split_shop_url(value: str) -> SplitResult:
    """``SHOP_URL`` checked and split: ``http(s)://host[:port][/prefix]``; ValueError says
    what is wrong with it."""
    parts = urlsplit(str(value).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"JOMSO_SHOP_URL must be the shop's full address, like https://shop.example.com, "
            f"not {value!r}."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(
            f"JOMSO_SHOP_URL must be a plain address (scheme, host, optional port and path), "
            f"not {value!r}."
        )
    return parts._replace(path=parts.path.rstrip("/") + "/")


def shop_base_url() -> str:
    """The shop's base URL, ending in ``/``, by the rules in the module docstring."""
    app = current_app
    configured = app.config.get("SHOP_URL")
    if configured:
        return split_shop_url(configured).geturl()
    trusted = app.config.get("TRUSTED_HOSTS")
    if trusted and has_request_context():
        try:
            host = get_host(request.environ, trusted_hosts=trusted)
        except SecurityError:
            host = None  # not a host the operator listed: never put it in a link
        if host:
            return f"{request.scheme}://{host}{request.script_root}/"
    if app.config.get("SERVER_NAME"):
        adapter = app.create_url_adapter(None)
        return f"{adapter.url_scheme}://{adapter.server_name}{adapter.script_name}"
    return DEVELOPMENT_URL


def shop_url_for(endpoint: str, **values) -> str:
    """The full URL of ``endpoint`` (a full name such as ``"accounts.password_reset"``) on
    the shop's own address, never the request's ``Host``. Values go into the rule or the
    query string, as with ``url_for``."""
    app = current_app
    app.inject_url_defaults(endpoint, values)
    return _adapter(shop_base_url()).build(endpoint, values, force_external=True)


def shop_request_context() -> RequestContext:
    """A request context on the shop's own address, for commands and background sending that
    render mail templates outside a request."""
    return current_app.test_request_context("/", base_url=shop_base_url())


def _adapter(base_url: str) -> MapAdapter:
    parts = urlsplit(base_url)
    return current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
