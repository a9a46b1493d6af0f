"""The demo shop's seller details (``flask --app app demo``), so that its invoices show a
seller: the shop's name and a sample address in the shop's country, saved only while the owner
saved none. Sample content for the owner to replace at ``/staff/seller``."""

from __future__ import annotations

from flask import current_app

from jomso.addresses import shop_country
from jomso.invoices.seller import SellerData, get_seller_details, save_seller_details

US_ADDRESS = {"line1": "100 Market Street", "city": "San Francisco", "region": "CA",
              "postal_code": "94105"}  # fmt: skip
OTHER_ADDRESS = {"line1": "1 Sample Street", "city": "Sample Town", "region": "",
                 "postal_code": ""}  # fmt: skip


def set_up_demo_seller() -> bool:
    """Save the demo's seller details when there are none; True when it did. Commits."""
    if get_seller_details() is not None:
        return False
    country = shop_country()
    address = US_ADDRESS if country == "US" else OTHER_ADDRESS
    save_seller_details(
        SellerData(
            legal_name=current_app.config["SHOP_NAME"],
            address={**address, "line2": "", "country": country},
            tax_id="",
            invoice_footer="A demo shop: this invoice is a sample, nothing was sold.",
        )
    )
    return True
