"""What orders do when something happens in another domain: an account that confirms its
email address gets the guest orders placed with it (never an anonymized one)."""

from __future__ import annotations

import logging

from sqlalchemy import update

from jomso.accounts.models import User
from jomso.accounts.signals import email_confirmed
from jomso.extensions import db
from jomso.orders.models import Order

log = logging.getLogger(__name__)


def link_guest_orders(user: User) -> int:
    """Give ``user`` the guest orders placed with their (now confirmed) email; returns how
    many. Called when an account confirms its address."""
    if not user.email_confirmed_at:
        return 0
    result = db.session.execute(
        update(Order)
        .where(Order.user_id.is_(None), Order.email == user.email, Order.anonymized_at.is_(None))
        .values(user_id=user.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    linked = result.rowcount or 0
    if linked:
        log.info("account %s: %d guest orders linked", user.id, linked)
    return linked


@email_confirmed.connect
def _link_guest_orders(_sender, user, **_extra) -> None:
    """Guest orders placed with an address become the account's once it is confirmed."""
    link_guest_orders(user)
