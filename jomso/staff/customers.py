"""Customer records for the owner: the queries, and the sections of a customer's page.

A customer's page is a list of sections. This area provides the profile and the phone numbers
and addresses (the privacy area adds the accepted policy versions); later work adds orders and
enquiries by appending a ``CustomerSection`` to ``CUSTOMER_SECTIONS``
(from its own package, at import) with a template and a function loading what it shows.
Whatever the sections show, opening the page writes exactly one access-log entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from jomso.accounts.models import User
from jomso.extensions import db


@dataclass(frozen=True)
class CustomerSection:
    """One block of the customer page. ``template`` is included with ``customer`` and the
    dict returned by ``load(customer)`` in its context."""

    key: str
    title: object  # a lazy translated string
    template: str
    load: Callable[[User], dict] = field(default=lambda _customer: {})


def _contact(customer: User) -> dict:
    return {"addresses": customer.addresses, "phones": customer.phones}


CUSTOMER_SECTIONS: list[CustomerSection] = [
    CustomerSection("profile", _l("Profile"), "staff/customers/_profile.html"),
    CustomerSection(
        "contact", _l("Phone numbers and addresses"), "staff/customers/_contact.html", _contact
    ),
]


def register_customer_section(section: CustomerSection) -> None:
    """Add a section to every customer page (once; a second call with the same key replaces)."""
    CUSTOMER_SECTIONS[:] = [s for s in CUSTOMER_SECTIONS if s.key != section.key]
    CUSTOMER_SECTIONS.append(section)


CUSTOMER_ORDERINGS = {
    "newest": (User.created_at.desc(), User.id.desc()),
    "oldest": (User.created_at.asc(), User.id.asc()),
    "name": (func.lower(User.name).asc(), User.id.asc()),
    "email": (User.email.asc(), User.id.asc()),
}


def customers_query(search: str = "", sort: str = "newest") -> Select:
    """Customer accounts (accounts with no staff role), optionally those whose name or email
    contains ``search``, in the order ``sort`` names (``CUSTOMER_ORDERINGS``; newest first by
    default). Sorting by what customers ordered is the order pages' to add: this package does
    not read orders."""
    query = select(User).where(~User.roles.any())
    search = search.strip()
    if search:
        query = query.where(
            or_(
                User.email.icontains(search, autoescape=True),
                User.name.icontains(search, autoescape=True),
            )
        )
    return query.order_by(*CUSTOMER_ORDERINGS.get(sort, CUSTOMER_ORDERINGS["newest"]))


def get_customer(customer_id: int) -> User | None:
    """The customer account with this id; None for unknown ids and for staff accounts."""
    user = db.session.get(User, customer_id)
    return user if user is not None and not user.is_staff else None


def customer_sections(customer: User) -> list[tuple[CustomerSection, dict]]:
    """Each section with what it loaded for ``customer``."""
    return [(section, section.load(customer)) for section in CUSTOMER_SECTIONS]
