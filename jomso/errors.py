"""Error pages in the shop's look, for the status codes a visitor can meet."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import Flask, render_template, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from jomso.extensions import db
from jomso.request_limits import drain_refused_body

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please try again.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("We could not find the page you asked for.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (
        _l("Too large"),
        _l("What you sent is larger than the shop accepts. Please send something smaller."),
    ),
    429: (
        _l("Too many attempts"),
        _l("You have tried this too often. Please wait a little and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The shop hit an unexpected problem. Nothing was charged; please try again."),
    ),
}


def render_error(code: int, message: str | None = None, title: str | None = None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=title or default_title,
            message=message or default_message,
        ),
        code,
    )


def _retry_after_seconds(error: HTTPException) -> int | None:
    """Seconds until the breached rate limit lets the visitor try again."""
    from jomso.extensions import limiter

    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        return int(retry_after)
    limit = limiter.current_limit
    if limit is not None and limit.breached:
        return max(1, int(limit.reset_at - time.time()))
    return None


def _too_many_requests(error: HTTPException):
    seconds = _retry_after_seconds(error)
    if seconds is None:
        return render_error(429)
    wait = format_timedelta(timedelta(seconds=seconds), threshold=1, add_direction=False)
    message = _(
        "You have tried this too often. For your security, please wait %(wait)s and try again.",
        wait=wait,
    )
    return (*render_error(429, message=message), {"Retry-After": str(seconds)})


def init_errors(app: Flask) -> None:
    @app.get("/errors/too-large")
    def too_large_page():
        """The "Too large" page for the reverse proxy to show when a body passes its own limit
        (deploy/nginx/jomso.conf: error_page 413), so that it too is in the shop's look."""
        return render_error(413)

    @app.errorhandler(SecurityError)
    def _untrusted_host(error: SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        log.warning("request refused: %s", error.description)
        return _("Bad request"), 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return render_error(
            400,
            title=_l("This form has expired"),
            message=_l(
                "For your security, forms expire after a while. Please go back, reload the "
                "page and send the form again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 429:
            return _too_many_requests(error)
        if error.code == 413:
            drain_refused_body()
        response = render_error(error.code, message=getattr(error, "jomso_message", None))
        if error.code == 405 and getattr(error, "valid_methods", None):
            return (*response, {"Allow": ", ".join(error.valid_methods)})
        return response

    @app.errorhandler(Exception)
    def _server_error(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
