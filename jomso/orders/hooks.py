"""What orders do when something happens in another domain."""

from __future__ import annotations

from jomso.accounts.signals import email_confirmed
from jomso.orders.services import link_guest_orders


@email_confirmed.connect
def _link_guest_orders(_sender, user, **_extra) -> None:
    """Guest orders placed with an address become the account's once it is confirmed."""
    link_guest_orders(user)
