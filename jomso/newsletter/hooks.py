"""What newsletter does when something happens to an account (``jomso.accounts.signals``)."""

from __future__ import annotations

from jomso.accounts.signals import account_registered, email_changing, profile_updated
from jomso.newsletter.services import follow_email_change, set_account_subscription, subscribe


@account_registered.connect
def _subscribe_new_account(_sender, user, newsletter, **_extra) -> None:
    """The registration form's new-product emails box: the double opt-in starts (its link is
    sent before the account's own confirmation link)."""
    if newsletter:
        subscribe(user.email, "registration", user=user)


@profile_updated.connect
def _follow_profile_choice(_sender, user, newsletter, **_extra) -> None:
    """The profile page's box: ticking starts the double opt-in, unticking unsubscribes."""
    set_account_subscription(user, newsletter)


@email_changing.connect
def _follow_email_change(_sender, user, new_email, **_extra) -> None:
    """The subscription moves to the account's new address, in the change's transaction."""
    follow_email_change(user, new_email)
