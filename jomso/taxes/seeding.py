"""Loading the EU's standard and reduced VAT rates from ``eu_rates.csv`` (shipped with the
shop; where its figures come from and as of when is in its header).

``seed_eu_rates()`` sets, for each member state, the standard class's rate and the reduced
class's rate (country-wide), replacing the ones it holds already, makes the two classes when
the owner deleted them, and commits. Running it again changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select

from jomso.catalog.page_cache import raise_revision
from jomso.extensions import db
from jomso.taxes.editing import parse_rate
from jomso.taxes.models import STANDARD, TaxClass, TaxRate

REDUCED = "reduced"
DATA_FILE = "eu_rates.csv"


@dataclass(frozen=True)
class CountryRates:
    country: str
    standard: int  # thousandths of a percent
    reduced: int | None


def eu_rates() -> list[CountryRates]:
    """The file's rows; a malformed row raises ValueError (a test reads the file)."""
    text = resources.files("jomso.taxes").joinpath(DATA_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    found = []
    for row in rows:
        standard, problem = parse_rate(row["standard"])
        if problem or standard is None:
            raise ValueError(f"{DATA_FILE}: {row['country']}: {row['standard']!r}")
        reduced = None
        if row["reduced"]:
            reduced, problem = parse_rate(row["reduced"])
            if problem:
                raise ValueError(f"{DATA_FILE}: {row['country']}: {row['reduced']!r}")
        found.append(CountryRates(row["country"], standard, reduced))
    return found


def _class(code: str, name: str, position: int) -> TaxClass:
    tax_class = db.session.scalar(select(TaxClass).where(TaxClass.code == code))
    if tax_class is None:
        tax_class = TaxClass(code=code, name=name, position=position)
        db.session.add(tax_class)
        db.session.flush()
    return tax_class


def _set(tax_class: TaxClass, country: str, rate: int) -> None:
    row = db.session.scalar(
        select(TaxRate).where(
            TaxRate.tax_class_id == tax_class.id, TaxRate.country == country, TaxRate.region == ""
        )
    )
    if row is None:
        db.session.add(
            TaxRate(tax_class_id=tax_class.id, country=country, region="", percent_thousandths=rate)
        )
    else:
        row.percent_thousandths = rate


def seed_eu_rates() -> int:
    """Set the EU rates; returns how many countries."""
    standard = _class(STANDARD, "Standard", 0)
    reduced = _class(REDUCED, "Reduced", 1)
    countries = eu_rates()
    for entry in countries:
        _set(standard, entry.country, entry.standard)
        if entry.reduced is not None:
            _set(reduced, entry.country, entry.reduced)
    raise_revision()
    db.session.commit()
    return len(countries)
