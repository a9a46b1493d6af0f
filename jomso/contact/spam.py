"""Spam protection for the contact form, without third parties.

- A honeypot: a text field hidden from people (its label asks them to leave it empty) that
  form-filling robots fill in. Such posts are answered like any other and thrown away.
- A minimum fill time: the form carries the time it was shown, signed with the secret key.
  Sent sooner than ``CONTACT_MIN_SECONDS`` later, the form comes back asking to send it again
  (a fast person loses nothing; a robot has to wait). A missing or forged stamp counts as a
  robot. An old stamp is fine: people leave tabs open.
- A rate limit per client address (``limits.py``).
"""

from __future__ import annotations

import hashlib
import time
from enum import Enum

from flask import current_app
from itsdangerous import BadData, TimestampSigner

_STAMP_VALUE = b"contact-form"


class Verdict(Enum):
    OK = "ok"
    TOO_FAST = "too_fast"
    ROBOT = "robot"


def _signer() -> TimestampSigner:
    return TimestampSigner(
        current_app.config["SECRET_KEY"], salt="jomso-contact-shown", digest_method=hashlib.sha256
    )


def form_stamp() -> str:
    """The signed time the form is shown, for its hidden field."""
    return _signer().sign(_STAMP_VALUE).decode()


def judge(honeypot: str | None, stamp: str | None) -> Verdict:
    """What to do with a submitted form, before looking at its content."""
    if honeypot:
        return Verdict.ROBOT
    try:
        value, shown_at = _signer().unsign(stamp or "", return_timestamp=True)
    except BadData:
        return Verdict.ROBOT
    if value != _STAMP_VALUE:
        return Verdict.ROBOT
    elapsed = time.time() - shown_at.timestamp()
    if elapsed < float(current_app.config["CONTACT_MIN_SECONDS"]):
        return Verdict.TOO_FAST
    return Verdict.OK
