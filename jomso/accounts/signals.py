"""Signals other domains listen to (the access log, the cart). Flask-Login's own
``user_logged_in`` / ``user_logged_out`` cover successful sign-ins and sign-outs."""

from blinker import Namespace

_signals = Namespace()

# Sent with the app as sender and ``user=`` the account whose password was wrong (None when
# the email is unknown); never with the email or password.
login_failed = _signals.signal("login-failed")

# Sent with the app as sender and ``user=`` once an account's email address is confirmed (the
# confirmation link, a confirmed change of address, a password reset from the mailbox). Orders
# listen to give the account the guest orders placed with that address.
email_confirmed = _signals.signal("email-confirmed")
