"""Rate limit of the footer's subscribe form (each request can send a confirmation email)."""

from __future__ import annotations

from jomso.accounts.limits import client_key
from jomso.extensions import limiter

SUBSCRIBE_PER_CLIENT = "10/hour"


def subscribe_limit():
    return limiter.limit(SUBSCRIBE_PER_CLIENT, methods=["POST"], key_func=client_key)
