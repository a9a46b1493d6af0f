"""Helpers for the tax tests: a shop's tax settings and rates, set in the database."""

from __future__ import annotations

from sqlalchemy import delete, select

from jomso.catalog.models import Product
from jomso.catalog.page_cache import raise_revision
from jomso.extensions import db
from jomso.taxes.models import SETTINGS_ID, TaxClass, TaxRate, TaxSettings

CALIFORNIA = {"name": "Cal Buyer", "line1": "1 Market St", "line2": "", "city": "San Francisco",
              "region": "CA", "postal_code": "94105", "country": "US"}  # fmt: skip
PARIS = {"name": "Paule Achat", "line1": "1 rue de Rivoli", "line2": "", "city": "Paris",
         "region": "", "postal_code": "75001", "country": "FR"}  # fmt: skip


def set_taxes(app, *, included: bool, rule: str = "none", rates: dict[str, int] = ()) -> None:
    """The shop's settings, and its rates as {"standard:US-CA": 7250, ...} (every other rate
    removed)."""
    with app.app_context():
        settings = db.session.get(TaxSettings, SETTINGS_ID)
        settings.prices_include_tax = included
        settings.shipping_rule = rule
        db.session.execute(delete(TaxRate))
        classes = {c.code: c for c in db.session.scalars(select(TaxClass))}
        for key, rate in dict(rates).items():
            code, place = key.split(":")
            country, _sep, region = place.partition("-")
            db.session.add(
                TaxRate(
                    tax_class_id=classes[code].id,
                    country=country,
                    region=region,
                    percent_thousandths=rate,
                )
            )
        raise_revision()  # as the staff page does: catalog pages say "incl. VAT" or "plus tax"
        db.session.commit()


def set_class(app, product_id: int, code: str) -> None:
    with app.app_context():
        db.session.get(Product, product_id).tax_class = code
        db.session.commit()
