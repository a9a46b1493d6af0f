"""The cart through its real forms: add, update, remove, limits, prices, shipping, bad input."""

import re

import pytest
from sqlalchemy import delete, func, select

from jomso.cart.models import Cart, CartItem
from jomso.catalog.models import Product
from jomso.extensions import db
from tests.catalog.helpers import (
    add_to_cart,
    cart_form_post,
    default_variant_id,
    make_product,
    text_of,
    update_product,
)
from tests.conftest import csrf_token_from
from tests.helpers import login, make_user, set_standard_shipping


def cart_text(client) -> str:
    return text_of(client.get("/cart").text)


def header_count(html: str) -> int:
    return int(re.search(r'class="cart-count"[^>]*>(\d+)<', html).group(1))


def quantities(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(select(CartItem.product_name, CartItem.quantity)).all()
        return dict(rows)


def test_guest_adds_changes_and_removes(client):
    app = client.application
    mug = make_product(app, "Blue Mug", price_cents=1250, stock=10)
    bowl = make_product(app, "Green Bowl", price_cents=1999, stock=10)

    response = add_to_cart(client, mug, 2)
    assert response.status_code == 302
    assert response.headers["Location"] == "/cart"
    assert "jomso_session=" in response.headers["Set-Cookie"]
    page = client.get("/cart")
    text = text_of(page.text)
    assert "Added 2 of “Blue Mug” to your cart." in text
    assert "Blue Mug $12.50" in text
    assert header_count(page.text) == 2

    add_to_cart(client, bowl, 3)
    text = cart_text(client)
    assert "$59.97" in text  # 3 x $19.99, in cents
    assert "Subtotal (5 items) $84.97 Shipping Free Total $84.97" in text

    response = cart_form_post(client, "update", mug, 1, follow=True)
    text = text_of(response.text)
    assert "Updated the quantity of “Blue Mug”." in text
    assert "Subtotal (4 items) $72.47" in text

    response = cart_form_post(client, "remove", bowl, follow=True)
    text = text_of(response.text)
    assert "Removed “Green Bowl” from your cart." in text
    assert "Green Bowl" not in text.replace("Removed “Green Bowl”", "")
    assert "Subtotal (1 item) $12.50 Shipping $4.95 Total $17.45" in text
    assert "Add $37.50 more for free shipping." in text

    response = cart_form_post(client, "update", mug, 0, follow=True)
    assert "Removed “Blue Mug” from your cart." in response.text
    assert "Your cart is empty" in response.text
    assert header_count(response.text) == 0


def test_empty_cart_page(client):
    text = cart_text(client)
    assert "Your cart is empty" in text
    assert "Shipping" not in text
    assert "Browse products" in text


def test_adding_the_same_product_adds_to_its_line(client):
    app = client.application
    mug = make_product(app, "Blue Mug", stock=10)
    add_to_cart(client, mug, 2)
    add_to_cart(client, mug, 3)
    assert quantities(app) == {"Blue Mug": 5}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Please enter a number from 1 to 99."),
        ("-3", "Please enter a number from 1 to 99."),
        ("100", "Please enter a number from 1 to 99."),
        ("99999999999999999999", "Please enter a whole number."),
        ("abc", "Please enter a whole number."),
        ("1.5", "Please enter a whole number."),
        ("1e3", "Please enter a whole number."),
        ("", "Please enter a whole number."),
        ("٣", "Please enter a whole number."),
    ],
)
def test_add_with_a_wrong_quantity_comes_back_with_the_message(client, typed, message):
    app = client.application
    mug = make_product(app, "Blue Mug", stock=500)
    response = add_to_cart(client, mug, typed)
    assert response.status_code == 422
    assert message in response.text
    assert f'value="{typed}"' in response.text  # what was typed is kept
    assert 'aria-invalid="true"' in response.text
    assert "<h1>Blue Mug</h1>" in response.text
    assert quantities(app) == {}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "Please enter a number from 0 to 99."),
        ("1000", "Please enter a number from 0 to 99."),
        ("lots", "Please enter a whole number."),
        ("", "Please enter a whole number."),
    ],
)
def test_update_with_a_wrong_quantity_comes_back_with_the_message(client, typed, message):
    app = client.application
    mug = make_product(app, "Blue Mug", stock=500)
    add_to_cart(client, mug, 2)
    response = cart_form_post(client, "update", mug, typed)
    assert response.status_code == 422
    assert message in response.text
    assert f'value="{typed}"' in response.text
    assert f'aria-describedby="qty-{mug}-error"' in response.text
    assert quantities(app) == {"Blue Mug": 2}


def test_quantities_are_limited_by_stock(client):
    app = client.application
    mug = make_product(app, "Blue Mug", stock=3)
    response = add_to_cart(client, mug, 5, follow=True)
    assert "Only 3 of “Blue Mug” are in stock; your cart has 3." in text_of(response.text)
    assert quantities(app) == {"Blue Mug": 3}
    response = add_to_cart(client, mug, 1, follow=True)
    assert "Only 3 of “Blue Mug” are in stock; your cart has 3." in text_of(response.text)
    cart_form_post(client, "update", mug, 1)
    response = cart_form_post(client, "update", mug, 7, follow=True)
    assert "Only 3 of “Blue Mug” are in stock; your cart has 3." in text_of(response.text)
    assert quantities(app) == {"Blue Mug": 3}


def test_quantities_are_limited_by_the_cart_maximum(client):
    app = client.application
    app.config["CART_MAX_QUANTITY"] = 10
    mug = make_product(app, "Blue Mug", stock=500)
    add_to_cart(client, mug, 8)
    response = add_to_cart(client, mug, 5, follow=True)
    text = text_of(response.text)
    assert "You can buy at most 10 of “Blue Mug” at a time; your cart has 10." in text
    assert quantities(app) == {"Blue Mug": 10}


def test_sold_out_and_inactive_products_cannot_be_added(client):
    app = client.application
    mug = make_product(app, "Blue Mug", stock=1)
    bowl = make_product(app, "Green Bowl", stock=4)
    token = csrf_token_from(client.get("/products/blue-mug").text)
    update_product(app, mug, stock=0)  # sold out while the page was open
    response = client.post("/cart/add", data={"csrf_token": token, "product_id": mug})
    assert response.headers["Location"] == "/products/blue-mug"
    assert "Sorry, “Blue Mug” is sold out." in client.get("/products/blue-mug").text
    update_product(app, bowl, is_active=False)
    response = client.post(
        "/cart/add", data={"csrf_token": token, "product_id": bowl}, follow_redirects=True
    )
    assert "Sorry, “Green Bowl” is no longer available." in text_of(response.text)
    assert quantities(app) == {}


# The add form names the product (its variant by the options), a line's forms the variant.
ID_FIELDS = {"add": "product_id", "update": "variant_id", "remove": "variant_id"}


@pytest.mark.parametrize("action", ["add", "update", "remove"])
@pytest.mark.parametrize("product_id", ["", "abc", "999999", "-1", "1 OR 1=1", "1.0", "0x1"])
def test_tampered_product_ids_are_rejected(client, action, product_id):
    app = client.application
    mug = make_product(app, "Blue Mug", stock=10)
    add_to_cart(client, mug, 1)
    token = csrf_token_from(client.get("/cart").text)
    response = client.post(
        f"/cart/{action}",
        data={"csrf_token": token, ID_FIELDS[action]: product_id, "quantity": "1"},
    )
    assert response.status_code == 400
    assert "That product is not in our catalog." in response.text
    assert quantities(app) == {"Blue Mug": 1}


def test_update_or_remove_of_a_line_not_in_the_cart(client):
    app = client.application
    mug = make_product(app, "Blue Mug")
    make_product(app, "Green Bowl")
    add_to_cart(client, mug, 1)
    other = 2
    for action in ("update", "remove"):
        response = cart_form_post(client, action, other, 1, follow=True)
        assert "That item is no longer in your cart." in response.text


@pytest.mark.parametrize("action", ["add", "update", "remove"])
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_posts_without_a_valid_csrf_token_expire(client, action, token):
    mug = make_product(client.application, "Blue Mug")
    data = {"product_id": mug, "quantity": "1"}
    if token:
        data["csrf_token"] = token
    response = client.post(f"/cart/{action}", data=data)
    assert response.status_code == 400
    assert "This form has expired" in response.text


def test_oversized_body_gets_413(client):
    mug = make_product(client.application, "Blue Mug")
    token = csrf_token_from(client.get("/products/blue-mug").text)
    response = client.post(
        "/cart/add",
        data={"csrf_token": token, "product_id": mug, "quantity": "1", "pad": "x" * 9_000_000},
    )
    assert response.status_code == 413
    assert "larger than the shop accepts" in response.text


def test_get_on_post_only_cart_urls_is_405(client):
    response = client.get("/cart/add")
    assert response.status_code == 405
    assert "does not accept that kind of request" in response.text


def test_price_change_is_shown_once(client):
    app = client.application
    mug = make_product(app, "Blue Mug", price_cents=1250)
    add_to_cart(client, mug, 2)
    update_product(app, mug, price_cents=1500)
    text = cart_text(client)
    assert "The price of “Blue Mug” changed from $12.50 to $15.00 since you added it." in text
    assert "$15.00 was $12.50" in text
    assert "Subtotal (2 items) $30.00" in text
    text = cart_text(client)
    assert "changed from" not in text
    assert "Subtotal (2 items) $30.00" in text


def test_deactivated_deleted_and_sold_out_products_leave_with_a_message(client):
    app = client.application
    ids = [make_product(app, name, stock=10) for name in ("Blue Mug", "Green Bowl", "Red Jug")]
    keep = make_product(app, "Oak Tray", stock=10)
    for product_id in [*ids, keep]:
        add_to_cart(client, product_id, 4)
    update_product(app, ids[0], is_active=False)
    update_product(app, ids[2], stock=0)
    update_product(app, keep, stock=2)
    with app.app_context():
        db.session.delete(db.session.get(Product, ids[1]))
        db.session.commit()
    text = cart_text(client)
    assert "“Blue Mug” is no longer available and was removed from your cart." in text
    assert "“Green Bowl” is no longer available and was removed from your cart." in text
    assert "“Red Jug” sold out and was removed from your cart." in text
    assert "Only 2 of “Oak Tray” are in stock; your cart has 2." in text
    assert quantities(app) == {"Oak Tray": 2}
    assert "no longer available" not in cart_text(client)


def test_a_cart_whose_every_line_was_taken_out_says_why_and_is_empty(client):
    app = client.application
    mug = make_product(app, "Blue Mug", stock=10)
    add_to_cart(client, mug, 2)
    update_product(app, mug, is_active=False)
    text = cart_text(client)
    assert "“Blue Mug” is no longer available and was removed from your cart." in text
    assert "Your cart is empty" in text and "Go to checkout" not in text
    text = cart_text(client)
    assert "Your cart is empty" in text and "no longer available" not in text


def test_the_cart_s_links_follow_the_path_the_shop_is_served_under(client):
    app = client.application
    mug = make_product(app, "Blue Mug", stock=10)
    add_to_cart(client, mug, 1)
    under_shop = client.get("/cart", environ_overrides={"SCRIPT_NAME": "/shop"}).text
    at_root = client.get("/cart").text
    links = (
        'href="/shop/products/blue-mug"',
        'action="/shop/cart/update"',
        'action="/shop/cart/remove"',
        'src="/shop/static/img/product-placeholder.svg',
    )
    for link in links:
        assert link in under_shop
        assert link.replace("/shop", "") in at_root
    assert "/shop/" not in at_root


@pytest.mark.parametrize(
    ("price", "quantity", "threshold", "expected"),
    [
        (1000, 1, 5000, "Subtotal (1 item) $10.00 Shipping $4.95 Total $14.95"),
        (2500, 2, 5000, "Subtotal (2 items) $50.00 Shipping Free Total $50.00"),
        (4999, 1, 5000, "Subtotal (1 item) $49.99 Shipping $4.95 Total $54.94"),
        (9000, 3, None, "Subtotal (3 items) $270.00 Shipping $4.95 Total $274.95"),
    ],
)
def test_shipping(client, price, quantity, threshold, expected):
    app = client.application
    set_standard_shipping(app, 495, threshold)
    mug = make_product(app, "Blue Mug", price_cents=price)
    add_to_cart(client, mug, quantity)
    text = cart_text(client)
    assert expected in text
    assert ("for free shipping" in text) is ((threshold or 0) > price * quantity)


def test_signed_in_cart_belongs_to_the_account_and_guest_cart_merges(client):
    app = client.application
    user_id = make_user(app)
    mug = make_product(app, "Blue Mug", stock=5)
    bowl = make_product(app, "Green Bowl", stock=5)
    login(client)
    add_to_cart(client, mug, 3)
    client.post(
        "/account/logout", data={"csrf_token": csrf_token_from(client.get("/account").text)}
    )
    assert "Your cart is empty" in cart_text(client)

    add_to_cart(client, mug, 4)  # as a guest again
    add_to_cart(client, bowl, 1)
    login(client)
    assert quantities(app) == {"Blue Mug": 5, "Green Bowl": 1}  # 3 + 4, capped by stock
    with app.app_context():
        carts = db.session.scalars(select(Cart)).all()
        assert [cart.user_id for cart in carts] == [user_id]
    page = client.get("/cart")
    assert header_count(page.text) == 6
    other = app.test_client()
    assert "Your cart is empty" in text_of(other.get("/cart").text)


def test_a_guest_session_never_opens_an_accounts_cart(client):
    """A guest session naming an account's cart (a session from before sign-in, or forged
    with a leaked key) shows an empty cart, and forgets the id; the account's cart is kept."""
    app = client.application
    make_user(app)
    mug = make_product(app, "Blue Mug")
    login(client)
    add_to_cart(client, mug, 2)
    with app.app_context():
        account_cart = db.session.scalar(select(Cart.id))
    guest = app.test_client()
    with guest.session_transaction() as session:
        session["cart_id"] = account_cart
    assert "Your cart is empty" in cart_text(guest)
    with guest.session_transaction() as session:
        assert "cart_id" not in session
    assert quantities(app) == {"Blue Mug": 2}
    assert "Blue Mug" in cart_text(client)


def test_a_purged_guest_cart_is_forgotten(client):
    app = client.application
    add_to_cart(client, make_product(app, "Blue Mug"), 1)
    with app.app_context():
        db.session.execute(delete(Cart))
        db.session.commit()
    assert "Your cart is empty" in cart_text(client)
    with client.session_transaction() as session:
        assert "cart_id" not in session
    assert header_count(client.get("/").text) == 0


def test_guest_cart_becomes_the_accounts_when_it_has_none(client):
    app = client.application
    user_id = make_user(app)
    mug = make_product(app, "Blue Mug")
    add_to_cart(client, mug, 2)
    login(client)
    with app.app_context():
        cart = db.session.scalar(select(Cart))
        assert cart.user_id == user_id
        assert db.session.scalar(select(func.count()).select_from(Cart)) == 1
    assert header_count(client.get("/").text) == 2


def test_service_api_for_checkout(app):
    from jomso.cart.services import clear_cart, current_cart, summarize

    mug = make_product(app, "Blue Mug", price_cents=1999, stock=9)
    with app.test_request_context("/"):
        assert current_cart() is None
        empty = summarize(None)
        assert (empty.total_cents, empty.shipping_cents, empty.item_count) == (0, 0, 0)
        cart = current_cart(create=True)
        db.session.add(
            CartItem(cart=cart, variant_id=default_variant_id(app, mug), quantity=3,
                     seen_price_cents=1999, product_name="Blue Mug")
        )  # fmt: skip
        db.session.commit()
        summary = summarize(cart)
        line = summary.lines[0]
        assert (line.product.name, line.quantity) == ("Blue Mug", 3)
        assert (line.unit_price_cents, line.line_total_cents) == (1999, 5997)
        assert (summary.subtotal_cents, summary.shipping_cents) == (5997, 0)
        assert (summary.total_cents, summary.item_count, summary.notices) == (5997, 3, [])
        clear_cart(cart.id)
        db.session.commit()
        assert current_cart() is None
        assert db.session.scalar(select(func.count()).select_from(CartItem)) == 0
