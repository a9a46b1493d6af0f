"""Signed links for confirming a subscription and for unsubscribing.

A link names the subscriber row and a random value stored on it, signed with the secret key;
the address itself never appears in a URL. Confirmation links expire after
``CONFIRM_MAX_AGE`` and stop working once used or when a newer one is sent. Unsubscribe links
never expire: whoever holds an email must always be able to stop the next one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_MAX_AGE = 7 * 24 * 3600


class InvalidLink(Exception):
    """The link was tampered with, has expired, or no longer applies."""


def new_secret() -> str:
    return secrets.token_hex(16)


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt="jomso-newsletter-confirm",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(
        current_app.config["SECRET_KEY"],
        salt="jomso-newsletter-unsubscribe",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def confirm_token(subscriber_id: int, nonce: str) -> str:
    return _confirm_serializer().dumps({"s": subscriber_id, "n": nonce})


def unsubscribe_token(subscriber_id: int, key: str) -> str:
    return _unsubscribe_serializer().dumps({"s": subscriber_id, "k": key})


def read_confirm_token(token: str) -> tuple[int, str]:
    """(subscriber id, nonce) of a valid, unexpired confirmation link; else ``InvalidLink``."""
    try:
        data = _confirm_serializer().loads(token, max_age=CONFIRM_MAX_AGE)
        return int(data["s"]), str(data["n"])
    except (BadData, KeyError, TypeError, ValueError) as error:
        raise InvalidLink from error


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(subscriber id, key) of a validly signed unsubscribe link; else ``InvalidLink``."""
    try:
        data = _unsubscribe_serializer().loads(token)
        return int(data["s"]), str(data["k"])
    except (BadData, KeyError, TypeError, ValueError) as error:
        raise InvalidLink from error


def same(stored: str | None, given: str) -> bool:
    return stored is not None and hmac.compare_digest(stored, given)
