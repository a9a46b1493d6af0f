"""Signed, expiring links for email confirmation, email change and password reset.

Each purpose has its own salt, so a token made for one cannot be used for another. Payloads
carry an account id and an HMAC fingerprint (never an email address or a hash in clear: the
token travels in a URL). A reset token is bound to the current password hash and so works once.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

CONFIRM_EMAIL = "confirm-email"
CHANGE_EMAIL = "change-email"
PASSWORD_RESET = "password-reset"  # noqa: S105 - a salt name, not a secret

# How long each link stays valid, in seconds.
MAX_AGE = {
    CONFIRM_EMAIL: 7 * 24 * 3600,
    CHANGE_EMAIL: 24 * 3600,
    PASSWORD_RESET: 3600,
}


class InvalidToken(Exception):
    """The link was tampered with, has expired, or was already used."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=f"jomso-{purpose}",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def fingerprint(value: str) -> str:
    """A keyed digest of ``value``: lets a token name a value without revealing it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def make_token(purpose: str, user_id: int, bound_to: str) -> str:
    """A token for ``user_id`` that is valid only while ``bound_to`` is unchanged."""
    return _serializer(purpose).dumps({"u": user_id, "f": fingerprint(bound_to)})


def read_token(purpose: str, token: str) -> tuple[int, str]:
    """The (user id, fingerprint) in a valid, unexpired token; raises ``InvalidToken``."""
    try:
        data = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
        return int(data["u"]), str(data["f"])
    except (BadData, KeyError, TypeError, ValueError) as error:
        raise InvalidToken from error


def matches(bound_fingerprint: str, value: str | None) -> bool:
    return value is not None and hmac.compare_digest(bound_fingerprint, fingerprint(value))
