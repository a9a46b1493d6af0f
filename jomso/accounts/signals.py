"""Signals other domains listen to (the access log, the cart, orders, newsletter, privacy), so
that accounts need not import them. Flask-Login's own ``user_logged_in`` / ``user_logged_out``
cover successful sign-ins and sign-outs.

Every signal is sent with the app as sender. Receivers are connected when their package is
imported (e.g. ``jomso/orders/hooks.py``), and run synchronously, at the point of sending: an
exception from a receiver propagates to the account service that sent it.
"""

from blinker import Namespace

_signals = Namespace()

# Sent with ``user=`` the account whose password was wrong (None when the email is unknown);
# never with the email or password.
login_failed = _signals.signal("login-failed")

# Sent with ``user=`` once an account's email address is confirmed (the confirmation link, a
# confirmed change of address, a password reset from the mailbox). Orders listen to give the
# account the guest orders placed with that address.
email_confirmed = _signals.signal("email-confirmed")

# Sent with ``user=`` inside the registration transaction: the new account row is flushed (it
# has an id) but not committed. Receivers add their rows to that transaction and do not
# commit; an IntegrityError (the address was taken meanwhile) rolls everything back. Privacy
# records the acceptance of the policy in force.
account_opening = _signals.signal("account-opening")

# Sent with ``user=`` and ``newsletter=`` (whether the visitor ticked the new-product emails
# box) once a new account is committed, just before its confirmation link is sent. Newsletter
# starts its double opt-in, so its own confirmation link goes out first.
account_registered = _signals.signal("account-registered")

# Sent with ``user=`` and ``newsletter=`` (the profile page's new-product emails box) after the
# profile is committed. Newsletter starts the double opt-in, or unsubscribes every row.
profile_updated = _signals.signal("profile-updated")

# Sent with ``user=`` (still at its old address) and ``new_email=`` when a confirmed change of
# address is about to be committed, inside that transaction: receivers do not commit.
# Newsletter moves the account's subscription to the new address.
email_changing = _signals.signal("email-changing")
