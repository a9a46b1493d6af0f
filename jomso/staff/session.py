"""Staff session security: idle expiry for staff accounts, no caching of staff pages."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import ngettext
from flask_login import current_user, login_fresh, logout_user

from jomso.audit import AuditKind, record_event
from jomso.staff.blueprint import bp

# Unix time of the staff member's last request, in the session cookie.
LAST_SEEN_KEY = "staff_seen"


def _is_staff_path() -> bool:
    return request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/")


@bp.before_app_request
def _expire_idle_staff_session():
    """Sign a staff member out once they have been idle longer than STAFF_IDLE_MINUTES.

    A staff session restored from a "keep me signed in" cookie has no last-seen time and is
    not fresh; it is ended too, so that cookie cannot stretch a staff session past the limit.
    """
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if not current_user.is_staff:
        return None
    minutes = int(current_app.config["STAFF_IDLE_MINUTES"])
    now = int(time.time())
    seen = session.get(LAST_SEEN_KEY)
    expired = minutes > 0 and (
        (seen is None and not login_fresh()) or (seen is not None and now - seen > minutes * 60)
    )
    if not expired:
        session[LAST_SEEN_KEY] = now
        return None
    record_event(AuditKind.SESSION_EXPIRED, detail=f"idle over {minutes} min")
    session.clear()
    logout_user()  # after clear(): it leaves the mark that deletes the remember cookie
    flash(
        ngettext(
            "You were signed out after %(num)d minute of inactivity.",
            "You were signed out after %(num)d minutes of inactivity.",
            minutes,
        ),
        "info",
    )
    if _is_staff_path() or request.method != "GET":
        target = request.full_path.rstrip("?") if request.method == "GET" else request.path
        return redirect(url_for("accounts.login", next=target))
    return None  # a shop page: carry on, signed out


@bp.after_app_request
def _no_store_for_staff_pages(response):
    """Staff pages show personal data: no browser or proxy may keep a copy."""
    if _is_staff_path():
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response
