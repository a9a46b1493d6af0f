"""The seller's details: reading them, saving them (commits), checking the tax id.

The tax id is checked loosely, as the owner types it: letters and digits (spaces, dots and
hyphens between them are dropped), at most 20; for a seller in the EU a VAT number, which
starts with its country's prefix (``EL`` for Greece) followed by 2 to 13 letters or digits.
Whether the number is really registered is the tax office's to say (VIES), not the shop's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

from jomso.extensions import db
from jomso.invoices.models import SELLER_ROW, SellerDetails

# The EU member states and the prefix their VAT numbers carry.
EU_VAT_PREFIXES = {
    **{code: code for code in (
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "HR", "HU", "IE",
        "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    )},
    "GR": "EL",
}  # fmt: skip

_SEPARATORS = re.compile(r"[\s.\-]+")
_TAX_ID = re.compile(r"[A-Z0-9]{2,20}")
MAX_FOOTER = 1000


class TaxIdProblem(ValueError):
    """The tax id typed is not one; the message says what to fix."""


def get_seller_details() -> SellerDetails | None:
    """The saved details, or None before the owner saved them."""
    return db.session.get(SellerDetails, SELLER_ROW)


def normalize_tax_id(raw: str, country: str) -> str:
    """The tax id in its compact form ("de 123.456.789" is "DE123456789"), "" for none.
    Raises ``TaxIdProblem`` for one that cannot be a tax id of a seller in ``country``."""
    text = (raw or "").strip()
    if not text:
        return ""
    compact = _SEPARATORS.sub("", text).upper()
    if not _TAX_ID.fullmatch(compact):
        raise TaxIdProblem(_("Use letters and digits only, at most 20."))
    prefix = EU_VAT_PREFIXES.get(country)
    if prefix is not None:
        if not compact.startswith(prefix):
            raise TaxIdProblem(
                _(
                    "A VAT number in this country starts with %(prefix)s, like %(example)s.",
                    prefix=prefix,
                    example=f"{prefix}123456789",
                )
            )
        if not 2 <= len(compact) - len(prefix) <= 13:
            raise TaxIdProblem(_("After %(prefix)s come 2 to 13 letters or digits.", prefix=prefix))
    return compact


@dataclass(frozen=True)
class SellerData:
    """What the owner's form gives: the address parts as ``jomso.addresses`` cleaned them and
    the tax id in its compact form."""

    legal_name: str
    address: dict[str, str]  # line1, line2, city, region, postal_code, country
    tax_id: str
    invoice_footer: str


def save_seller_details(data: SellerData) -> SellerDetails:
    """Keep the seller's details (the one row, made on the first save). Commits."""
    details = get_seller_details()
    if details is None:
        details = SellerDetails(id=SELLER_ROW)
        db.session.add(details)
    details.legal_name = data.legal_name
    for name, value in data.address.items():
        setattr(details, name, value)
    details.tax_id = data.tax_id
    details.invoice_footer = data.invoice_footer
    db.session.commit()
    return details


def missing_parts(details: SellerDetails | None) -> list[str]:
    """What an invoice cannot do without and is not saved yet: the legal name, the postal
    address (names of the parts, for the checklist; the tax id is optional)."""
    if details is None:
        return ["legal_name", "address"]
    missing = []
    if not details.legal_name.strip():
        missing.append("legal_name")
    if not (details.line1.strip() and details.country):
        missing.append("address")
    return missing
