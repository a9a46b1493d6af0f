"""For random carts, through the real cart and checkout: lines + shipping + tax (where it is
added) = the amount charged = the order's lines, shipping and tax lines; and the tax lines
add up to the order's tax, which the lines' and the shipping's shares make up exactly."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from jomso.extensions import db
from jomso.orders.models import Order
from tests.catalog.helpers import make_product
from tests.helpers import set_standard_shipping
from tests.orders.helpers import add_to_cart, checkout_data, order_number
from tests.taxes.helpers import CALIFORNIA, set_class, set_taxes

NAMES = itertools.count(1)

carts = st.lists(
    st.tuples(
        # Unit price in cents: a total stays below $2,000 (the demo gateway, like Braintree's
        # sandbox, declines amounts from 2,000.00 to 3,000.99).
        st.integers(min_value=1, max_value=8_000),
        st.integers(min_value=1, max_value=4),  # quantity
        st.sampled_from(["standard", "reduced", "zero"]),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cart=carts,
    included=st.booleans(),
    rule=st.sampled_from(["none", "standard", "proportional"]),
    standard=st.integers(min_value=0, max_value=30_000),
    reduced=st.integers(min_value=0, max_value=15_000),
    shipping=st.integers(min_value=0, max_value=2_000),
)
def test_random_carts_add_up_to_the_charged_amount(
    app, cart, included, rule, standard, reduced, shipping
):
    set_standard_shipping(app, price_cents=shipping, free_from_cents=None)
    set_taxes(
        app,
        included=included,
        rule=rule,
        rates={"standard:US-CA": standard, "reduced:US-CA": reduced},
    )
    client = app.test_client()
    for price, quantity, tax_class in cart:
        product_id = make_product(app, f"Thing {next(NAMES)}", price_cents=price, stock=10)
        set_class(app, product_id, tax_class)
        add_to_cart(client, product_id, quantity)
    page = client.get("/checkout").text
    address = {f"billing-{k}": v for k, v in CALIFORNIA.items()}
    shown = client.post(
        "/checkout", data=checkout_data(page, nonce=None, update_address="delivery", **address)
    )
    placed = client.post("/checkout", data=checkout_data(shown.text, **address))
    assert placed.status_code == 303, placed.status_code
    with app.app_context():
        number = order_number(placed)
        order = db.session.scalar(select(Order).where(Order.number == number))
        lines = sum(line.line_total_cents for line in order.lines)
        assert lines == sum(price * quantity for price, quantity, _c in cart)
        added = 0 if included else order.tax_cents
        charged = order.payments[0].amount_cents
        assert lines + order.shipping_cents + added == order.total_cents == charged
        tax_lines = sum(t.tax_cents for t in order.tax_lines)
        assert lines + order.shipping_cents + (0 if included else tax_lines) == charged
        assert tax_lines == order.tax_cents
        assert sum(line.tax_cents for line in order.lines) + order.shipping_tax_cents == tax_lines
        assert order.prices_include_tax == included
