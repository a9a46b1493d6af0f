"""Enquiries in the customer's data export and account deletion.

A customer's enquiries are those sent while signed in and, once the account's address is
confirmed, those sent from that address. Deleting the account anonymises them: name, email,
phone, order number, message and the replies are removed; what remains (topic, product, dates)
holds nothing about the person and keeps counting in product interest.
"""

from __future__ import annotations

from typing import Any

from jomso.accounts.models import User
from jomso.contact.services import anonymize, customer_enquiries
from jomso.extensions import db
from jomso.privacy.registry import register_erasure, register_export_section, row_dict


def _enquiries_section(user: User) -> list[dict[str, Any]]:
    return [
        row_dict(
            enquiry,
            topic_label=enquiry.topic_label,
            replies=[row_dict(reply) for reply in enquiry.replies],
        )
        for enquiry in customer_enquiries(user)
    ]


def _erase_enquiries(user: User) -> None:
    for enquiry in customer_enquiries(user):
        anonymize(enquiry)
    db.session.flush()


register_export_section("enquiries", _enquiries_section, tables=("enquiries", "enquiry_replies"))
register_erasure(_erase_enquiries)
