"""Privacy's own parts of a person's data export and erasure.

- The policy acceptances: they go with the account (ON DELETE CASCADE). The policy versions are
  the shop's records, not the customer's.
- The privacy requests made from the person's proved addresses. An erasure keeps each request
  as the shop's record of what was asked and done, and empties what identifies the person in
  it (the address, the text, the browser, the links).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from jomso.privacy.registry import (
    DataSubject,
    declare_not_exported,
    declare_not_personal,
    register_erasure,
    register_export_section,
    row_dict,
)
from jomso.privacy.requests import erase_requests, subject_requests
from jomso.privacy.retention import Action, declare_retention
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
declare_retention(
    "policy acceptances: kept with the account",
    data=_l("Which version of this policy you accepted, and when"),
    tables=("policy_acceptances",),
    action=Action.DELETE,
    period=lambda _config: _("until you delete your account"),
)


def _requests_section(subject: DataSubject) -> list[dict]:
    return [row_dict(request) for request in subject_requests(subject)]


def _erase_requests(subject: DataSubject) -> None:
    erase_requests(subject_requests(subject))


register_export_section("privacy_requests", _requests_section, tables=("privacy_requests",))
register_erasure(_erase_requests)
declare_not_exported("privacy_requests.verify_nonce", "a random value signed into the emailed link")
declare_not_exported("privacy_requests.data_key", "a random value signed into the emailed link")
