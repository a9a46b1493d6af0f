"""The price of delivering a cart to an address: the one place that says it.

``quotes(country, region, subtotal_cents, weight_grams)``
    The methods that apply, each as a ``Quote`` (integer cents), cheapest first: the active
    methods of the address's zone (its region's, else its country's, else the ``*`` zone),
    then every active local pickup. A weight-band method is left out for a cart heavier than
    its last band. An address in no zone gets the pickups only, or nothing.
``estimate(subtotal_cents, weight_grams)``
    What the cart shows before an address is known: the cheapest delivery to the shop's own
    country (``addresses.shop_country``), or None when the shop does not deliver there.
``shipping_countries()``
    The countries an address may be in to be delivered to (None: every country, when a zone
    holds ``*``); the checkout's delivery address offers only these.
``free_from_cents()``
    The subtotal from which delivery to the shop's country is free, if a method says so (the
    product page's hint).

The zone tables hold a few dozen rows: ``quotes``, ``estimate``, ``shipping_countries`` and
``free_from_cents`` read them whole, once per catalog revision in each process
(``catalog.page_cache.kept_per_revision``; every change through ``shipping.editing`` raises
the revision), and work on that copy, so the cart and the checkout make no query for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from jomso.addresses import shop_country
from jomso.extensions import db
from jomso.shipping.models import EVERYWHERE_ELSE, MethodKind, ShippingArea, ShippingMethod


@dataclass(frozen=True)
class Quote:
    method_id: int
    name: str
    kind: str
    cents: int
    # How much more to spend for this method to be free (0: free already, or never free).
    free_gap_cents: int = 0

    @property
    def needs_address(self) -> bool:
        return self.kind != MethodKind.PICKUP


def price(method: ShippingMethod | Offer, subtotal_cents: int, weight_grams: int) -> int | None:
    """What ``method`` charges for a cart, or None when it does not take it."""
    if method.kind == MethodKind.FREE_ABOVE:
        free_from = method.free_from_cents
        if free_from is not None and subtotal_cents >= free_from:
            return 0
        return method.price_cents
    if method.kind == MethodKind.WEIGHT:
        for up_to, cents in method.bands:
            if weight_grams <= up_to:
                return cents
        return None
    return method.price_cents  # flat and pickup


def _quote(method: ShippingMethod | Offer, subtotal_cents: int, weight_grams: int) -> Quote | None:
    cents = price(method, subtotal_cents, weight_grams)
    if cents is None:
        return None
    gap = 0
    if method.kind == MethodKind.FREE_ABOVE and cents and method.free_from_cents is not None:
        gap = method.free_from_cents - subtotal_cents
    return Quote(method.id, method.name, method.kind, cents, gap)


@dataclass(frozen=True)
class Offer:
    """An active method as the prices read it (a copy of its row, kept across requests)."""

    id: int
    zone_id: int | None
    name: str
    kind: str
    price_cents: int
    free_from_cents: int | None
    bands: tuple[tuple[int, int], ...]

    @property
    def needs_address(self) -> bool:
        return self.kind != MethodKind.PICKUP


@dataclass(frozen=True)
class _Table:
    areas: tuple[tuple[int, str, str], ...]  # (zone id, country, region)
    methods: tuple[Offer, ...]  # the active ones, by position


def _table() -> _Table:
    """Every area and active method, read once per catalog revision in this process."""
    # Here, not at the top: the catalog package imports the cart, which imports this module.
    from jomso.catalog.page_cache import kept_per_revision

    return kept_per_revision("shipping table", _read_table)


def _read_table() -> _Table:
    areas = db.session.execute(
        select(ShippingArea.zone_id, ShippingArea.country, ShippingArea.region)
    ).all()
    methods = db.session.scalars(
        select(ShippingMethod)
        .where(ShippingMethod.is_active)
        .order_by(ShippingMethod.position, ShippingMethod.id)
    )
    return _Table(
        areas=tuple((a.zone_id, a.country, a.region or "") for a in areas),
        methods=tuple(
            Offer(m.id, m.zone_id, m.name, m.kind, m.price_cents, m.free_from_cents, tuple(m.bands))
            for m in methods
        ),
    )


def zone_id_for(country: str, region: str = "") -> int | None:
    """The zone an address falls in: its region's, else its country's, else the ``*`` zone."""
    if not country:
        return None
    rows = [
        (zone_id, area_country, area_region)
        for zone_id, area_country, area_region in _table().areas
        if (area_country == country and area_region in ("", region or ""))
        or area_country == EVERYWHERE_ELSE
    ]
    best = sorted(rows, key=lambda r: (r[1] == EVERYWHERE_ELSE, r[2] == ""))
    return best[0][0] if best else None


def quotes(country: str, region: str, subtotal_cents: int, weight_grams: int) -> list[Quote]:
    offers = _methods(country, region)
    found = [q for m in offers if (q := _quote(m, subtotal_cents, weight_grams)) is not None]
    # Deliveries first, cheapest first; the pickups after them.
    return sorted(found, key=lambda q: (not q.needs_address, q.cents))


def _methods(country: str, region: str) -> list[Offer]:
    """The active methods of the address's zone and the pickups, by position."""
    zone_id = zone_id_for(country, region)
    return [m for m in _table().methods if m.zone_id is None or m.zone_id == zone_id]


def estimate(subtotal_cents: int, weight_grams: int) -> Quote | None:
    delivered = [
        q for q in quotes(shop_country(), "", subtotal_cents, weight_grams) if q.needs_address
    ]
    return delivered[0] if delivered else None


def shipping_countries() -> set[str] | None:
    table = _table()
    offering = {m.zone_id for m in table.methods if m.zone_id is not None}
    countries = {country for zone_id, country, _region in table.areas if zone_id in offering}
    return None if EVERYWHERE_ELSE in countries else countries


def free_from_cents() -> int | None:
    zone_id = zone_id_for(shop_country())
    if zone_id is None:
        return None
    free = [
        m.free_from_cents
        for m in _table().methods
        if m.zone_id == zone_id
        and m.kind == MethodKind.FREE_ABOVE
        and m.free_from_cents is not None
    ]
    return min(free) if free else None


def method_names() -> list[str]:
    """The names of every method, zones' and pickups', for the order list's filter."""
    return sorted(set(db.session.scalars(select(ShippingMethod.name))), key=str.casefold)


def setup_state() -> tuple[int, int, bool]:
    """For the owner's checklist: the zones, the methods offered, and whether the only zone is
    the one-rate-everywhere a new shop starts with (holding ``*`` only)."""
    table = _table()
    zone_ids = {zone_id for zone_id, _country, _region in table.areas}
    only_default = [country for _zone, country, _region in table.areas] == [EVERYWHERE_ELSE]
    return len(zone_ids), len(table.methods), only_default


def zones_without_methods() -> list[str]:
    """For the owner's checklist: the names of the zones that offer no active method. An
    address in one of them gets no delivery at checkout (not even from the ``*`` zone)."""
    from jomso.shipping.models import ShippingZone

    offering = select(ShippingMethod.zone_id).where(
        ShippingMethod.is_active, ShippingMethod.zone_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(ShippingZone.name)
            .where(ShippingZone.id.not_in(offering))
            .order_by(ShippingZone.name, ShippingZone.id)
        )
    )


def zones_with_methods():
    """Every zone with its areas and methods, and the pickups, for the staff page."""
    from jomso.shipping.models import ShippingZone

    zones = db.session.scalars(
        select(ShippingZone)
        .options(selectinload(ShippingZone.areas), selectinload(ShippingZone.methods))
        .order_by(ShippingZone.name, ShippingZone.id)
    ).all()
    pickups = db.session.scalars(
        select(ShippingMethod)
        .where(ShippingMethod.zone_id.is_(None))
        .order_by(ShippingMethod.position, ShippingMethod.id)
    ).all()
    return zones, pickups
