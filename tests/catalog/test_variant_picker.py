"""The product page's variant picker with JavaScript: the data it needs is in the page (a JSON
script tag, no request), the script only where there is something to pick."""

from __future__ import annotations

import json
import re

from tests.catalog.helpers import make_product
from tests.catalog.test_variants import make_shirt


def _picker(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="variant-data">(.*?)</script>', page)
    assert found, "no variant data in the page"
    return json.loads(found[1])


def test_the_page_embeds_each_sold_variant_for_the_script(app, client):
    make_shirt(app)
    page = client.get("/products/linen-shirt").text
    data = _picker(page)
    shown = {tuple(v["values"]): (v["price"], v["stock_label"], v["sku"], v["max"])
             for v in data["variants"]}  # fmt: skip
    assert shown == {
        ("S", "Blue"): ("$45.00", "Sold out", "SHIRT-S-B", 0),
        ("S", "White"): ("$45.00", "Only 4 left", "SHIRT-S-W", 4),
        ("M", "Blue"): ("$49.00", "Only 3 left", "SHIRT-M-B", 3),
    }  # M / White is not sold: not there
    assert data["words"]["not_sold"] == "This combination is not sold. Please choose another."
    assert '<script src="/static/js/variants.js' in page
    assert 'id="add-to-cart"' in page and 'id="variant-price-now">$45.00<' in page


def test_a_product_without_options_carries_no_picker(app, client):
    make_product(app, "Oak Tray", price_cents=2000)
    page = client.get("/products/oak-tray").text
    assert 'id="variant-data"' not in page and "variants.js" not in page
    assert "variants.js" not in client.get("/products").text  # the lists stay as light


def test_the_script_reads_what_the_page_holds():
    """The ids the script looks up are the page's (a renamed id would silently stop it)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = (root / "static/js/variants.js").read_text()
    template = (root / "templates/catalog/product.html").read_text()
    ids = set(re.findall(r'(?:byId|getElementById)\("([\w-]+)"\)', script))
    assert ids >= {"variant-data", "variant-options", "variant-price-now", "variant-stock"}
    for name in ids - {"variant-error"}:  # the error is made by the script when missing
        assert f'id="{name}"' in template, name
