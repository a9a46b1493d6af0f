"""Reading the tax settings and the rates for an address.

``current_settings()``
    The shop's ``TaxSettings`` (one row; a default one, unsaved, before the migration made it).
    Read once per request.
``rates_for(country, region)``
    Class code → rate (thousandths of a percent) at an address: its region's rate, else its
    country's. One query.
``breakdown_for(lines, shipping_cents, country, region)``
    ``money.compute`` with the settings and the rates at that address. ``lines`` are
    (taxable cents, class code).
``class_names()`` and ``class_choices()``
    The classes by code, for pages and the product editor.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import g
from flask_babel import gettext as _
from sqlalchemy import func, select

from jomso.addresses import shop_country
from jomso.catalog.page_cache import kept_per_revision
from jomso.extensions import db
from jomso.request_memo import memo
from jomso.taxes import money
from jomso.taxes.models import SETTINGS_ID, TaxClass, TaxRate, TaxSettings


def current_settings() -> TaxSettings:
    settings = g.get("_tax_settings")
    if settings is None:
        settings = db.session.get(TaxSettings, SETTINGS_ID) or TaxSettings(
            id=SETTINGS_ID, prices_include_tax=False, shipping_rule="proportional"
        )
        g._tax_settings = settings
    return settings


def forget_settings() -> None:
    g.pop("_tax_settings", None)


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


def rates_for(country: str, region: str = "") -> dict[str, int]:
    """Class code → rate at an address, read once per request (the cart's estimate, the
    checkout's figure and each delivery option's total ask for the same place)."""
    if not country:
        return {}
    place = (country, (region or "").upper())
    return dict(memo(("tax rates", *place), lambda: _rates_for(*place)))


def _rates_for(country: str, region: str) -> dict[str, int]:
    rows = db.session.execute(
        select(TaxClass.code, TaxRate.region, TaxRate.percent_thousandths)
        .join(TaxRate, TaxRate.tax_class_id == TaxClass.id)
        .where(TaxRate.country == country, TaxRate.region.in_(["", (region or "").upper()]))
    ).all()
    found: dict[str, int] = {}
    # The country's rates first, then the region's over them.
    for code, _region, rate in sorted(rows, key=lambda r: r.region != ""):
        found[code] = rate
    return found


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
    """Class code → name, read once per request."""
    names = g.get("_tax_class_names")
    if names is None:
        names = g._tax_class_names = {c.code: c.name for c in all_classes()}
    return names


def class_choices(blank: str | None = None) -> list[tuple[str, str]]:
    """(code, name) for a select; ``blank`` first when given (a variant: "as the product")."""
    choices = [(c.code, c.name) for c in all_classes()]
    return [("", blank), *choices] if blank is not None else choices


def setup_state() -> tuple[int, int, bool]:
    """For the owner's checklist: the rates set, those for the shop's own country, and whether
    prices include tax."""
    rates = db.session.scalar(select(func.count()).select_from(TaxRate))
    home = db.session.scalar(
        select(func.count()).select_from(TaxRate).where(TaxRate.country == shop_country())
    )
    return int(rates or 0), int(home or 0), prices_include_tax()
