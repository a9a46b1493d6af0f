"""One spelling of each card brand: Braintree's card types as the brands spell themselves, on
every page that shows a card."""

from __future__ import annotations

import pytest

from jomso.payments.brands import CARD_BRANDS, card_brand_name
from tests.orders.helpers import MASTERCARD, buy, order_number, staff


def test_every_braintree_card_type_has_a_shown_name():
    import braintree  # after jomso.payments, which quiets the SDK's import warning

    types = {
        value
        for name, value in vars(braintree.CreditCard.CardType).items()
        if not name.startswith("_") and value != "Unknown"
    }
    assert types <= set(CARD_BRANDS)


@pytest.mark.parametrize(
    ("card_type", "shown"),
    [("MasterCard", "Mastercard"), ("China UnionPay", "UnionPay"), ("UK Maestro", "Maestro"),
     ("Visa", "Visa"), ("Unknown", "Card"), ("", "Card")],
)  # fmt: skip
def test_shown_names(app, card_type, shown):
    with app.test_request_context():
        assert card_brand_name(card_type) == shown


def test_a_mastercard_reads_mastercard_for_the_customer_and_the_staff(app, client):
    response, _ = buy(app, client, nonce=MASTERCARD)
    number = order_number(response)
    assert "Paid with Mastercard ending 4444." in client.get(f"/orders/{number}").text
    staff_page = staff(app, app.test_client(), "orders").get(f"/staff/orders/{number}").text
    assert "Mastercard •••• 4444" in staff_page and "MasterCard" not in staff_page
