"""Values read with the signed-in account's session, in the same statement.

Every page a signed-in customer sees loads their session (``user_sessions.user_for_session``)
and, for the header, asks a few small things of their own: the units in their cart, the privacy
policy version they accepted. Each was a query of its own. A domain registers such a value
here as a scalar subquery over the account's id (``register_session_value``); the session's
statement reads each as a column beside the session, its account and roles, so a signed-in
page costs one statement for all of them. The registry imports none of the domains that
register.

A value read this way holds for the request it was read in only until the request writes
anything (``jomso.request_memo``): any flush and any INSERT, UPDATE or DELETE statement drops
them all, and the domain asks the database again (``session_value`` answers ``MISSING``).
Nothing is kept across requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from jomso.request_memo import MISSING, keep, kept

_subqueries: dict[str, Callable[[ColumnElement], ColumnElement]] = {}


def register_session_value(name: str, subquery: Callable[[ColumnElement], ColumnElement]) -> None:
    """Read ``subquery(user_id)`` (a scalar subquery, correlated to the account id column it is
    given) with every signed-in session; ``session_value(name, user_id)`` answers it."""
    _subqueries[name] = subquery


def columns(user_id: ColumnElement) -> list[ColumnElement]:
    """The registered values as labelled columns over ``user_id``, in registration order."""
    return [
        subquery(user_id).label(f"session_value_{name}") for name, subquery in _subqueries.items()
    ]


def names() -> list[str]:
    return list(_subqueries)


def remember(user_id: int, values: dict[str, Any]) -> None:
    """Keep what the session's statement read, for this request (until it writes)."""
    keep("session_values", (user_id, values))


def read_with_session(name: str) -> Any:
    """The value read with the session loaded in this request, whoever's it is (a value that
    is the same for every account, such as the catalog revision), or ``MISSING``."""
    values = kept("session_values")
    if values is MISSING:
        return MISSING
    return values[1].get(name, MISSING)


def session_value(name: str, user_id: int) -> Any:
    """The value read with ``user_id``'s session in this request, or ``MISSING`` (another
    account, no signed-in session, or the request has written since)."""
    values = kept("session_values")
    if values is MISSING or values[0] != user_id:
        return MISSING
    return values[1].get(name, MISSING)
