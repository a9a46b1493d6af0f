"""Bulk edit of the staff product list: the ticked products or every product the filters
match (after a page that says how many), prices by percent or amount, stock set, on sale or
hidden; one transaction (a refused price changes nothing), summaries and the shop's pages
kept true, one access-log entry, shown on the activity feed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jomso.audit.models import AccessLogEntry
from jomso.catalog.models import Product, ProductVariant
from jomso.extensions import db
from tests.catalog.helpers import make_product, text_of
from tests.catalog.test_variants import make_shirt
from tests.conftest import csrf_token_from
from tests.helpers import forms_on
from tests.staff.helpers import staff_client


@pytest.fixture
def catalog(app):
    return staff_client(app, "catalog")


def _bulk(client, list_url="/staff/products", ticked=(), **fields):
    """Send the list's bulk form as a browser would: its fields as the page has them, the
    ticked boxes, and ``fields``."""
    page = client.get(list_url)
    assert page.status_code == 200
    form = next(f for f in forms_on(page.text) if f.action.endswith("/products/bulk"))
    data = {**form.fields, **fields}
    data["product"] = [str(i) for i in ticked]
    return client.post("/staff/products/bulk", data=data)


def _prices(app, product_id):
    with app.app_context():
        product = db.session.get(Product, product_id)
        own = sorted((v.sku, v.price_cents) for v in product.variants)
        return product.price_cents, own, product.price_min_cents, product.price_max_cents


def _log(app):
    with app.app_context():
        return [
            (e.kind, e.actor_label, e.detail)
            for e in db.session.scalars(
                select(AccessLogEntry).where(AccessLogEntry.kind == "catalog_bulk_edit")
            )
        ]


def test_ticked_products_get_prices_raised_by_percent_own_variant_prices_too(app, catalog):
    shirt = make_shirt(app)  # 45.00, M / Blue its own 49.00
    mug = make_product(app, "Blue Mug", price_cents=1250)
    other = make_product(app, "Red Mug", price_cents=1000)
    response = _bulk(catalog, ticked=[shirt, mug], action="raise_percent", value="10")
    assert response.status_code == 303
    page = catalog.get(response.headers["Location"])
    assert "2 products changed (4 variants): prices raised by 10 %." in page.text
    assert _prices(app, shirt) == (
        4950,
        [("SHIRT-M-B", 5390), ("SHIRT-S-B", None), ("SHIRT-S-W", None)],
        4950,
        5390,
    )
    assert _prices(app, mug)[0] == 1375
    assert _prices(app, other)[0] == 1000  # not ticked
    assert _log(app) == [
        ("catalog_bulk_edit", "catalog@staff.example.org",
         "raise_percent 10%: 2 products, 4 variants")
    ]  # fmt: skip
    feed = catalog.get("/staff/activity").text
    assert "Products changed in bulk: raise_percent 10%: 2 products, 4 variants." in feed


def test_the_shop_shows_the_new_price_at_once(app, catalog):
    mug = make_product(app, "Blue Mug", price_cents=1250)
    assert "$12.50" in app.test_client().get("/products/blue-mug").text  # cached now
    _bulk(catalog, ticked=[mug], action="lower_amount", value="2.50")
    page = app.test_client().get("/products/blue-mug").text
    assert "$10.00" in page and "$12.50" not in page


def test_a_price_that_would_fall_below_zero_changes_nothing(app, catalog):
    cheap = make_product(app, "Cheap Pin", price_cents=300)
    dear = make_product(app, "Dear Lamp", price_cents=9000)
    response = _bulk(catalog, ticked=[dear, cheap], action="lower_amount", value="5.00")
    assert response.status_code == 422
    assert "the price of “Cheap Pin” would fall to zero or below" in response.text
    assert 'value="5.00"' in response.text  # what was typed stays
    assert f'id="tick-{cheap}" aria-labelledby="name-{cheap}" checked' in response.text
    assert _prices(app, dear)[0] == 9000 and _prices(app, cheap)[0] == 300
    assert _log(app) == []


@pytest.mark.parametrize(
    ("action", "value", "message"),
    [
        ("raise_percent", "", "Enter the percent."),
        ("raise_percent", "ten", "Enter the percent as a number, such as 10."),
        ("lower_percent", "100", "Prices can be lowered by less than 100 percent."),
        ("raise_percent", "5000", "That is too much. Please check the percent."),
        ("raise_amount", "-3", "The price cannot be negative."),
        ("set_stock", "-1", "Enter a whole number, 0 or more."),
        ("", "", "Choose an action."),
    ],
)
def test_a_wrong_value_comes_back_beside_its_field(app, catalog, action, value, message):
    mug = make_product(app, "Blue Mug", price_cents=1250)
    response = _bulk(catalog, ticked=[mug], action=action, value=value)
    assert response.status_code == 422
    assert message in response.text
    assert _prices(app, mug)[0] == 1250


def test_an_absurd_price_is_refused(app, catalog):
    mug = make_product(app, "Blue Mug", price_cents=500_000_00)
    response = _bulk(catalog, ticked=[mug], action="raise_percent", value="200")
    assert response.status_code == 422
    assert "the price of “Blue Mug” would become too high" in response.text


def test_nothing_ticked_is_said(app, catalog):
    make_product(app, "Blue Mug")
    response = _bulk(catalog, action="deactivate")
    assert response.status_code == 422
    assert "Tick at least one product first." in response.text


def test_set_stock_and_hide_then_show(app, catalog):
    shirt = make_shirt(app)
    _bulk(catalog, ticked=[shirt], action="set_stock", value="7")
    with app.app_context():
        product = db.session.get(Product, shirt)
        assert [v.stock for v in product.variants] == [7, 7, 7]
        assert product.stock_total == 21
    _bulk(catalog, ticked=[shirt], action="deactivate")
    assert app.test_client().get("/products/linen-shirt").status_code == 404
    _bulk(catalog, ticked=[shirt], action="activate")
    assert app.test_client().get("/products/linen-shirt").status_code == 200


def test_all_filtered_asks_first_and_counts_every_page(app, catalog):
    mugs = [make_product(app, f"Mug {i}", price_cents=1000) for i in range(1, 56)]
    lamp = make_product(app, "Lamp", price_cents=1000)
    response = _bulk(
        catalog, "/staff/products?q=mug", scope="filtered", action="raise_amount", value="1"
    )
    assert response.status_code == 200
    summary = "This changes 55 products (55 variants): prices raised by $1.00 ."
    assert summary in text_of(response.text)
    assert _prices(app, mugs[0])[0] == 1000  # not yet
    confirm = next(f for f in forms_on(response.text) if f.action.endswith("/products/bulk"))
    assert confirm.fields["q"] == "mug" and confirm.fields["confirm"] == "yes"
    done = catalog.post("/staff/products/bulk", data=confirm.fields)
    assert done.status_code == 303 and done.headers["Location"].endswith("/staff/products?q=mug")
    assert {_prices(app, m)[0] for m in mugs} == {1100}
    assert _prices(app, lamp)[0] == 1000


def test_without_a_token_nothing_changes(app, catalog):
    mug = make_product(app, "Blue Mug", price_cents=1250)
    response = catalog.post(
        "/staff/products/bulk", data={"product": str(mug), "action": "deactivate"}
    )
    assert response.status_code in (400, 422)
    with app.app_context():
        assert db.session.get(Product, mug).is_active


def test_other_roles_may_not(app):
    mug = make_product(app, "Blue Mug", price_cents=1250)
    orders = staff_client(app, "orders")
    page = orders.get("/staff/orders")
    token = csrf_token_from(page.text)
    response = orders.post(
        "/staff/products/bulk", data={"csrf_token": token, "product": str(mug),
                                      "action": "deactivate"}
    )  # fmt: skip
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(ProductVariant.id).limit(1)) is not None
        assert db.session.get(Product, mug).is_active
