"""Security events that other parts of the app announce, written to the access log.

Sign-ins and failed sign-ins are recorded for staff accounts only: the log is the owner's
record of who could reach customers' data. A customer's own sign-ins would add a trail of
that customer's activity (with their IP address) that the privacy policy does not announce,
and would bury the staff entries the owner reads the log for.
"""

from __future__ import annotations

from flask_login import user_logged_in

from jomso.accounts.signals import login_failed
from jomso.audit.models import AuditKind
from jomso.audit.services import record_event
from jomso.permissions import PERMISSION_REFUSED_HOOKS


def _on_sign_in(_sender, user, **_extra) -> None:
    if user.is_staff:
        record_event(AuditKind.SIGN_IN, actor=user, detail="roles: " + ", ".join(user.role_names))


def _on_sign_in_failed(_sender, user=None, **_extra) -> None:
    # An unknown email has no account to attribute it to; the rate limit covers guessing.
    if user is not None and user.is_staff:
        record_event(AuditKind.SIGN_IN_FAILED, actor=user, detail="wrong password")


def _on_permission_refused(user, permission) -> None:
    needed = f"needs {permission}" if permission else "needs a staff role"
    record_event(AuditKind.PERMISSION_REFUSED, actor=user, detail=needed)


def connect() -> None:
    """Subscribe once per process (the receivers are app-independent)."""
    user_logged_in.connect(_on_sign_in)
    login_failed.connect(_on_sign_in_failed)
    if _on_permission_refused not in PERMISSION_REFUSED_HOOKS:
        PERMISSION_REFUSED_HOOKS.append(_on_permission_refused)
