"""Helpers for the checkout, order and webhook tests: fill a cart and pay through the real
forms, read orders and the offline gateway's transactions."""

from __future__ import annotations

import re
import threading

from sqlalchemy import select

from jomso import payments
from jomso.extensions import db
from jomso.orders.models import Order
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import make_user

VISA = "fake-valid-visa-nonce"
MASTERCARD = "fake-valid-mastercard-nonce"
DECLINED = "fake-processor-declined-visa-nonce"
REJECTED = "fake-gateway-rejected-fraud-nonce"

ADDRESS = {
    "name": "Gus Guest",
    "line1": "1 Harbour Road",
    "line2": "",
    "city": "Portland",
    "region": "OR",
    "postal_code": "97201",
    "country": "US",
}


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no hidden {name} on the page"
    return match.group(1)


def chosen_delivery(html: str) -> str | None:
    """The value of the delivery method the checkout page has ticked (None: none offered)."""
    for tag in re.findall(r'<input[^>]*\bname="shipping_method"[^>]*>', html):
        if re.search(r"\bchecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def input_tag(html: str, name: str) -> str:
    """The ``<input>`` element named ``name`` on the page."""
    match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert match, f"no input {name} on the page"
    return match.group(0)


def field_value(html: str, name: str) -> str:
    match = re.search(r'\bvalue="([^"]*)"', input_tag(html, name))
    return match.group(1) if match else ""


def add_to_cart(client, product_id: int, quantity: int = 1):
    page = client.get("/cart")
    return client.post(
        "/cart/add",
        data={
            "product_id": product_id,
            "quantity": quantity,
            "csrf_token": csrf_token_from(page.text),
        },
    )


def checkout_data(
    page_html: str,
    nonce: str | None = VISA,
    email: str = "gus@example.com",
    phone: str = "(503) 555-0143",
    shipping: dict | None = None,
    **overrides,
) -> dict:
    """A complete checkout form as the page at ``page_html`` would post it."""
    data = {
        "csrf_token": csrf_token_from(page_html),
        "checkout_token": hidden(page_html, "checkout_token"),
        "summary_hash": hidden(page_html, "summary_hash"),
        "delivery_hash": hidden(page_html, "delivery_hash"),
        "shipping_method": chosen_delivery(page_html),
        "email": email,
        "phone": phone,
        **{f"billing-{k}": v for k, v in ADDRESS.items()},
    }
    if shipping is None:
        data["shipping_same"] = "y"
    else:
        data.update({f"shipping-{k}": v for k, v in {**ADDRESS, **shipping}.items()})
    if nonce is not None:
        data["payment_method_nonce"] = nonce
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def checkout(client, nonce: str | None = VISA, **kwargs):
    """Open the checkout page and place the order with a test nonce."""
    page = client.get("/checkout")
    assert page.status_code == 200, page.status_code
    return client.post("/checkout", data=checkout_data(page.text, nonce, **kwargs))


def buy(app, client, price_cents: int = 1500, quantity: int = 1, stock: int = 10, **kwargs):
    """A product, in the cart, paid with ``nonce``: returns (response, product id)."""
    product_id = make_product(
        app, f"Thing {price_cents}-{stock}", price_cents=price_cents, stock=stock
    )
    add_to_cart(client, product_id, quantity)
    return checkout(client, **kwargs), product_id


def order_number(response) -> str:
    """The order number a checkout redirected to."""
    location = response.headers["Location"]
    match = re.search(r"/orders/(J[0-9A-Z]{8})", location)
    assert match, location
    return match.group(1)


def get_order(app, number: str) -> Order:
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        for relation in (order.lines, order.payments, order.changes, order.events, order.notes,
                         order.shipments):  # fmt: skip
            list(relation)
        db.session.expunge(order)
        return order


def all_orders(app) -> list[Order]:
    with app.app_context():
        orders = db.session.scalars(select(Order).order_by(Order.id)).all()
        for order in orders:
            list(order.payments)
            list(order.lines)
        db.session.expunge_all()
        return orders


def gateway_sales(app, number: str):
    """What the offline gateway holds for the order number (sales and refunds)."""
    with app.app_context():
        return payments.find_by_order(number)


def stock_of(app, product_id: int) -> int:
    from jomso.catalog.models import Product

    with app.app_context():
        return db.session.get(Product, product_id).default_variant.stock


def staff(app, client, role="orders", email=None):
    """Sign ``client`` in as a staff member holding ``role``."""
    from tests.helpers import login

    email = email or f"{role}-person@staff.example.org"
    make_user(app, email=email, name=f"{role.title()} Person", roles=[role])
    assert login(client, email).status_code == 302
    return client


def staff_post(client, number: str, action: str, data: dict | None = None, **kwargs):
    """POST a staff action from the order page (with its CSRF token)."""
    page = client.get(f"/staff/orders/{number}")
    assert page.status_code == 200, page.status_code
    payload = {"csrf_token": csrf_token_from(page.text), **(data or {})}
    return client.post(f"/staff/orders/{number}/{action}", data=payload, **kwargs)


def confirmed_post(client, number: str, action: str, data: dict | None = None, **kwargs):
    """Open the confirmation page of ``action`` (cancel, refund) and send its form as the
    browser would, with ``data`` typed in."""
    from tests.helpers import forms_on

    page = client.get(f"/staff/orders/{number}/{action}")
    assert page.status_code == 200, page.status_code
    [form] = [f for f in forms_on(page.text) if f.action.endswith(f"/{action}")]
    payload = {**form.fields, **(data or {})}
    return client.post(f"/staff/orders/{number}/{action}", data=payload, **kwargs)


def post_checkouts_together(forms: list, timeout: float = 60) -> list:
    """POST each (client, checkout form) from its own thread, all released at the same
    moment; their answers, in the order they came."""
    barrier = threading.Barrier(len(forms))
    answers: list = []

    def place(browser, data):
        barrier.wait()
        answers.append(browser.post("/checkout", data=data))

    threads = [threading.Thread(target=place, args=form) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return answers
