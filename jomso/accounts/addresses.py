"""The address book: a customer's addresses, one default for billing and one for shipping.

Every lookup goes through ``own_address``, so an address id from a URL or form reaches only
the signed-in customer's own addresses.
"""

from __future__ import annotations

from sqlalchemy import select

from jomso.accounts.models import Address, User
from jomso.extensions import db

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country")


def own_address(user: User, address_id: int) -> Address | None:
    """The address with this id when it belongs to ``user``; otherwise None."""
    return db.session.scalar(
        select(Address).where(Address.id == address_id, Address.user_id == user.id)
    )


def add_address(
    user: User, data: dict[str, str], billing: bool = False, shipping: bool = False
) -> Address:
    """Add an address; the first one becomes both defaults."""
    billing = billing or user.default_billing_address is None
    shipping = shipping or user.default_shipping_address is None
    address = Address(
        **{k: data.get(k) or "" for k in ADDRESS_FIELDS},
        is_default_billing=False,
        is_default_shipping=False,
    )
    user.addresses.append(address)
    _apply_defaults(user, address, billing, shipping)
    db.session.commit()
    return address


def update_address(
    address: Address, data: dict[str, str], billing: bool = False, shipping: bool = False
) -> None:
    """Change an address; ticking a default moves it here (unticking keeps the default, as
    there must be one while addresses exist)."""
    for key in ADDRESS_FIELDS:
        setattr(address, key, data.get(key) or "")
    _apply_defaults(address.user, address, billing, shipping)
    db.session.commit()


def make_default(address: Address, billing: bool = False, shipping: bool = False) -> None:
    _apply_defaults(address.user, address, billing, shipping)
    db.session.commit()


def delete_address(address: Address) -> None:
    """Delete an address; a default it held passes to the oldest remaining address."""
    user = address.user
    user.addresses.remove(address)
    db.session.flush()
    remaining = user.addresses
    if remaining:
        if user.default_billing_address is None:
            remaining[0].is_default_billing = True
        if user.default_shipping_address is None:
            remaining[0].is_default_shipping = True
    db.session.commit()


def _apply_defaults(user: User, address: Address, billing: bool, shipping: bool) -> None:
    for other in user.addresses:
        if billing:
            other.is_default_billing = other is address
        if shipping:
            other.is_default_shipping = other is address
