"""What of a customer the staff order pages show: the orders role sees the shipping name,
address and phone (the roles table and the privacy policy promise no more); the email, the
billing address and the account belong to the customer record, which the owner sees."""

from __future__ import annotations

from flask_login import current_user

from jomso.permissions import Permission


def sees_customer_record() -> bool:
    """Whether the order pages, the list, its search and its CSV may show (and find by) the
    email, billing address and account too."""
    return current_user.can(Permission.VIEW_CUSTOMERS)
