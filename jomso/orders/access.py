"""Who may see an order page: the account that placed it, or whoever holds the signed link.

The link in the confirmation email carries ``?token=`` signed with the secret key (salt
``jomso-order-access``), naming the order number and a keyed fingerprint of the order's email
address. It works for ``ORDER_LINK_DAYS``; when the customer's data is erased the email
becomes "deleted" and every link to the order stops working. The browser that placed the
order also gets a grant in its session (``session["order_access"]``, the last few order
numbers), so a guest sees the confirmation page without a token in the address bar.
"""

from __future__ import annotations

import hashlib

from flask import current_app, session
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer

from jomso.accounts.tokens import fingerprint, matches
from jomso.orders.models import Order

SESSION_KEY = "order_access"
MAX_GRANTS = 10


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt="jomso-order-access",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def make_token(order: Order) -> str:
    return _serializer().dumps({"o": order.number, "f": fingerprint(order.email)})


def token_opens(order: Order, token: str | None) -> bool:
    """Whether ``token`` is a valid, unexpired link token for this order."""
    if not token:
        return False
    max_age = int(current_app.config["ORDER_LINK_DAYS"]) * 24 * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadData:
        return False
    if not isinstance(data, dict) or data.get("o") != order.number:
        return False
    return matches(str(data.get("f", "")), order.email)


def grant(order: Order) -> None:
    """Let this browser's session see the order (the checkout that placed it)."""
    numbers = [n for n in session.get(SESSION_KEY, []) if n != order.number]
    session[SESSION_KEY] = [*numbers, order.number][-MAX_GRANTS:]


def granted(order: Order) -> bool:
    return order.number in session.get(SESSION_KEY, [])


def may_view(order: Order, token: str | None = None) -> bool:
    """The order's own account, a session granted at checkout, or a valid link token."""
    if current_user.is_authenticated and order.user_id == current_user.id:
        return True
    return granted(order) or token_opens(order, token)
