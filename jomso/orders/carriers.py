"""Carriers and their tracking pages: the shop setting ``CARRIERS`` (a name and an address
with ``{tracking}`` for each), read here.

Staff choose a carrier when they ship (or type another one); the shipping email and both order
pages link the tracking number to the carrier's page when the carrier is one of the setting's
(its name matched without regard to case). The tracking number is put in the address
percent-encoded, so no number can change where the link leads.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app


def carrier_names() -> list[str]:
    """The carriers of the setting, in its order: what the ship form offers."""
    return list(current_app.config.get("CARRIERS") or {})


def tracking_url(carrier: str, tracking_number: str) -> str | None:
    """The page where this parcel is followed; None for a carrier the setting does not know
    or an empty tracking number."""
    if not carrier or not tracking_number:
        return None
    carriers = current_app.config.get("CARRIERS") or {}
    wanted = carrier.strip().casefold()
    for name, template in carriers.items():
        if name.strip().casefold() == wanted:
            return template.replace("{tracking}", quote(tracking_number.strip(), safe=""))
    return None
