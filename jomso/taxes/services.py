"""Reading the tax settings and the rates for an address.

``current_settings()``
    The shop's settings (``Settings``: a copy of the one ``TaxSettings`` row; the defaults
    before the migration made it).
``rates_for(country, region)``
    Class code → rate (thousandths of a percent) at an address: its region's rate, else its
    country's.
``breakdown_for(lines, shipping_cents, country, region)``
    ``money.compute`` with the settings and the rates at that address. ``lines`` are
    (taxable cents, class code).
``class_names()`` and ``class_choices()``
    The classes by code, for pages and the product editor.
``tax_label(class_name, percent_thousandths, included)``
    How a tax line is named on pages and in mail.

The settings, every rate and the class names are a few dozen rows that every cart and checkout
reads: they are read once per catalog revision in each process (``kept_per_revision``; every
change through ``taxes.editing`` raises the revision), so those pages make no query for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from jomso.addresses import shop_country
from jomso.catalog.page_cache import kept_per_revision
from jomso.extensions import db
from jomso.taxes import money
from jomso.taxes.models import SETTINGS_ID, TaxClass, TaxRate, TaxSettings


@dataclass(frozen=True)
class Settings:
    prices_include_tax: bool
    shipping_rule: str


def current_settings() -> Settings:
    return kept_per_revision("tax settings", _read_settings)


def _read_settings() -> Settings:
    row = db.session.get(TaxSettings, SETTINGS_ID)
    if row is None:
        return Settings(prices_include_tax=False, shipping_rule="proportional")
    return Settings(bool(row.prices_include_tax), row.shipping_rule)


def forget_settings() -> None:
    """After a change in this request: the next read takes the raised revision's copy."""
    g.pop("_kept_per_revision", None)


def prices_include_tax() -> bool:
    return bool(current_settings().prices_include_tax)


def _note_state() -> tuple[bool, bool]:
    """Whether prices include tax, and whether any rate is set."""
    has_rates = db.session.scalar(select(TaxRate.id).limit(1)) is not None
    return prices_include_tax(), has_rates


def price_note() -> str:
    """What the catalog's prices carry: "incl. VAT" or "plus tax"; nothing while the shop
    charges no tax (no rate set, as after an upgrade). Kept per catalog revision (saving the
    settings or a rate raises it), so catalog pages make no query for it."""
    included, has_rates = kept_per_revision("tax_price_note", _note_state)
    if not has_rates:
        return ""
    return _("incl. VAT") if included else _("plus tax")


def tax_label(class_name: str, percent_thousandths: int, included: bool) -> str:
    """How a tax line is named: "incl. VAT 20 % (Standard)" when the prices include it,
    "Tax 8.875 % (Standard)" when it is added."""
    rate = money.percent_text(percent_thousandths)
    if included:
        return _("incl. VAT %(rate)s %% (%(name)s)", rate=rate, name=class_name)
    return _("Tax %(rate)s %% (%(name)s)", rate=rate, name=class_name)


def rates_for(country: str, region: str = "") -> dict[str, int]:
    """Class code → rate at an address."""
    if not country:
        return {}
    region = (region or "").upper()
    found: dict[str, int] = {}
    # The country's rates first, then the region's over them.
    for code, _country, rate_region, rate in _all_rates():
        if _country == country and rate_region == "":
            found[code] = rate
    for code, _country, rate_region, rate in _all_rates():
        if _country == country and rate_region and rate_region == region:
            found[code] = rate
    return found


def _all_rates() -> tuple[tuple[str, str, str, int], ...]:
    """(class code, country, region, rate) of every rate, kept per catalog revision."""
    return kept_per_revision("tax rates", _read_rates)


def _read_rates() -> tuple[tuple[str, str, str, int], ...]:
    rows = db.session.execute(
        select(TaxClass.code, TaxRate.country, TaxRate.region, TaxRate.percent_thousandths)
        .join(TaxRate, TaxRate.tax_class_id == TaxClass.id)
        .order_by(TaxRate.id)
    )
    return tuple((code, country, region or "", rate) for code, country, region, rate in rows)


def breakdown_for(
    lines: Sequence[tuple[int, str]], shipping_cents: int, country: str, region: str = ""
) -> money.TaxBreakdown:
    settings = current_settings()
    return money.compute(
        lines,
        shipping_cents,
        rates_for(country, region),
        included=bool(settings.prices_include_tax),
        shipping_rule=settings.shipping_rule,
    )


def all_classes() -> list[TaxClass]:
    return list(db.session.scalars(select(TaxClass).order_by(TaxClass.position, TaxClass.id)))


def class_names() -> dict[str, str]:
    """Class code → name, kept per catalog revision."""
    return kept_per_revision("tax class names", lambda: {c.code: c.name for c in all_classes()})


def class_choices(blank: str | None = None) -> list[tuple[str, str]]:
    """(code, name) for a select; ``blank`` first when given (a variant: "as the product")."""
    choices = [(c.code, c.name) for c in all_classes()]
    return [("", blank), *choices] if blank is not None else choices


def setup_state() -> tuple[int, int, bool]:
    """For the owner's checklist: the rates set, those for the shop's own country, and whether
    prices include tax."""
    rates = _all_rates()
    home = [rate for rate in rates if rate[1] == shop_country()]
    return len(rates), len(home), prices_include_tax()
