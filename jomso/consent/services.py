"""Consent services: the ledger of choices and the policy version they were made under."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import current_app, has_request_context, request
from flask_login import current_user

from jomso.consent.cookies import CHOICES, gpc_enabled
from jomso.consent.models import ConsentRecord
from jomso.extensions import db

ANALYTICS = "analytics"
# Where a choice can be made; other domains add their own (the contact form, registration).
SOURCES = (
    "banner",
    "settings",
    "gpc",
    "contact_form",
    "registration",
    "footer",
    "account",
    "email_link",  # the unsubscribe link in a new-product email
)


def current_policy_version() -> int:
    """The version of the privacy policy in force, or 1 before the policy is versioned."""
    try:
        from jomso.privacy.services import current_policy
    except ModuleNotFoundError as error:  # the privacy domain is not installed yet
        if error.name not in ("jomso.privacy.services", "jomso.privacy"):
            raise
        return 1
    policy = current_policy()
    return int(getattr(policy, "version", None) or 1)


def _ip_hash_key() -> bytes:
    # A key of its own, derived from the secret key: the hash cannot be reversed by trying
    # all 2**32 IPv4 addresses without the secret.
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"jomso.consent.ip-hash", hashlib.sha256).digest()


def hash_ip(ip: str | None) -> str | None:
    """HMAC-SHA256 of the normalised address, hex; None when there is no valid address."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    return hmac.new(_ip_hash_key(), address.compressed.encode(), hashlib.sha256).hexdigest()


def record_consent(
    choice: str,
    scope: str = ANALYTICS,
    source: str = "banner",
    user=None,
    visitor_id: str | None = None,
    ip: str | None = None,
    policy_version: int | None = None,
    subscriber_id: int | None = None,
    gpc: bool | None = None,
) -> ConsentRecord:
    """Append a choice to the consent ledger and commit.

    ``choice`` is "accept" or "decline"; ``scope`` names the purpose ("analytics",
    "newsletter"); ``source`` says where it was made (see ``SOURCES``). In a request, the
    signed-in account, the client address and the browser's Global Privacy Control signal are
    taken when not given; the address is stored only as a keyed hash. Every choice made while
    GPC is on says so (``gpc``), whatever its scope or source: the ledger shows the signal in
    force with each choice (for analytics it outweighs an accept). The policy version defaults
    to the one in force. ``subscriber_id``
    names the subscriber row a new-product email choice is about (``jomso.newsletter``), so
    the choice stays that subscriber's whether or not anyone was signed in.
    """
    if choice not in CHOICES:
        raise ValueError(f"unknown consent choice {choice!r}")
    if not scope or len(scope) > 40:
        raise ValueError("consent scope must be 1 to 40 characters")
    if source not in SOURCES:
        raise ValueError(f"unknown consent source {source!r}")
    if has_request_context():
        if user is None and current_user.is_authenticated:
            user = current_user
        if ip is None:
            ip = request.remote_addr
        if gpc is None:
            gpc = gpc_enabled()
    record = ConsentRecord(
        choice=choice,
        scope=scope,
        source=source,
        policy_version=policy_version or current_policy_version(),
        ip_hash=hash_ip(ip),
        user_id=user.id if user is not None else None,
        visitor_id=visitor_id,
        subscriber_id=subscriber_id,
        gpc=bool(gpc),
    )
    db.session.add(record)
    db.session.commit()
    return record
