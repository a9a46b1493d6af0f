"""The low-stock email to the catalog staff: variants on sale that fell to their threshold
(the shop's, or the product's own from the product form) since they were last named, by
orders or edits, batched into one email over real SMTP, at most once a day, to each active
staff account that manages the catalog."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import select

from jomso.catalog.models import Product, ProductVariant, StockAlertMailing
from jomso.extensions import db
from tests.catalog.admin_helpers import product_form, submit
from tests.catalog.helpers import make_product
from tests.catalog.test_bulk_edit import _bulk
from tests.catalog.test_variants import make_shirt
from tests.helpers import make_user, set_standard_shipping
from tests.orders.helpers import add_to_cart, checkout
from tests.staff.helpers import staff_client
from tests.test_mail import smtp_server  # noqa: F401  (a fixture)


@pytest.fixture
def catalog(app):
    return staff_client(app, "catalog")


def _run(app) -> str:
    result = app.test_cli_runner().invoke(args=["stock-alerts"])
    assert result.exit_code == 0, result.output
    return result.output


def _text(received) -> str:
    message = email.message_from_string(received.data, policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def _subject(received) -> str:
    return email.message_from_string(received.data, policy=policy.default)["Subject"]


def _alerts(server) -> list:
    return [m for m in server.messages if _subject(m).startswith("Low stock")]


def _a_day_passes(app):
    with app.app_context():
        for mailing in db.session.scalars(select(StockAlertMailing)):
            mailing.sent_at -= timedelta(days=1)
        db.session.commit()


def test_a_fall_by_an_order_and_by_an_edit_go_in_one_email_to_the_catalog_staff(
    app,
    client,
    catalog,
    smtp_server,  # noqa: F811
):
    make_user(app, "owner@staff.example.org", roles=["owner"])
    make_user(app, "orders@staff.example.org", roles=["orders"])  # does not keep the catalog
    make_user(app, "gone@staff.example.org", roles=["catalog"])
    with app.app_context():
        from jomso.accounts.models import User

        db.session.scalar(select(User).where(User.email == "gone@staff.example.org")).active = False
        db.session.commit()
    mug = make_product(app, "Blue Mug", stock=6, sku="MUG-1")
    make_product(app, "Red Mug", stock=40, sku="MUG-2")
    make_product(app, "Hidden Mug", stock=1, sku="MUG-3", is_active=False)
    assert "No variant fell" in _run(app)  # 6 > 5: nothing low yet
    set_standard_shipping(app)
    add_to_cart(client, mug, quantity=2)
    assert checkout(client).status_code == 303  # 6 -> 4, by an order
    shirt = make_shirt(app)  # S / Blue sold out, S / White 4, M / Blue 3
    _bulk(catalog, ticked=[shirt], action="set_stock", value="2")  # by an edit

    assert "Low-stock email sent to 2 staff, naming 4 variants." in _run(app)
    smtp_server.wait_for(3)  # the order's confirmation, and two
    assert sorted(r for m in _alerts(smtp_server) for r in m.rcpt_tos) == [
        "catalog@staff.example.org", "owner@staff.example.org"
    ]  # fmt: skip
    first = _alerts(smtp_server)[0]
    assert _subject(first) == "Low stock: 4 variants"
    body = _text(first)
    assert "- Blue Mug, SKU MUG-1: 4 left (threshold 5)" in body
    assert "- Linen Shirt (S / Blue), SKU SHIRT-S-B: 2 left (threshold 5)" in body
    assert "Red Mug" not in body and "Hidden Mug" not in body
    assert f"/staff/products/{mug}/variants" in body

    # Named once: the next run names nobody, even a day later.
    _a_day_passes(app)
    assert "No variant fell" in _run(app)
    assert len(_alerts(smtp_server)) == 2


def test_at_most_one_email_a_day_and_the_rest_waits(app, client, catalog, smtp_server):  # noqa: F811
    make_product(app, "Blue Mug", stock=3, sku="MUG-1")
    assert "naming 1 variants" in _run(app)
    make_product(app, "Red Mug", stock=2, sku="MUG-2")
    assert "1 variants are low; the next email goes out" in _run(app)
    smtp_server.wait_for(1)
    assert len(smtp_server.messages) == 1
    _a_day_passes(app)
    assert "naming 1 variants" in _run(app)
    smtp_server.wait_for(2)
    assert "Red Mug" in _text(smtp_server.messages[1])
    assert "Blue Mug" not in _text(smtp_server.messages[1])


def test_restocked_then_low_again_is_told_again(app, catalog, smtp_server):  # noqa: F811
    mug = make_product(app, "Blue Mug", stock=3, sku="MUG-1")
    _run(app)
    _bulk(catalog, ticked=[mug], action="set_stock", value="20")
    _run(app)  # above the threshold again: ready for the next fall
    _a_day_passes(app)
    _bulk(catalog, ticked=[mug], action="set_stock", value="1")
    assert "naming 1 variants" in _run(app)
    smtp_server.wait_for(2)


def test_the_product_form_sets_its_own_threshold(app, catalog, smtp_server):  # noqa: F811
    mug = make_product(app, "Blue Mug", stock=8, sku="MUG-1")
    url = f"/staff/products/{mug}"
    form = product_form(name="Blue Mug", sku="MUG-1", stock="8", low_stock_threshold="10")
    response = submit(catalog, url, form)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Product, mug).low_stock_threshold == 10
    assert 'name="low_stock_threshold" type="number" value="10"' in catalog.get(url).text
    assert "naming 1 variants" in _run(app)
    smtp_server.wait_for(1)
    assert "Blue Mug, SKU MUG-1: 8 left (threshold 10)" in _text(smtp_server.messages[0])


def test_a_wrong_threshold_comes_back_beside_the_field(app, catalog):
    mug = make_product(app, "Blue Mug", stock=8, sku="MUG-1")
    response = submit(
        catalog, f"/staff/products/{mug}",
        product_form(name="Blue Mug", sku="MUG-1", low_stock_threshold="lots"),
    )  # fmt: skip
    assert response.status_code == 422
    assert "Enter a whole number, 0 or more." in response.text
    assert 'value="lots"' in response.text


def test_nobody_to_tell_keeps_the_variants_waiting(app, smtp_server):  # noqa: F811
    make_product(app, "Blue Mug", stock=3, sku="MUG-1")
    assert "1 variants are low" in _run(app)
    with app.app_context():
        assert db.session.scalars(select(StockAlertMailing)).all() == []
        assert db.session.scalar(select(ProductVariant.low_stock_alerted_at)) is None
