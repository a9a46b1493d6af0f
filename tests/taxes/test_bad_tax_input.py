"""Issue #12's bad input for taxes, through the owner's and the catalog's real forms: tampered
tax classes in the rate form, the product form and the variant grid. Each gets its message
beside the field, 422, and what was typed back; nothing is saved. (Absurd rates and made-up
regions: ``test_staff_taxes.test_bad_rates_are_answered_beside_the_field_and_kept``.)"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jomso.catalog.models import Product, ProductVariant
from jomso.extensions import db
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import forms_on
from tests.staff.helpers import staff_client
from tests.taxes.test_staff_taxes import _error_beside, _post, _rates


@pytest.mark.parametrize("tampered", ["nope", "", "1", "standard'--"])
def test_a_tampered_tax_class_in_the_rate_form_is_refused_beside_it(app, tampered):
    owner = staff_client(app, "owner")
    response = _post(
        owner, "/staff/taxes/rates/new", {"tax_class": tampered, "place": "DE", "rate": "19"}
    )
    assert response.status_code == 422
    assert _error_beside(response.text, "tax_class")
    assert 'value="DE"' in response.text and 'value="19"' in response.text
    assert _rates(app) == []


def _product_form(product_id: int, **changes) -> dict:
    return {
        "name": "Atlas", "slug": "atlas", "sku": "ATLAS", "category": "0", "price": "30.00",
        "stock": "10", "is_active": "y", "description": "", "tax_class": "reduced",
        "action": "save", **changes,
    }  # fmt: skip


@pytest.mark.parametrize("tampered", ["nope", "1", "STANDARD"])
def test_a_tampered_tax_class_in_the_product_form_is_refused_beside_it(app, tampered):
    owner = staff_client(app, "owner")
    product_id = make_product(app, "Atlas", price_cents=3000, sku="ATLAS")
    url = f"/staff/products/{product_id}"
    response = _post(owner, url, _product_form(product_id, tax_class=tampered, price="31.00"))
    assert response.status_code == 422
    assert _error_beside(response.text, "tax_class")
    assert 'value="31.00"' in response.text  # what was typed comes back
    with app.app_context():
        product = db.session.get(Product, product_id)
        assert (product.tax_class, product.price_cents) == ("standard", 3000)


def test_a_tampered_tax_class_in_the_variant_grid_is_refused_beside_its_cell(app):
    catalog = staff_client(app, "catalog")
    product_id = make_product(app, "Atlas", price_cents=3000, sku="ATLAS")
    page = catalog.get(f"/staff/products/{product_id}/variants")
    data = dict(next(f for f in forms_on(page.text) if f.action.endswith("/variants")).fields)
    with app.app_context():
        variant_id = db.session.scalar(
            select(ProductVariant.id).where(ProductVariant.product_id == product_id)
        )
    data[f"v{variant_id}_tax_class"] = "nope"
    data["csrf_token"] = csrf_token_from(page.text)
    response = catalog.post(f"/staff/products/{product_id}/variants", data=data)
    assert response.status_code == 422
    assert re.search(rf'id="v{variant_id}_tax_class-error">[^<]+<', response.text)
    with app.app_context():
        assert db.session.get(ProductVariant, variant_id).tax_class == ""
