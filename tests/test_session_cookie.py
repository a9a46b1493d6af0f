"""The session cookie checked once per worker, and the CSRF token signed once a minute
(jomso/session_cookie.py): what a visitor notices must not change. A tampered or expired
cookie still counts for nothing, a change to the session still lands, and every form's token
still works, including after signing in."""

from __future__ import annotations

import time

from jomso import session_cookie
from tests.catalog.helpers import add_to_cart, make_product
from tests.conftest import csrf_token_from
from tests.helpers import login, make_user

COOKIE = "jomso_session"


def _session_cookie(client) -> str:
    return client.get_cookie(COOKIE, domain="shop.test").value


def _count(html: str) -> str:
    import re

    return re.search(r'class="cart-count"[^>]*>(\d+)<', html).group(1)


def test_the_same_cookie_again_shows_the_same_cart(app, client):
    mug = make_product(app, "Blue Mug")
    add_to_cart(client, mug, quantity=2)
    client.get("/cart")  # read the flash
    for _ in range(3):
        assert _count(client.get("/products").text) == "2"


def test_a_tampered_cookie_is_a_new_visitor_even_after_the_real_one_was_checked(app, client):
    mug = make_product(app, "Blue Mug")
    add_to_cart(client, mug, quantity=2)
    real = _session_cookie(client)
    assert _count(client.get("/products").text) == "2"
    payload, stamp, signature = real.rsplit(".", 2)
    forged = app.test_client()
    forged.set_cookie(COOKIE, f"{payload}.{stamp}.{signature[:-2]}AA", domain="shop.test")
    assert _count(forged.get("/products").text) == "0"


def test_a_cookie_older_than_the_session_lifetime_counts_for_nothing_once_checked(app, client):
    mug = make_product(app, "Blue Mug")
    add_to_cart(client, mug, quantity=1)
    client.get("/cart")
    assert _count(client.get("/products").text) == "1"  # checked, and kept by the worker
    app.permanent_session_lifetime = 1
    time.sleep(2.1)
    assert _count(client.get("/products").text) == "0"


def test_each_request_changes_its_own_copy_of_a_kept_session(app, client):
    mug = make_product(app, "Blue Mug")
    add_to_cart(client, mug, quantity=1)
    before = _session_cookie(client)
    add_to_cart(client, mug, quantity=1)  # a flash written into this request's session
    replay = app.test_client()
    replay.set_cookie(COOKIE, before, domain="shop.test")
    page = replay.get("/products").text
    assert 'class="flash' in page  # the flash of the first add, kept in that cookie
    again = app.test_client()
    again.set_cookie(COOKIE, before, domain="shop.test")
    assert 'class="flash' in again.get("/products").text  # not taken by the replay above


def test_a_form_token_reused_within_the_minute_is_accepted(app, client):
    mug = make_product(app, "Blue Mug")
    add_to_cart(client, mug, quantity=1)
    first = csrf_token_from(client.get("/products/blue-mug").text)
    time.sleep(1.1)  # signed again, the signature would carry another second
    second = csrf_token_from(client.get("/products/blue-mug").text)
    assert first == second  # signed once, not per page
    response = client.post(
        "/cart/add", data={"product_id": mug, "quantity": 1, "csrf_token": second}
    )
    assert response.status_code in (302, 303)


def test_a_form_token_is_signed_again_after_the_minute(app, client, monkeypatch):
    mug = make_product(app, "Blue Mug")
    add_to_cart(client, mug, quantity=1)
    first = csrf_token_from(client.get("/products/blue-mug").text)
    monkeypatch.setattr(session_cookie, "CSRF_TOKEN_REUSE_SECONDS", 0)
    time.sleep(1.1)  # the signature carries the second it was made
    second = csrf_token_from(client.get("/products/blue-mug").text)
    assert second != first
    response = client.post(
        "/cart/add", data={"product_id": mug, "quantity": 1, "csrf_token": second}
    )
    assert response.status_code in (302, 303)


def test_signing_in_gives_a_new_token_and_the_old_one_stops_working(app, client):
    make_user(app, email="ann@example.com")
    before = csrf_token_from(client.get("/account/login").text)
    login(client, email="ann@example.com")
    after = csrf_token_from(client.get("/account").text)
    assert after != before
    stale = client.post("/cart/add", data={"product_id": 1, "quantity": 1, "csrf_token": before})
    assert stale.status_code == 400


def test_every_form_of_a_page_carries_the_one_token_of_the_request(app, client):
    """The templates' ``csrf_token()`` (``session_cookie.csrf_token``) gives the token made
    for the request, in the page's own forms and in the pieces put in for the visitor (the
    footer's language form): on a first visit, when the token is made by the page, and on
    the cart page with its line, discount and language forms. Each one is accepted."""
    import re

    mug = make_product(app, "Blue Mug")
    first = client.get("/products/blue-mug").text
    assert len(set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', first))) == 1
    add_to_cart(client, mug, quantity=1)
    page = client.get("/cart").text
    tokens = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert len(tokens) >= 4 and len(set(tokens)) == 1, tokens
    response = client.post("/cart/update", data={"variant_id": _variant_id(page), "quantity": 2,
                                                 "csrf_token": tokens[0]})  # fmt: skip
    assert response.status_code in (302, 303)
    assert _count(client.get("/products").text) == "2"


def _variant_id(html: str) -> str:
    import re

    return re.search(r'name="variant_id" value="(\d+)"', html).group(1)
