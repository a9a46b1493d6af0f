"""What privacy does when something happens to an account (``jomso.accounts.signals``), and
the notice it adds to the site-wide notices (``jomso.accounts.notices``)."""

from __future__ import annotations

from jomso.accounts.notices import register_notice
from jomso.accounts.signals import account_opening
from jomso.privacy.services import add_acceptance, changed_policy_for


@account_opening.connect
def _accept_current_policy(_sender, user, **_extra) -> None:
    """Registering accepts the policy in force, in the registration's transaction."""
    add_acceptance(user, source="registration")


# "Our privacy policy changed": the current version when the customer accepted an older one.
register_notice("changed_policy", changed_policy_for)
