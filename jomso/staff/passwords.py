"""Password rules for new staff passwords: the same rules as customers' passwords.

Kept here because the accounts area may provide its own ``validate_new_password``; the two
are meant to be one function, and the lead keeps whichever lands first.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 1024  # the login form accepts no more
MIN_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from offline attacks"


def validate_new_password(password: str, user_inputs: Sequence[str] = ()) -> list[str]:
    """What is wrong with ``password`` as a new password, as messages for the person; an
    empty list when it is good. ``user_inputs`` (email, name, shop name) count as guessable."""
    if len(password) < MIN_LENGTH:
        return [_("Use at least %(num)d characters.", num=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(num)d characters.", num=MAX_LENGTH)]
    inputs = [part for text in user_inputs if text for part in _pieces(text)]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < MIN_SCORE:
        return [
            _(
                "This password is too easy to guess. A few unrelated words, or a longer "
                "mix of letters, digits and signs, will do."
            )
        ]
    return []


def _pieces(text: str) -> list[str]:
    """The text and its parts, so "ann.example@shop.test" also rules out "ann" and "example"."""
    lowered = text.lower()
    parts = [lowered]
    for sep in "@._- +":
        lowered = lowered.replace(sep, " ")
    parts.extend(p for p in lowered.split() if len(p) > 2)
    return parts
