"""Rate limits of the privacy request form: each request sent emails a link to the address
typed, so the form must not become a way to fill someone's mailbox.

Per client address (keyed hashes, never the address): requests sent count against the tight
limit, every post (those with mistakes too) against the loose one. Per email address typed, a
few requests a day, whoever sends them.
"""

from __future__ import annotations

from jomso.accounts.limits import client_key, email_key
from jomso.extensions import limiter

SENT_PER_CLIENT = "5/hour"
POSTS_PER_CLIENT = "30/hour"
SENT_PER_EMAIL = "3/day"


def _accepted(response) -> bool:
    return response.status_code == 303


def request_limits(view):
    view = limiter.limit(
        SENT_PER_EMAIL, methods=["POST"], key_func=email_key, deduct_when=_accepted
    )(view)
    view = limiter.limit(
        SENT_PER_CLIENT, methods=["POST"], key_func=client_key, deduct_when=_accepted
    )(view)
    return limiter.limit(POSTS_PER_CLIENT, methods=["POST"], key_func=client_key)(view)
