"""The registry of who else receives personal data: the processors that handle it for the shop
(the payment provider, the mail provider, the host) and other recipients (the carrier). The
privacy page lists them, with what each receives, where, any transfer outside the European
Economic Area and its safeguards, and any decision it makes about a person by automated means.

A domain registers the recipients its work involves, usually from its ``notice.py``:
``register_recipient(key, source)``, where ``source(config)`` returns a ``Recipient`` (or None
when the settings mean there is none, as for the mail provider of a shop without a mail
server). Settings are read when the page is shown, so it follows them. This module imports no
domain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

PROCESSOR = "processor"  # handles the data on the shop's behalf, under a contract with it
RECIPIENT = "recipient"  # receives data to do its own job (a carrier delivering a parcel)


@dataclass(frozen=True)
class Recipient:
    """Strings here are shown to customers: pass translated (lazy) strings, or settings."""

    name: Any
    kind: str  # PROCESSOR or RECIPIENT
    purpose: Any  # what for
    data: Any  # what it receives
    location: Any  # where it handles the data
    transfer: Any = ""  # a transfer outside the EEA: to where, and its safeguards ("": none)
    automated_decision: Any = ""  # a decision it makes about a person by automated means


RecipientSource = Callable[[Mapping[str, Any]], Recipient | None]
_SOURCES: dict[str, RecipientSource] = {}


def register_recipient(key: str, source: RecipientSource) -> None:
    """Add (or replace) the recipient ``key``; ``source(config)`` describes it."""
    _SOURCES[key] = source


def recipients(config: Mapping[str, Any]) -> list[Recipient]:
    """Every recipient with these settings, in registration order."""
    found = (source(config) for source in _SOURCES.values())
    return [recipient for recipient in found if recipient is not None]
