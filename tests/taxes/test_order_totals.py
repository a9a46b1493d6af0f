"""For random carts, through the real cart and checkout: lines + shipping + tax (where it is
added) = the amount charged = the order's lines, shipping and tax lines; and the tax lines
add up to the order's tax, which the lines' and the shipping's shares make up exactly. The
invoice prints the same: its lines (after their discount) + shipping + tax added = its total
= the amount charged, with a discount code in some examples."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from jomso.discounts.codes import lookup_key
from jomso.discounts.models import DiscountCode
from jomso.extensions import db
from jomso.orders.models import Order
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import set_standard_shipping
from tests.invoices.helpers import table_rows
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
    percent_off=st.none() | st.integers(min_value=1, max_value=50),
)
def test_random_carts_add_up_to_the_charged_amount(
    app, cart, included, rule, standard, reduced, shipping, percent_off
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
    code = None
    if percent_off is not None:
        code = f"OFF{next(NAMES)}"
        with app.app_context():
            db.session.add(
                DiscountCode(
                    code=code, lookup_key=lookup_key(code), kind="percent", value=percent_off
                )
            )
            db.session.commit()
        page = client.get("/cart").text
        data = {"discount_code": code, "back": "cart", "csrf_token": csrf_token_from(page)}
        assert client.post("/cart/discount", data=data).status_code == 303
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
        assert order.discount_code == ("" if percent_off is None else code)
        added = 0 if included else order.tax_cents
        charged = order.payments[0].amount_cents
        discount = order.discount_cents
        assert lines - discount + order.shipping_cents + added == order.total_cents == charged
        tax_lines = sum(t.tax_cents for t in order.tax_lines)
        assert lines - discount + order.shipping_cents + (0 if included else tax_lines) == charged
        assert tax_lines == order.tax_cents
        assert sum(line.tax_cents for line in order.lines) + order.shipping_tax_cents == tax_lines
        assert order.prices_include_tax == included

    # The invoice, as its buyer reads it, adds up to what was charged.
    html = client.get(f"/orders/{number}/invoice").text
    printed_lines = sum(_cents(row[-1]) for row in table_rows(html, "invoice-lines")[1:])
    totals = {label: _cents(value) for label, value in table_rows(html, "invoice-totals")}
    shipping_shown = next(v for label, v in totals.items() if label.startswith("Shipping"))
    assert printed_lines == lines - discount
    assert printed_lines + shipping_shown + totals.get("Tax", 0) == totals["Total"] == charged
    assert totals["Subtotal"] + totals.get(f"Discount ({code})", 0) == printed_lines
    if discount:
        assert totals[f"Discount ({code})"] == -discount


def _cents(text: str) -> int:
    """A price as printed, in cents: "$1,234.56" is 123456, a discount's "\u2212$2.00" is -200."""
    sign = -1 if text.startswith("\u2212") else 1
    return sign * int(text.lstrip("\u2212").replace("$", "").replace(",", "").replace(".", ""))
