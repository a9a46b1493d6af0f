"""Billing and shipping addresses at the checkout in each country's way, without JavaScript, and
the order's addresses printed as the country writes them on every page and email that shows
them: the order page, the confirmation email, the staff order page and the packing slip."""

from __future__ import annotations

from jomso.accounts.registration import create_user
from tests.accounts.helpers import address_rows
from tests.catalog.helpers import make_product
from tests.checkout.test_checkout import _cart_lines
from tests.helpers import PASSWORD, login
from tests.mailbox import last_message, text_of
from tests.orders.helpers import (
    VISA,
    add_to_cart,
    all_orders,
    buy,
    checkout_data,
    order_number,
    staff,
)

GERMAN = {
    "name": "Grete Gast",
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "region": "",
    "postal_code": "10117",
    "country": "DE",
}


def _with_cart(app, client):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1250))
    return client.get("/checkout").text


def test_changing_the_billing_country_lays_out_its_fields_and_places_nothing(app, client):
    page = _with_cart(app, client)
    assert [n for n, _ in address_rows(page, 0)[2]] == ["city", "region", "postal_code"]
    data = checkout_data(page, **{f"billing-{k}": v for k, v in GERMAN.items()})
    response = client.post("/checkout", data={**data, "update_address": "billing-country"})
    assert response.status_code == 200
    billing = address_rows(response.text, 0)
    assert [[n for n, _ in row] for row in billing] == [
        ["line1"],
        ["line2"],
        ["postal_code", "city"],
    ]
    assert 'value="Unter den Linden 1"' in response.text and 'value="10117"' in response.text
    assert 'class="error"' not in response.text
    assert all_orders(app) == [] and _cart_lines(app) == 1  # nothing placed, nothing charged


def test_each_address_is_checked_by_its_own_country(app, client):
    page = _with_cart(app, client)
    data = checkout_data(
        page,
        shipping={**GERMAN, "postal_code": "1011"},
        **{"billing-region": ""},
    )
    response = client.post("/checkout", data=data)
    assert response.status_code == 422
    assert 'id="billing-region-error">Enter the state.</p>' in response.text
    assert (
        'id="shipping-postal_code-error">Check the code: it should look like 26133.'
        in response.text
    )
    assert 'value="1011"' in response.text
    # The shipping address is laid out for Germany, the billing one for the United States.
    assert [n for n, _ in address_rows(response.text, 1)[2]] == ["postal_code", "city"]
    assert [n for n, _ in address_rows(response.text, 0)[2]] == ["city", "region", "postal_code"]
    assert all_orders(app) == []


def test_a_shipping_address_not_used_is_not_checked(app, client):
    page = _with_cart(app, client)
    data = checkout_data(page, **{"shipping-postal_code": "nonsense", "shipping-country": "DE"})
    response = client.post("/checkout", data=data)
    assert response.status_code == 303


def test_order_pages_and_mail_print_addresses_in_the_countrys_format(app, client):
    # A confirmed account: its confirmation email repeats the shipping address.
    with app.app_context():
        create_user("gus@example.com", PASSWORD, name="Gus Guest", confirmed=True)
    login(client, "gus@example.com")
    response, _ = buy(app, client, shipping=GERMAN, nonce=VISA)
    number = order_number(response)
    german = ["Grete Gast", "Unter den Linden 1", "10117 BERLIN", "Germany"]
    american = ["Gus Guest", "1 Harbour Road", "PORTLAND, OR 97201", "United States"]

    page = client.get(f"/orders/{number}").text
    assert "<br>".join(german[1:]) in page
    assert "<br>".join(american[1:]) in page

    mail = text_of(last_message(app, to="gus@example.com"))
    assert "\n".join(german) in mail

    owner = staff(app, app.test_client(), "owner")
    owner_page = owner.get(f"/staff/orders/{number}").text
    assert "<br>".join(german[1:]) in owner_page and "<br>".join(american[1:]) in owner_page
    desk = staff(app, app.test_client(), "orders")
    staff_page = desk.get(f"/staff/orders/{number}").text  # the orders role: shipping only
    assert "<br>".join(german[1:]) in staff_page and "<br>".join(american[1:]) not in staff_page
    slip = desk.get(f"/staff/orders/{number}/packing-slip").text
    assert "<br>".join(german[1:]) in slip
