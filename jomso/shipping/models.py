"""Shipping zones and their methods.

A zone is a set of areas. An area is a country (``region`` empty), one region of a country
(a US state, a Canadian province: ``region`` is the code the address forms keep, such as
"CA"), or ``*``: every country no other zone names. An area belongs to one zone at most
(unique), so zones never overlap; an address falls in the zone of its region first, then of
its country, then the ``*`` zone.
"""

from __future__ import annotations

import json

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jomso.extensions import db

EVERYWHERE_ELSE = "*"


class ShippingZone(db.Model):
    __tablename__ = "shipping_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))

    areas: Mapped[list[ShippingArea]] = relationship(
        back_populates="zone",
        cascade="all, delete-orphan",
        order_by="(ShippingArea.country, ShippingArea.region)",
    )
    methods: Mapped[list[ShippingMethod]] = relationship(
        back_populates="zone",
        cascade="all, delete-orphan",
        order_by="(ShippingMethod.position, ShippingMethod.id)",
    )


class ShippingArea(db.Model):
    __tablename__ = "shipping_areas"
    __table_args__ = (UniqueConstraint("country", "region"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(
        ForeignKey("shipping_zones.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166 code, or "*"
    region: Mapped[str] = mapped_column(String(100), default="")  # "" for the whole country

    zone: Mapped[ShippingZone] = relationship(back_populates="areas")

    @property
    def code(self) -> str:
        """How staff type it: "DE", "US-CA", "*"."""
        return f"{self.country}-{self.region}" if self.region else self.country


class MethodKind:
    FLAT = "flat"  # one price
    FREE_ABOVE = "free_above"  # a price, free from a subtotal
    WEIGHT = "weight"  # a price per weight band; heavier than the last band: not offered
    PICKUP = "pickup"  # collected at the shop: no address, offered to everyone

    ALL = (FLAT, FREE_ABOVE, WEIGHT, PICKUP)


class ShippingMethod(db.Model):
    __tablename__ = "shipping_methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a local pickup, which belongs to no zone.
    zone_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipping_zones.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))  # MethodKind
    price_cents: Mapped[int] = mapped_column(default=0)
    free_from_cents: Mapped[int | None] = mapped_column()  # FREE_ABOVE: free from this subtotal
    # WEIGHT: JSON [[up_to_grams, cents], ...], ascending.
    weight_bands: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    zone: Mapped[ShippingZone | None] = relationship(back_populates="methods")

    @property
    def bands(self) -> list[tuple[int, int]]:
        """The weight bands as (up to grams, cents), lightest first."""
        if not self.weight_bands:
            return []
        return sorted((int(grams), int(cents)) for grams, cents in json.loads(self.weight_bands))

    @bands.setter
    def bands(self, value: list[tuple[int, int]]) -> None:
        self.weight_bands = json.dumps(sorted([int(g), int(c)] for g, c in value))

    @property
    def needs_address(self) -> bool:
        return self.kind != MethodKind.PICKUP
