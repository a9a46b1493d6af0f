"""Enquiries in a person's data export and erasure.

A person's enquiries are those sent while signed in to their account and those sent from one
of their proved addresses (the account's once confirmed, a privacy request's). An erasure
anonymises them: name, email, phone, order number, message and the replies are removed; what
remains (topic, product, dates) holds nothing about the person and keeps counting in product
interest.
"""

from __future__ import annotations

from typing import Any

from jomso.contact.services import anonymize, subject_enquiries
from jomso.extensions import db
from jomso.privacy.registry import DataSubject, register_erasure, register_export_section, row_dict


def _enquiries_section(subject: DataSubject) -> list[dict[str, Any]]:
    return [
        row_dict(
            enquiry,
            topic_label=enquiry.topic_label,
            replies=[row_dict(reply) for reply in enquiry.replies],
        )
        for enquiry in subject_enquiries(subject)
    ]


def _erase_enquiries(subject: DataSubject) -> None:
    for enquiry in subject_enquiries(subject):
        anonymize(enquiry)
    db.session.flush()


register_export_section("enquiries", _enquiries_section, tables=("enquiries", "enquiry_replies"))
register_erasure(_erase_enquiries)
