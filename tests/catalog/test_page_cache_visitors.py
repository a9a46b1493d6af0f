"""One cached page body for every kind of visitor, their own pieces put in at the edge: no
visitor ever sees another's pieces, nothing personal is stored, a cart change shows at once."""

import re

import pytest

from jomso.catalog.page_cache import _pages
from tests.catalog.helpers import add_to_cart, make_product
from tests.helpers import counting_statements, login, make_user

URLS = ["/", "/products", "/products?q=mug", "/products/blue-mug"]


def _count(html: str) -> int:
    return int(re.search(r'<span class="cart-count"[^>]*>(\d+)</span>', html)[1])


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html))


def _text(body: tuple[str, ...]) -> str:
    """A stored body (cut at its markers) as the page was made, markers and all."""
    return "".join(part if index % 2 == 0 else f"\x00{part}\x00" for index, part in enumerate(body))


def _stored(app) -> list[str]:
    with app.test_request_context():
        return [_text(entry[1]) for entry in _pages()._pages.values()]


@pytest.fixture
def visitors(app):
    """Four visitors: anonymous, a guest with two mugs in the cart, a signed-in customer
    (email not confirmed yet: a notice of her own) with one, and a member of staff."""
    mug = make_product(app, "Blue Mug")
    make_user(app, email="ann@example.com", name="Ann Example")
    make_user(app, email="sam@example.com", name="Sam Staff", roles=("catalog",))
    anonymous, cart, customer, staff = (app.test_client() for _ in range(4))
    add_to_cart(cart, mug, quantity=2)
    login(customer, email="ann@example.com")
    add_to_cart(customer, mug, quantity=1)
    login(staff, email="sam@example.com")
    for client in (cart, customer):  # read their flashes ("added to your cart")
        client.get("/cart")
    return {"anonymous": anonymous, "cart": cart, "customer": customer, "staff": staff, "mug": mug}


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("first", ["staff", "customer", "cart", "anonymous"])
def test_each_visitor_sees_only_their_own_pieces(app, visitors, url, first):
    with app.test_request_context():
        _pages().clear()
    order = [first] + [n for n in ("anonymous", "cart", "customer", "staff") if n != first]
    pages = {}
    for name in order:  # the first makes the shared entry, the others are served from it
        pages[name] = visitors[name].get(url).text
    assert len(_stored(app)) == 1

    anonymous, cart, customer, staff = (
        pages[n] for n in ("anonymous", "cart", "customer", "staff")
    )
    assert (_count(anonymous), _count(cart), _count(customer), _count(staff)) == (0, 2, 1, 0)
    for page in (anonymous, cart):
        assert "Sign in" in page
        assert "My account" not in page
    for page in (customer, staff):
        assert "My account" in page
        assert "Sign in" not in page
    assert ">Staff</a>" in staff
    assert ">Staff</a>" not in customer + cart + anonymous
    assert "ann@example.com" in customer  # her notice: please confirm your address
    assert "ann@example.com" not in anonymous + cart + staff
    assert "sam@example.com" in staff
    assert "sam@example.com" not in anonymous + cart + customer
    # Every form carries the visitor's own token, and no one else's.
    tokens = {name: _tokens(page) for name, page in pages.items()}
    assert all(len(found) == 1 for found in tokens.values()), tokens
    assert len(set().union(*tokens.values())) == 4
    # The shared entry holds no piece of anyone: markers and a placeholder instead.
    (stored,) = _stored(app)
    assert "\x00piece:partials/cart_link.html\x00" in stored
    assert "\x00piece:partials/account_nav.html\x00" in stored
    for personal in ("Sign in", "My account", ">Staff</a>", "ann@", "sam@", "cart-count"):
        assert personal not in stored
    assert not _tokens(stored) - {"\x00csrf-token\x00"}


def test_the_page_is_the_shared_body_with_the_visitor_s_pieces(app, visitors):
    with app.test_request_context():
        _pages().clear()
    pages = {name: visitors[name].get("/products").text for name in ("staff", "cart", "customer")}
    (stored,) = _stored(app)
    # The shared body, literally, with anything in place of each piece, blank and token.
    pattern = "".join(
        "(.*?)" if part.startswith(("piece:", "blank:", "csrf-token")) else re.escape(part)
        for part in stored.split("\x00")
    )
    for name, page in pages.items():
        assert re.fullmatch(pattern, page, re.S), name


@pytest.mark.parametrize("who", ["cart", "customer"])
def test_a_cart_change_and_its_flash_show_at_once(app, visitors, who):
    client = visitors[who]
    before = _count(client.get("/products/blue-mug").text)
    page = add_to_cart(client, visitors["mug"], quantity=3, follow=True).text
    assert "Blue Mug" in page
    assert "flash" in page  # the message of the change, on the cached product page
    assert _count(page) == before + 3
    assert _count(client.get("/products").text) == before + 3
    assert 'class="flash' not in client.get("/products").text  # shown once
    other = visitors["anonymous"].get("/products/blue-mug").text
    assert _count(other) == 0
    assert 'class="flash' not in other


def test_signed_in_visitors_are_served_the_cached_body(app, visitors):
    visitors["anonymous"].get("/products")
    for name in ("cart", "customer", "staff"):
        with counting_statements(app) as statements:
            visitors[name].get("/products")
        catalog = [s for s in statements if re.search(r"\bFROM products\b", s)]
        assert catalog == [], (name, catalog)


def test_junk_parameters_share_the_page_s_entry(app, visitors):
    client = visitors["anonymous"]
    with app.test_request_context():
        _pages().clear()
    client.get("/products?q=mug")
    for junk in ("utm_source=news", "fbclid=abc123", "utm_campaign=x&gclid=y"):
        with counting_statements(app) as statements:
            assert client.get(f"/products?q=mug&{junk}").status_code == 200
        assert not [s for s in statements if re.search(r"\bFROM products\b", s)], junk
    assert len(_stored(app)) == 1
    client.get("/products/blue-mug?utm_source=news")
    client.get("/products/blue-mug?fbclid=1")
    assert len(_stored(app)) == 2
    # the parameters the page reads still make pages of their own
    client.get("/products?q=mug&sort=name")
    client.get("/products?q=mug&page=2")
    assert len(_stored(app)) == 4


def test_a_banner_piece_comes_back_to_the_page_it_was_on(app, visitors):
    page = visitors["anonymous"].get("/products?q=mug&utm_source=news").text
    assert 'name="next" value="/products?q=mug&amp;utm_source=news"' in page


def _kept(app) -> dict:
    return app.extensions.get("jomso.visitor_pieces", {})


def _banner(html: str) -> str:
    match = re.search(r'<section class="cookie-banner".*?</section>', html, re.S)
    return match[0] if match else ""


def test_pieces_the_same_for_many_visitors_are_made_once_and_hold_nothing_personal(app, visitors):
    _kept(app).clear()
    pages = {
        name: visitors[name].get(url).text
        for name in ("anonymous", "cart", "customer", "staff")
        for url in ("/products", "/products/blue-mug")
    }
    kept = _kept(app)
    # One banner for every undecided visitor, one account-links piece per kind of visitor,
    # one cart link per count, one "please confirm" notice for Ann and Sam (their emails put
    # in for each: never kept).
    names = sorted(key[0] for key in kept)
    assert names.count("partials/cookie_banner.html") == 1
    assert names.count("partials/account_nav.html") == 3  # signed out, customer, staff
    assert names.count("partials/cart_link.html") == 3  # 0, 1 and 2 items
    assert names.count("partials/notices.html") == 1
    assert "partials/flashes.html" not in names
    assert "follow the link we sent to ann@example.com." in pages["customer"]
    assert "follow the link we sent to sam@example.com." in pages["staff"]
    for piece in kept.values():
        for personal in ("ann@", "sam@", "Ann Example", "Sam Staff", "/products"):
            assert personal not in piece
        assert not _tokens(piece) - {"\x00csrf-token\x00"}
    # Each visitor's banner has their own token and comes back to their own page.
    banners = {}
    for name in ("anonymous", "cart"):
        for url in ("/products", "/products/blue-mug"):
            page = visitors[name].get(url).text
            banner = _banner(page)
            assert f'name="next" value="{url}"' in banner
            assert len(_tokens(page)) == 1  # the page's own token, in the banner too
            banners[name, url] = _tokens(banner)
            assert banners[name, url] == _tokens(page)
    assert banners["anonymous", "/products"] != banners["cart", "/products"]
    assert len(_kept(app)) == len(kept)
    assert pages  # every page was served


def test_the_banner_is_made_for_each_consent_state(app, visitors):
    _kept(app).clear()
    plain = _banner(visitors["anonymous"].get("/products").text)
    gpc = _banner(visitors["anonymous"].get("/products", headers={"Sec-GPC": "1"}).text)
    assert 'value="accept"' in plain and 'value="accept"' not in gpc
    assert 'name="source" value="gpc"' in gpc
    again = _banner(visitors["anonymous"].get("/products").text)
    # the same banner, but for its CSRF token (signed with the time: it changes each second)
    token = re.compile(r'name="csrf_token" value="[^"]*"')
    assert token.sub("", again) == token.sub("", plain)
    assert sum(key[0] == "partials/cookie_banner.html" for key in _kept(app)) == 2


def test_a_click_id_in_one_visitor_s_address_never_reaches_another_s_page(app, visitors):
    """The page's key leaves ``?fbclid=`` out, so the footer's language form, which comes
    back to the page's full address, takes each visitor's own address: never the first's."""
    app.config["LANGUAGES"] = ["en", "fr"]
    with app.test_request_context():
        _pages().clear()
    first = visitors["anonymous"].get("/products?fbclid=IwAR-ann-click").text
    assert 'name="next" value="/products?fbclid=IwAR-ann-click"' in first
    for name in ("cart", "customer"):
        page = visitors[name].get("/products").text
        assert "IwAR-ann-click" not in page
        assert 'name="next" value="/products"' in page
    assert len(_stored(app)) == 1
    assert "IwAR-ann-click" not in _stored(app)[0]


def test_the_banner_s_return_address_is_escaped(app, visitors):
    page = visitors["anonymous"].get('/products?q="><script>x</script>').text
    banner = _banner(page)
    assert "<script>x" not in banner
    assert 'name="next" value="/products?q=%22%3E%3Cscript%3Ex%3C/script%3E"' in banner or (
        "&#34;&gt;&lt;script&gt;" in banner
    )


def test_empty_pieces_are_not_made_at_all(app, visitors):
    """No flashes and no notices: nothing shown, nothing kept."""
    client = visitors["staff"]
    _kept(app).clear()
    page = client.get("/products").text
    assert 'class="flash' not in page
    assert not any(key[0] == "partials/flashes.html" for key in _kept(app))


def test_the_notices_are_asked_once_per_page(app, visitors):
    visitors["anonymous"].get("/products")
    with counting_statements(app) as statements:
        page = visitors["customer"].get("/products").text
    assert "ann@example.com" in page
    users = [s for s in statements if re.search(r"\bpolicy_acceptances\b", s)]
    assert len(users) <= 1, users


def _layouts(app) -> list[str]:
    with app.test_request_context():
        pages = _pages()._pages
        return [_text(entry[1]) for key, entry in pages.items() if key[0] == "layout"]


@pytest.mark.parametrize("first", ["staff", "customer", "cart", "anonymous"])
def test_the_cart_s_lines_are_each_visitor_s_own_in_the_shared_layout(app, visitors, first):
    with app.test_request_context():
        _pages().clear()
    order = [first] + [n for n in ("anonymous", "cart", "customer", "staff") if n != first]
    pages = {name: visitors[name].get("/cart").text for name in order}

    assert 'value="2"' in pages["cart"] and "Blue Mug" in pages["cart"]
    assert 'value="1"' in pages["customer"] and "Blue Mug" in pages["customer"]
    for name in ("anonymous", "staff"):
        assert "Your cart is empty" in pages[name] and "Blue Mug" not in pages[name]
    assert (_count(pages["cart"]), _count(pages["customer"])) == (2, 1)
    assert "ann@example.com" in pages["customer"]
    assert "ann@example.com" not in pages["cart"]
    tokens = {name: _tokens(page) for name, page in pages.items()}
    assert all(len(found) == 1 for found in tokens.values()), tokens
    assert len(set().union(*tokens.values())) == 4
    # One layout for both carts, holding nothing of either: markers and a placeholder; and
    # what the page says to everyone with a cart (its headings, the checkout link) made once.
    (layout,) = _layouts(app)
    for marker in ("notices", "lines", "summary"):
        assert f"\x00block:{marker}\x00" in layout
    assert "\x00piece:partials/cart_link.html\x00" in layout
    assert "Order summary" in layout and 'href="/checkout"' in layout
    for personal in ("Blue Mug", "Sign in", "My account", "ann@", "cart-count", 'value="2"',
                     "Subtotal", "cart-total", "discount_code"):  # fmt: skip
        assert personal not in layout
    assert not _tokens(layout) - {"\x00csrf-token\x00"}
    pattern = "".join(
        "(.*?)"
        if part.startswith(("piece:", "blank:", "csrf-token", "block:"))
        else re.escape(part)
        for part in layout.split("\x00")
    )
    for name in ("cart", "customer"):
        assert re.fullmatch(pattern, pages[name], re.S), name


def test_a_change_to_the_cart_and_its_flash_show_on_the_cart_page_at_once(app, visitors):
    client = visitors["cart"]
    client.get("/cart")
    page = add_to_cart(client, visitors["mug"], quantity=3, follow=True).text
    assert 'value="5"' in page and _count(page) == 5
    assert 'class="flash' in page
    assert 'class="flash' not in client.get("/cart").text  # shown once
