"""Signed links of the privacy requests: the one that proves the address, the one that
downloads an access request's data.

A link names the request and a random value stored on it, signed with the secret key (each
purpose with its own salt): no address in a URL. The proof expires after ``VERIFY_MAX_AGE``
and works once; the download works for ``PRIVACY_DATA_LINK_DAYS`` days from when it was sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

VERIFY_MAX_AGE = 7 * 24 * 3600
_VERIFY = "jomso-privacy-request-verify"
_DATA = "jomso-privacy-request-data"


class InvalidLink(Exception):
    """The link was tampered with, has expired, or no longer applies."""


def new_secret() -> str:
    return secrets.token_hex(16)


def data_link_max_age() -> int:
    return int(current_app.config["PRIVACY_DATA_LINK_DAYS"]) * 24 * 3600


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=salt, signer_kwargs={"digest_method": hashlib.sha256}
    )


def verify_token(request_id: int, nonce: str) -> str:
    return _serializer(_VERIFY).dumps({"r": request_id, "n": nonce})


def data_token(request_id: int, key: str) -> str:
    return _serializer(_DATA).dumps({"r": request_id, "k": key})


def _read(salt: str, token: str, max_age: int, field: str) -> tuple[int, str]:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
        return int(data["r"]), str(data[field])
    except (BadData, KeyError, TypeError, ValueError) as error:
        raise InvalidLink from error


def read_verify_token(token: str) -> tuple[int, str]:
    """(request id, nonce) of a valid, unexpired proof link; else ``InvalidLink``."""
    return _read(_VERIFY, token, VERIFY_MAX_AGE, "n")


def read_data_token(token: str) -> tuple[int, str]:
    """(request id, key) of a valid, unexpired download link; else ``InvalidLink``."""
    return _read(_DATA, token, data_link_max_age(), "k")


def same(stored: str | None, given: str) -> bool:
    return stored is not None and hmac.compare_digest(stored, given)
