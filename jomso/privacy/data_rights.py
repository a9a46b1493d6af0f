"""The policy acceptances in the customer's data export and their retention: they go with the
account (ON DELETE CASCADE). The policy versions are the shop's records, not the customer's."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from jomso.accounts.models import User
from jomso.privacy.registry import declare_not_personal, register_export_section, row_dict
from jomso.privacy.retention import Action, declare_retention
from jomso.privacy.services import acceptances


def _acceptances_section(user: User) -> list[dict]:
    return [row_dict(a, policy_version=a.policy_version) for a in acceptances(user)]


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
