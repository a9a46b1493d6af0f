"""The demo shop's taxes (``flask --app app demo`` and ``seed-demo``), while the owner set no
rate yet.

The demo follows the shop's country (``LOCALE``): a US shop (the default, ``en_US``) adds
sales tax at checkout, at the state-wide base rates of four states (local and county taxes
left out) and no tax on shipping; a shop in an EU country shows prices including VAT, with the
EU's standard and reduced rates loaded from ``eu_rates.csv`` and shipping taxed in proportion
to the cart's classes. Anywhere else, nothing is set. Sample content for the owner to check.
"""

from __future__ import annotations

from sqlalchemy import func, select

from jomso.addresses import shop_country
from jomso.catalog.page_cache import raise_revision
from jomso.extensions import db
from jomso.taxes.editing import save_settings
from jomso.taxes.models import STANDARD, ShippingRule, TaxClass, TaxRate
from jomso.taxes.seeding import eu_rates, seed_eu_rates

# State-wide base sales tax rates (thousandths of a percent), as the developers knew them in
# 2025, without county or city taxes: sample figures, not advice.
US_STATES = {"CA": 7250, "NY": 4000, "TX": 6250, "WA": 6500}


def set_up_demo_taxes() -> str | None:
    """Set the demo's taxes when no rate exists; returns what was set ("US", "EU") or None."""
    if db.session.scalar(select(func.count()).select_from(TaxRate)):
        return None
    country = shop_country()
    if country == "US":
        standard = db.session.scalar(select(TaxClass).where(TaxClass.code == STANDARD))
        if standard is None:
            standard = TaxClass(code=STANDARD, name="Standard", position=0)
            db.session.add(standard)
        for state, rate in US_STATES.items():
            standard.rates.append(TaxRate(country="US", region=state, percent_thousandths=rate))
        raise_revision()
        db.session.commit()
        save_settings(False, ShippingRule.NONE)
        return "US"
    if country in {entry.country for entry in eu_rates()}:
        seed_eu_rates()
        save_settings(True, ShippingRule.PROPORTIONAL)
        return "EU"
    return None
