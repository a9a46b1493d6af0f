"""Rate limits of the contact form, per client address (keyed hashes, never the address).

Sent messages count against the tight limit; every post (also those with mistakes in them)
counts against the loose one, so a robot cannot probe the form endlessly either.
"""

from __future__ import annotations

from jomso.accounts.limits import client_key
from jomso.extensions import limiter

SENT_PER_CLIENT = "5/hour"
POSTS_PER_CLIENT = "30/hour"


def _accepted(response) -> bool:
    return response.status_code == 303


def contact_limits(view):
    view = limiter.limit(
        SENT_PER_CLIENT, methods=["POST"], key_func=client_key, deduct_when=_accepted
    )(view)
    return limiter.limit(POSTS_PER_CLIENT, methods=["POST"], key_func=client_key)(view)
