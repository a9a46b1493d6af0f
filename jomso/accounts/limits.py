"""Rate limits for the account forms (Flask-Limiter; a breach answers 429 with a friendly page).

Counters are keyed by keyed hashes of the client's IP address, the email typed or the account
id, so the limiter's storage (and its log lines) hold no address in clear.
"""

from __future__ import annotations

from flask import request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from jomso.accounts.tokens import fingerprint
from jomso.extensions import limiter

LOGIN_PER_CLIENT = "10/minute"
LOGIN_FAILURES_PER_ACCOUNT = "5/minute;20/hour"  # counts failed attempts only
REGISTER_PER_CLIENT = "3/minute;10/hour"
RESET_PER_CLIENT = "5/minute;20/hour"
RESET_PER_ACCOUNT = "3/hour"
RESET_FORM_PER_CLIENT = "10/hour"
CONFIRM_RESEND_PER_ACCOUNT = "3/hour"
# Forms that ask for the current password (email change, password change, deletion).
PASSWORD_CHECK_PER_ACCOUNT = "10/hour"  # noqa: S105 - a rate, not a password


def client_key() -> str:
    return "client:" + fingerprint(get_remote_address() or "")


def email_key() -> str:
    return "email:" + fingerprint((request.form.get("email") or "").strip().lower())


def account_key() -> str:
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return client_key()


def _failed(response) -> bool:
    return response.status_code != 302


def per_client(limit: str):
    return limiter.limit(limit, methods=["POST"], key_func=client_key)


def per_email(limit: str, failures_only: bool = False):
    return limiter.limit(
        limit,
        methods=["POST"],
        key_func=email_key,
        deduct_when=_failed if failures_only else None,
    )


def per_account(limit: str):
    return limiter.limit(limit, methods=["POST"], key_func=account_key)
