"""How a typed code is read.

A customer may type ``summer 10``, ``Summer10`` or ``SUMMER10``: all the same code
(``normalise``: spaces and other blanks dropped, upper case). Codes read aloud or copied from
paper mix up O and 0, I, 1 and L: ``lookup_key`` folds them (O→0, I and L→1), so a customer
who types ``SUMMERIO`` gets ``SUMMER10``, and staff cannot create a code that differs from an
existing one only by such letters.
"""

from __future__ import annotations

import re

MAX_LENGTH = 40
# What a code may hold once normalised: letters, digits, dash and underscore.
ALLOWED = re.compile(r"[A-Z0-9_-]{1,40}")
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise(text: str | None) -> str:
    """The code as shown: no blanks, upper case."""
    return "".join((text or "").split()).upper()


def lookup_key(text: str | None) -> str:
    """The code with lookalike letters folded: what codes are matched and kept unique by."""
    return normalise(text).translate(_LOOKALIKES)


def well_formed(code: str) -> bool:
    """Whether a normalised code could be a code at all (a tampered field is not)."""
    return bool(ALLOWED.fullmatch(code))
