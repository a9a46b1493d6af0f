"""The policy acceptances in the customer's data export; they go with the account (ON DELETE
CASCADE). The policy versions are the shop's records, not the customer's."""

from __future__ import annotations

from jomso.privacy.registry import (
    DataSubject,
    declare_not_personal,
    register_export_section,
    row_dict,
)
from jomso.privacy.services import acceptances


def _acceptances_section(subject: DataSubject) -> list[dict]:
    if subject.user is None:
        return []
    return [row_dict(a, policy_version=a.policy_version) for a in acceptances(subject.user)]


register_export_section("policy_acceptances", _acceptances_section, tables=("policy_acceptances",))
declare_not_personal(
    "policy_versions",
    "created_by names the staff member who published a version: shop records, not customer data",
)
