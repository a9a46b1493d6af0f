"""Variants: a product sold in sizes and colours, picked without JavaScript, bought, and shown
with its variant on the order; stock taken and the lists' summary kept per variant."""

from __future__ import annotations

from sqlalchemy import select

from jomso.catalog.models import Product, ProductOption, ProductVariant
from jomso.catalog.variants import refresh_summary
from jomso.extensions import db
from jomso.orders.models import Order
from tests.catalog.helpers import make_product, text_of
from tests.conftest import csrf_token_from
from tests.orders.helpers import checkout, order_number, staff


def make_shirt(app) -> int:
    """A linen shirt in S and M, Blue and White; M / White is not sold, S / Blue sold out."""
    product_id = make_product(app, "Linen Shirt", price_cents=4500, stock=0, sku="SHIRT-X")
    with app.app_context():
        shirt = db.session.get(Product, product_id)
        shirt.variants.clear()
        db.session.flush()
        shirt.options = [
            ProductOption(position=1, name="Size", values=["S", "M"]),
            ProductOption(position=2, name="Colour", values=["Blue", "White"]),
        ]
        rows = [("S", "Blue", 0, None), ("S", "White", 4, None), ("M", "Blue", 3, 4900)]
        for position, (size, colour, stock, price) in enumerate(rows):
            shirt.variants.append(
                ProductVariant(
                    sku=f"SHIRT-{size}-{colour[0]}", option1=size, option2=colour, stock=stock,
                    price_cents=price, position=position, is_active=True, weight_grams=0,
                    barcode="",
                )
            )  # fmt: skip
        refresh_summary(shirt)
        db.session.commit()
    return product_id


def _add(client, product_id, **options):
    page = client.get("/products/linen-shirt")
    data = {"csrf_token": csrf_token_from(page.text), "product_id": str(product_id),
            "quantity": "1", **options}  # fmt: skip
    return client.post("/cart/add", data=data)


def test_the_product_page_offers_each_option_and_marks_what_is_sold_out(app, client):
    make_shirt(app)
    page = client.get("/products/linen-shirt").text
    assert '<select id="option1" name="option1">' in page
    assert '<select id="option2" name="option2">' in page
    assert "Blue (sold out)" not in page  # M / Blue is in stock
    # the first variant in stock is proposed: S / White at the product's price
    assert "$45.00" in text_of(page) and "SHIRT-S-W" in page
    chosen = client.get("/products/linen-shirt?option1=M&option2=Blue").text
    assert "$49.00" in text_of(chosen) and "SHIRT-M-B" in chosen


def test_lists_show_from_the_lowest_price_and_search_finds_option_values(app, client):
    make_shirt(app)
    make_product(app, "Oak Tray", price_cents=2000)
    listing = text_of(client.get("/products").text)
    assert "from $45.00" in listing and "from $20.00" not in listing
    assert "Linen Shirt" in text_of(client.get("/products?q=linen+shirt+blue").text)
    assert "Linen Shirt" in text_of(client.get("/products?q=SHIRT-M-B").text)
    assert "Linen Shirt" not in text_of(client.get("/products?q=purple").text)


def test_a_combination_that_is_not_sold_comes_back_with_a_message(app, client):
    product_id = make_shirt(app)
    response = _add(client, product_id, option1="M", option2="White")
    assert response.status_code == 422
    assert "This combination is not sold. Please choose another." in text_of(response.text)
    assert 'aria-invalid="true"' in response.text
    response = _add(client, product_id, option1="XL", option2="Blue")
    assert response.status_code == 422


def test_buying_a_variant_takes_its_stock_and_the_order_names_it(app, client):
    product_id = make_shirt(app)
    response = _add(client, product_id, option1="M", option2="Blue")
    assert response.status_code == 302
    cart = text_of(client.get("/cart").text)
    assert "Linen Shirt M / Blue" in cart and "$49.00" in cart
    number = order_number(checkout(client))
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        line = order.lines[0]
        assert (line.name, line.variant_title, line.sku, line.unit_price_cents) == (
            "Linen Shirt", "M / Blue", "SHIRT-M-B", 4900)  # fmt: skip
        stock = dict(db.session.execute(select(ProductVariant.sku, ProductVariant.stock)).all())
        assert stock == {"SHIRT-S-B": 0, "SHIRT-S-W": 4, "SHIRT-M-B": 2}
        assert db.session.get(Product, product_id).stock_total == 6
    desk = app.test_client()
    staff(app, desk, role="orders")
    page = text_of(desk.get(f"/staff/orders/{number}").text)
    assert "Linen Shirt (M / Blue)" in page and "SKU SHIRT-M-B" in page


def test_a_sold_out_variant_is_not_added(app, client):
    product_id = make_shirt(app)
    response = _add(client, product_id, option1="S", option2="Blue")
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]).text)
    assert "Sorry, “Linen Shirt (S / Blue)” is sold out." in page


def test_the_staff_form_lists_the_variants_and_saving_keeps_them(app, client):
    from tests.staff.helpers import staff_client

    product_id = make_shirt(app)
    catalog = staff_client(app, "catalog")
    page = catalog.get(f"/staff/products/{product_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "M / Blue SHIRT-M-B $49.00 3" in text
    form = {"csrf_token": csrf_token_from(page.text), "name": "Linen Shirt", "slug": "",
            "sku": "SHIRT-S-B", "category": "0", "price": "46.00", "stock": "0",
            "is_active": "y", "description": "Linen.", "action": "save"}  # fmt: skip
    response = catalog.post(f"/staff/products/{product_id}", data=form)
    assert response.status_code == 302
    with app.app_context():
        shirt = db.session.get(Product, product_id)
        assert [(v.sku, v.stock) for v in shirt.variants] == [
            ("SHIRT-S-B", 0), ("SHIRT-S-W", 4), ("SHIRT-M-B", 3)]  # fmt: skip
        assert (shirt.price_min_cents, shirt.price_max_cents) == (4600, 4900)
