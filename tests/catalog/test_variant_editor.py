"""The staff's variant editor: the grid saved in one form with each problem beside its cell,
the missing combinations made, one variant removed (orders keep their lines), and the
product's summary columns kept true after each change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jomso.catalog.models import Product, ProductOption, ProductVariant
from jomso.extensions import db
from jomso.orders.models import Order
from tests.catalog.helpers import make_product, text_of
from tests.catalog.test_variants import _add, make_shirt
from tests.conftest import csrf_token_from
from tests.helpers import forms_on
from tests.orders.helpers import checkout, order_number
from tests.staff.helpers import staff_client


@pytest.fixture
def catalog(app):
    return staff_client(app, "catalog")


def _ids(app, product_id) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(ProductVariant.sku, ProductVariant.id).where(
                ProductVariant.product_id == product_id
            )
        ).all()
        return dict(rows)


def _grid(client, product_id) -> dict:
    """The grid form as the browser would send it, unchanged."""
    page = client.get(f"/staff/products/{product_id}/variants")
    assert page.status_code == 200
    form = next(f for f in forms_on(page.text) if f.action.endswith("/variants"))
    return dict(form.fields)


def _summary(app, product_id):
    with app.app_context():
        p = db.session.get(Product, product_id)
        return p.price_min_cents, p.price_max_cents, p.stock_total, p.on_sale


def test_the_grid_saves_every_cell_and_keeps_the_summary(app, catalog):
    product_id = make_shirt(app)
    ids = _ids(app, product_id)
    data = _grid(catalog, product_id)
    sw = ids["SHIRT-S-W"]
    data.update({f"v{sw}_sku": "SHIRT-S-WHITE", f"v{sw}_price": "39.00",
                 f"v{sw}_compare_at": "52.00", f"v{sw}_stock": "9", f"v{sw}_weight": "180",
                 f"v{sw}_barcode": "4006381333931"})  # fmt: skip
    response = catalog.post(f"/staff/products/{product_id}/variants", data=data)
    assert response.status_code == 302
    assert "Variants saved." in catalog.get(response.headers["Location"]).text
    with app.app_context():
        v = db.session.get(ProductVariant, sw)
        assert (v.sku, v.price_cents, v.compare_at_cents, v.stock, v.weight_grams, v.barcode) == (
            "SHIRT-S-WHITE", 3900, 5200, 9, 180, "4006381333931")  # fmt: skip
    assert _summary(app, product_id) == (3900, 4900, 12, True)
    # an empty price is the product's again; an unticked box takes the variant off sale
    data = _grid(catalog, product_id)
    data[f"v{sw}_price"] = ""
    data[f"v{sw}_compare_at"] = ""
    data.pop(f"v{ids['SHIRT-M-B']}_active")
    assert catalog.post(f"/staff/products/{product_id}/variants", data=data).status_code == 302
    assert _summary(app, product_id) == (4500, 4500, 9, False)


def test_every_problem_shows_beside_its_cell_in_one_pass(app, catalog):
    product_id = make_shirt(app)
    make_product(app, "Apron", sku="APRON-1")
    ids = _ids(app, product_id)
    sb, sw, mb = ids["SHIRT-S-B"], ids["SHIRT-S-W"], ids["SHIRT-M-B"]
    data = _grid(catalog, product_id)
    data.update({f"v{sb}_sku": "SAME", f"v{sw}_sku": "same", f"v{mb}_sku": "APRON-1",
                 f"v{sb}_stock": "-2", f"v{sw}_price": "abc", f"v{mb}_compare_at": "10",
                 f"v{mb}_weight": "heavy"})  # fmt: skip
    response = catalog.post(f"/staff/products/{product_id}/variants", data=data)
    assert response.status_code == 422
    page = response.text
    assert page.count("This SKU is twice in the list.") >= 2
    assert f'id="v{sb}_sku-error"' in page and f'id="v{sw}_sku-error"' in page
    assert f'id="v{mb}_sku-error"' in page and "Another product has this SKU already." in page
    assert f'id="v{sb}_stock-error"' in page
    assert f'id="v{sw}_price-error"' in page and "Enter the price as a number" in page
    assert f'id="v{mb}_compare_at-error"' in page
    assert "The compare-at price must be more than the price." in page
    assert f'id="v{mb}_weight-error"' in page
    assert 'value="heavy"' in page and 'value="abc"' in page  # what was typed comes back
    assert set(_ids(app, product_id)) == {"SHIRT-S-B", "SHIRT-S-W", "SHIRT-M-B"}  # nothing saved


def test_tampered_ids_and_other_products_variants_are_refused(app, catalog):
    product_id = make_shirt(app)
    apron = make_product(app, "Apron", sku="APRON-1")
    apron_variant = _ids(app, apron)["APRON-1"]
    data = _grid(catalog, product_id)
    data[f"v{apron_variant}_sku"] = "HIJACKED"
    data[f"v{apron_variant}_stock"] = "99"
    assert catalog.post(f"/staff/products/{product_id}/variants", data=data).status_code == 302
    assert "APRON-1" in _ids(app, apron)
    token = csrf_token_from(catalog.get(f"/staff/products/{product_id}/variants").text)
    url = f"/staff/products/{product_id}/variants/{apron_variant}/delete"
    assert catalog.post(url, data={"csrf_token": token}).status_code == 404
    assert catalog.post(f"/staff/products/{product_id}/variants/999999/delete",
                        data={"csrf_token": token}).status_code == 404  # fmt: skip
    # without the CSRF token nothing changes
    sb = _ids(app, product_id)["SHIRT-S-B"]
    data = _grid(catalog, product_id)
    data.pop("csrf_token")
    data[f"v{sb}_stock"] = "50"
    assert catalog.post(f"/staff/products/{product_id}/variants", data=data).status_code != 302
    url = f"/staff/products/{product_id}/variants/{sb}/delete"
    catalog.post(url, data={})
    assert "SHIRT-S-B" in _ids(app, product_id)


def test_only_catalog_staff_reach_the_editor(app, client):
    product_id = make_shirt(app)
    assert client.get(f"/staff/products/{product_id}/variants").status_code in (302, 401, 403, 404)
    desk = staff_client(app, "orders")
    assert desk.get(f"/staff/products/{product_id}/variants").status_code == 403


def test_making_the_missing_combinations(app, catalog):
    product_id = make_shirt(app)  # M / White is missing
    with app.app_context():
        shirt = db.session.get(Product, product_id)
        shirt.options[1].values = ["Blue", "White", "Sea Green"]
        db.session.commit()
    token = csrf_token_from(catalog.get(f"/staff/products/{product_id}/variants").text)
    url = f"/staff/products/{product_id}/variants/generate"
    response = catalog.post(url, data={"csrf_token": token})
    assert response.status_code == 302
    assert "3 variants made" in catalog.get(response.headers["Location"]).text
    with app.app_context():
        made = db.session.scalars(
            select(ProductVariant).where(
                ProductVariant.product_id == product_id, ProductVariant.is_active.is_(False)
            )
        ).all()
        assert sorted(v.sku for v in made) == [
            "SHIRT-M-SEA-GREEN", "SHIRT-M-WHITE", "SHIRT-S-SEA-GREEN"]  # fmt: skip
        assert all(v.stock == 0 for v in made)
    assert _summary(app, product_id) == (4500, 4900, 7, False)  # inactive ones count for nothing
    response = catalog.post(url, data={"csrf_token": token})
    assert "Every combination has its variant already." in catalog.get(
        response.headers["Location"]).text  # fmt: skip


def test_removing_a_sold_variant_keeps_its_order_line(app, client, catalog):
    product_id = make_shirt(app)
    assert _add(client, product_id, option1="M", option2="Blue").status_code == 302
    number = order_number(checkout(client))
    mb = _ids(app, product_id)["SHIRT-M-B"]
    page = catalog.get(f"/staff/products/{product_id}/variants")
    form = next(f for f in forms_on(page.text) if f.action.endswith(f"/variants/{mb}/delete"))
    response = catalog.post(form.action, data=dict(form.fields))
    assert response.status_code == 302
    assert "Variant “M / Blue” removed." in catalog.get(response.headers["Location"]).text
    assert "SHIRT-M-B" not in _ids(app, product_id)
    assert _summary(app, product_id) == (4500, 4500, 4, False)
    with app.app_context():
        line = db.session.scalar(select(Order).where(Order.number == number)).lines[0]
        assert (line.variant_id, line.variant_title, line.sku) == (None, "M / Blue", "SHIRT-M-B")
    desk = staff_client(app, "orders")
    assert "Linen Shirt (M / Blue)" in text_of(desk.get(f"/staff/orders/{number}").text)


def test_the_last_variant_stays(app, catalog):
    product_id = make_product(app, "Apron", sku="APRON-1")
    with app.app_context():
        db.session.get(Product, product_id).options = [
            ProductOption(position=1, name="Size", values=["One"])]  # fmt: skip
        db.session.commit()
    only = _ids(app, product_id)["APRON-1"]
    token = csrf_token_from(catalog.get(f"/staff/products/{product_id}/variants").text)
    response = catalog.post(f"/staff/products/{product_id}/variants/{only}/delete",
                            data={"csrf_token": token}, follow_redirects=True)  # fmt: skip
    assert "A product keeps at least one variant." in response.text
    assert "APRON-1" in _ids(app, product_id)


def _options(client, product_id) -> dict:
    page = client.get(f"/staff/products/{product_id}/variants")
    form = next(f for f in forms_on(page.text) if f.action.endswith("/options"))
    return dict(form.fields)


def test_options_are_added_renamed_reordered_and_removed(app, catalog):
    product_id = make_product(app, "Apron", price_cents=2000, sku="APRON")
    url = f"/staff/products/{product_id}/options"
    data = _options(catalog, product_id)
    data.update({"option1_name": "Size", "option1_values": "S, M"})
    response = catalog.post(url, data=data)
    assert response.status_code == 302
    with app.app_context():
        apron = db.session.get(Product, product_id)
        assert [(o.name, o.values) for o in apron.options] == [("Size", ["S", "M"])]
        assert [v.title for v in apron.variants] == ["S"]  # the variant takes the first value
    data = _options(catalog, product_id)
    assert data["option1_values"] == "S, M"
    data.update({"option1_name": "Length", "option1_values": "M, S, L",
                 "option2_name": "Colour", "option2_values": "Red, Blue"})  # fmt: skip
    assert catalog.post(url, data=data).status_code == 302
    token = csrf_token_from(catalog.get(f"/staff/products/{product_id}/variants").text)
    catalog.post(f"/staff/products/{product_id}/variants/generate", data={"csrf_token": token})
    with app.app_context():
        apron = db.session.get(Product, product_id)
        assert [o.name for o in apron.options] == ["Length", "Colour"]
        assert len(apron.variants) == 6 and "APRON-L-BLUE" in {v.sku for v in apron.variants}
    # removing Colour would make two variants of each length the same: refused
    data = _options(catalog, product_id)
    data.update({"option2_name": "", "option2_values": ""})
    response = catalog.post(url, data=data)
    assert response.status_code == 422
    assert "Without this option two variants would be the same" in response.text


def test_option_problems_show_beside_their_fields(app, catalog):
    product_id = make_shirt(app)
    data = _options(catalog, product_id)
    data.update({"option1_values": "S", "option2_name": "size", "option2_values": "Blue, blue",
                 "option3_values": "Cotton"})  # fmt: skip
    response = catalog.post(f"/staff/products/{product_id}/options", data=data)
    assert response.status_code == 422
    page = response.text
    assert 'id="option1_values-error"' in page and "“M” is a value of variants" in page
    assert 'id="option2_name-error"' in page and "Two options have this name." in page
    assert 'id="option2_values-error"' in page and "A value is typed twice." in page
    assert 'id="option3_name-error"' in page and "Name the option." in page
    assert 'value="Blue, blue"' in page
    with app.app_context():
        assert db.session.get(Product, product_id).options[0].values == ["S", "M"]
