"""The demo shop's delivery: two zones and three methods (``flask --app app demo``).

A new shop's database starts with the zone the upgrade to zones made ("Everywhere", one flat
rate: migration 0014). The demo replaces that one, while untouched, by a domestic zone (the
shop's own country: standard, free from $50, and express) and a European one (by weight).
Like the demo catalog, this is sample content in English for the owner to replace.
"""

from __future__ import annotations

from sqlalchemy import select

from jomso.addresses import shop_country
from jomso.catalog.page_cache import raise_revision
from jomso.extensions import db
from jomso.shipping.models import (
    EVERYWHERE_ELSE,
    MethodKind,
    ShippingArea,
    ShippingMethod,
    ShippingZone,
)

EUROPE = [
    "AT",
    "BE",
    "BG",
    "CH",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GB",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
]


def _untouched() -> bool:
    """Only the upgrade's "Everywhere" zone, as it made it (or no zone at all)."""
    zones = db.session.scalars(select(ShippingZone)).all()
    if not zones:
        return True
    if len(zones) > 1 or zones[0].name != "Everywhere":
        return False
    return [a.code for a in zones[0].areas] == [EVERYWHERE_ELSE] and len(zones[0].methods) == 1


def set_up_demo_shipping() -> bool:
    """Replace the untouched default by the demo's zones; True when it did."""
    if not _untouched():
        return False
    for zone in db.session.scalars(select(ShippingZone)).all():
        db.session.delete(zone)
    db.session.flush()
    home = shop_country()
    domestic = ShippingZone(name="Domestic", areas=[ShippingArea(country=home, region="")])
    domestic.methods = [
        ShippingMethod(
            name="Standard (3 to 5 days)",
            kind=MethodKind.FREE_ABOVE,
            price_cents=495,
            free_from_cents=5000,
            position=0,
        ),
        ShippingMethod(
            name="Express (next day)", kind=MethodKind.FLAT, price_cents=1495, position=1
        ),
    ]
    europe = ShippingZone(
        name="Europe",
        areas=[ShippingArea(country=code, region="") for code in EUROPE if code != home],
    )
    international = ShippingMethod(name="International parcel", kind=MethodKind.WEIGHT)
    international.bands = [(2000, 1495), (5000, 2495), (20000, 4995)]
    europe.methods = [international]
    db.session.add_all([domestic, europe])
    raise_revision()  # as shipping.editing does: the prices read the zones per revision
    db.session.commit()
    return True
