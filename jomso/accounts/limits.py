"""Rate limits for the account forms (Flask-Limiter; a breach answers 429 with a friendly page).

Counters are keyed by keyed hashes of the client's IP address, the email typed or the account
id, so the limiter's storage (and its log lines) hold no address in clear.

Sign-in is limited so that guessing a password cannot lock the real owner out:

- every attempt from a client counts against ``LOGIN_PER_CLIENT`` (against trying one password
  on many accounts);
- failed attempts count per account *and* client: after ``LOGIN_FAILURES_PER_CLIENT_AND_ACCOUNT``
  that client is refused for that account until the window ends (other clients are not);
- failed attempts also count per account, from every client. While an account is over
  ``LOGIN_FAILURES_PER_ACCOUNT`` (under attack from many addresses), each client gets
  ``LOGIN_FAILURES_UNDER_ATTACK`` failures on it: a client that failed is refused, a client that
  has not failed still signs in with the right password.
"""

from __future__ import annotations

import math
import time

from flask import request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse_many

from jomso.accounts.tokens import fingerprint
from jomso.extensions import limiter

LOGIN_PER_CLIENT = "10/minute"
LOGIN_FAILURES_PER_CLIENT_AND_ACCOUNT = "5/minute;20/hour"  # failed attempts only
LOGIN_FAILURES_PER_ACCOUNT = "20/hour"  # over it, each client gets the next limit's failures
LOGIN_FAILURES_UNDER_ATTACK = "1/hour"  # per client and account, while under attack
REGISTER_PER_CLIENT = "3/minute;10/hour"
RESET_PER_CLIENT = "5/minute;20/hour"
RESET_PER_ACCOUNT = "3/hour"
RESET_FORM_PER_CLIENT = "10/hour"
CONFIRM_RESEND_PER_ACCOUNT = "3/hour"
# Forms that ask for the current password (email change, password change, deletion).
PASSWORD_CHECK_PER_ACCOUNT = "10/hour"  # noqa: S105 - a rate, not a password

_PAIR = parse_many(LOGIN_FAILURES_PER_CLIENT_AND_ACCOUNT)
_ACCOUNT = parse_many(LOGIN_FAILURES_PER_ACCOUNT)
_UNDER_ATTACK = parse_many(LOGIN_FAILURES_UNDER_ATTACK)


def client_key() -> str:
    return "client:" + fingerprint(get_remote_address() or "")


def email_key() -> str:
    return "email:" + _email_fingerprint(request.form.get("email") or "")


def account_key() -> str:
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return client_key()


def per_client(limit: str):
    return limiter.limit(limit, methods=["POST"], key_func=client_key)


def per_email(limit: str):
    return limiter.limit(limit, methods=["POST"], key_func=email_key)


def per_account(limit: str):
    return limiter.limit(limit, methods=["POST"], key_func=account_key)


# -- sign-in failures ---------------------------------------------------------------------------


def _email_fingerprint(email: str) -> str:
    return fingerprint(email.strip().lower())


def _account_ids(email: str) -> tuple[str, str]:
    return "login-failures", "email:" + _email_fingerprint(email)


def _pair_ids(email: str) -> tuple[str, str]:
    pair = fingerprint(f"{get_remote_address() or ''}\n{email.strip().lower()}")
    return "login-failures", "client+email:" + pair


def sign_in_wait(email: str) -> int | None:
    """Seconds this client must wait before it may try to sign in to ``email`` again, or None
    when it may try now. Only this client's own failures on this account can make it wait."""
    if not limiter.enabled:
        return None
    strategy = limiter.limiter
    pair = _pair_ids(email)
    rules = list(_PAIR)
    if not all(strategy.test(item, *_account_ids(email)) for item in _ACCOUNT):
        rules += _UNDER_ATTACK
    resets = [
        strategy.get_window_stats(item, *pair).reset_time
        for item in rules
        if not strategy.test(item, *pair)
    ]
    if not resets:
        return None
    return max(1, math.ceil(max(resets) - time.time()))


def record_failed_sign_in(email: str) -> None:
    """Count a wrong password (or unknown address) for this client and account."""
    if not limiter.enabled:
        return
    strategy = limiter.limiter
    for item in (*_PAIR, *_UNDER_ATTACK):
        strategy.hit(item, *_pair_ids(email))
    for item in _ACCOUNT:
        strategy.hit(item, *_account_ids(email))
