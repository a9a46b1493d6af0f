"""What a page rendered for one visitor costs in SQL statements: a signed-in customer's cached
page (the session with the values read beside it), the checkout, and the staff pages, none of
which grows with the cart or the number of orders; and the request memo under them."""

import re

import pytest
from sqlalchemy import event, select, text

from jomso.cart.models import Cart, CartItem
from jomso.catalog.models import Product, ProductOption, ProductVariant
from jomso.catalog.variants import refresh_summary
from jomso.discounts.codes import lookup_key
from jomso.discounts.models import DiscountCode
from jomso.extensions import db
from jomso.request_memo import memo
from jomso.taxes.models import TaxClass
from tests.accounts.helpers import registered_customer
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import counting_statements, login, make_user, set_standard_shipping
from tests.orders.factories import make_order
from tests.orders.helpers import add_to_cart, checkout_data, staff
from tests.taxes.helpers import set_taxes

# The page-view log writes on its own (a thread in production); not a page's cost.
PAGE_VIEWS = re.compile(r"\bpage_views\b")

# The checkout page's statements (12 and 14 before the delivery and tax settings were kept per
# catalog revision); lower them when a change makes the page cheaper.
BUDGET_GUEST, BUDGET_SIGNED_IN = 5, 8
# The staff pages' (they were 31, 9 and 15 before the dashboard's cards shared their counts;
# the order page reads its invoice and credit notes since 0.2.0: one more; the catalog
# revision is read with the session since: one less on the dashboard and the list; the roles
# too, as names, which the order page reads again after writing its access log: one more).
STAFF_BUDGETS = {"dashboard": 15, "orders list": 6, "order page": 17}


def _statements(app, client, url: str) -> list[str]:
    client.get(url)  # warm: first-request work is not per-page work
    with counting_statements(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return [s for s in statements if not PAGE_VIEWS.search(s)]


def _cart_count(html: str) -> str:
    return re.search(r'class="cart-count"[^>]*>(\d+)<', html).group(1)


def test_a_signed_in_customers_cached_page_is_one_statement(app, client):
    """The session, its account, roles, cart count, accepted policy, the policy in force and
    the catalog revision in one statement; the header still shows their cart, and the policy
    notice once the policy changes (then the version in force is read for the notice's date).
    (Five before: the cart count and the accepted version were a statement each, and the
    revision and the policy one each.)"""
    from jomso.privacy.services import publish_policy

    app.config["PAGE_CACHE_ENABLED"] = True
    product_id = make_product(app, "Oak jar", price_cents=1200, stock=9)
    registered_customer(client)  # signed in, accepting the policy in force
    add_to_cart(client, product_id, 2)
    for url in ("/", "/products", "/products/oak-jar"):
        statements = _statements(app, client, url)
        assert len(statements) == 1, statements
        assert "user_sessions" in statements[0] and "catalog_revision" in statements[0]
        assert _cart_count(client.get(url).text) == "2"
    with app.app_context():
        publish_policy("We changed how we keep your data.", "What changed")
    for url in ("/", "/products", "/products/oak-jar"):
        statements = _statements(app, client, url)
        rest = [s.split("FROM")[1].split()[0] for s in statements[1:]]
        assert rest == ["policy_versions"], statements
        page = client.get(url).text
        assert _cart_count(page) == "2"
        assert "Our privacy policy changed on" in page  # the policy notice


def test_a_guests_page_with_a_cart_is_one_statement(app, client):
    """A guest with a cart: a cached page reads the catalog revision and their cart count in
    one statement, the cart page the revision with the cart's lines; a guest without a cart
    reads the revision alone. Each sees their own count. (Two each before.)"""
    app.config["PAGE_CACHE_ENABLED"] = True
    product_id = make_product(app, "Oak jar", price_cents=1200, stock=9)
    add_to_cart(client, product_id, 2)
    other = app.test_client()
    add_to_cart(other, product_id, 3)
    for url in ("/", "/products", "/products/oak-jar", "/cart"):
        statements = _statements(app, client, url)
        assert len(statements) == 1, statements
        assert "catalog_revision" in statements[0] and "cart_items" in statements[0]
        assert _cart_count(client.get(url).text) == "2"
        assert _cart_count(other.get(url).text) == "3"
    statements = _statements(app, app.test_client(), "/products")
    assert len(statements) == 1 and "cart_items" not in statements[0], statements


def test_the_cart_count_read_with_the_session_follows_a_change_in_the_same_request(app):
    """A value read with the session is dropped when the request writes: the header of a page
    rendered after adding to the cart counts the new line."""
    from jomso.accounts.user_sessions import user_for_session
    from jomso.cart.services import item_count

    product_id = make_product(app, "Oak jar", price_cents=1200, stock=9)
    user_id = make_user(app, email="cora@example.com")
    client = app.test_client()
    login(client, "cora@example.com")
    add_to_cart(client, product_id, 1)
    with app.app_context():
        from jomso.accounts.models import UserSession

        record = db.session.scalar(select(UserSession).where(UserSession.user_id == user_id))
        record_id, version = record.id, record.user.session_version
        cart_id = db.session.scalar(select(Cart.id).where(Cart.user_id == user_id))
    with app.test_request_context("/"):
        from flask_login import login_user

        # The loader reads the cookie's token; a known token stands in for it here.
        from jomso.accounts import user_sessions

        token = "known-token"
        db.session.execute(
            text("UPDATE user_sessions SET token_hash = :h WHERE id = :i"),
            {"h": user_sessions._token_hash(token), "i": record_id},
        )
        db.session.commit()
        user = user_for_session(f"{user_id}:{version}:{token}")
        login_user(user)
        with counting_statements(app) as statements:
            assert item_count() == 1
        assert statements == []  # read with the session
        item = db.session.scalar(select(CartItem).where(CartItem.cart_id == cart_id))
        item.quantity = 4
        db.session.flush()
        assert item_count() == 4


def test_the_request_memo_keeps_an_answer_until_the_request_writes(app):
    calls = []
    with app.test_request_context("/"):
        assert memo("k", lambda: calls.append(1) or len(calls)) == 1
        assert memo("k", lambda: calls.append(1) or len(calls)) == 1
        db.session.execute(text("SELECT 1"))  # a read keeps it
        assert memo("k", lambda: calls.append(1) or len(calls)) == 1
        db.session.execute(text("UPDATE catalog_revision SET value = value"))
        assert memo("k", lambda: calls.append(1) or len(calls)) == 2
        make_user_row = __import__("jomso.accounts.models", fromlist=["User"]).User
        db.session.add(make_user_row(email="x@example.com", password_hash="x", name="X"))
        db.session.flush()
        assert memo("k", lambda: calls.append(1) or len(calls)) == 3
        db.session.rollback()
    with app.test_request_context("/"):  # a new request asks again
        assert memo("k", lambda: calls.append(1) or len(calls)) == 4


def _checkout_statements(app, lines: int, signed_in: bool) -> list[str]:
    client = app.test_client()
    if signed_in:
        make_user(app, email=f"buyer{lines}@example.com")
        login(client, f"buyer{lines}@example.com")
    for index in range(lines):
        product_id = make_product(app, f"Jar {lines}-{index}", price_cents=900, stock=50)
        add_to_cart(client, product_id, 1)
    return _statements(app, client, "/checkout")


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "signed in"])
def test_the_checkout_page_costs_the_same_whatever_the_cart(app, signed_in):
    set_standard_shipping(app)
    few = _checkout_statements(app, 1, signed_in)
    many = _checkout_statements(app, 6, signed_in)
    assert len(few) == len(many)
    # The delivery methods and zones, the tax settings, rates and classes are kept per
    # catalog revision: no page reads them again until the owner changes them.
    for table in ("shipping_methods", "shipping_areas", "tax_settings", "tax_rates", "tax_classes"):
        assert not [s for s in few if f"FROM {table}" in s or f"JOIN {table}" in s], table
    # The header's cart count is the one the summary made.
    assert not [s for s in few if s.startswith("SELECT coalesce(sum(cart_items.quantity)")], few
    assert len(few) <= (BUDGET_SIGNED_IN if signed_in else BUDGET_GUEST), few


def test_staff_pages_cost_the_same_whatever_the_number_of_orders(app, client):
    staff(app, client, role="owner")
    numbers = [make_order(app, lines=[(None, 1, 1000), (None, 2, 500)]) for _ in range(3)]
    pages = ("/staff/", "/staff/orders", f"/staff/orders/{numbers[0]}")
    few = {url: len(_statements(app, client, url)) for url in pages}
    for _ in range(20):
        make_order(app, lines=[(None, 1, 1000), (None, 2, 500), (None, 1, 250)])
    many = {url: len(_statements(app, client, url)) for url in pages}
    assert few == many
    assert list(few.values()) == list(STAFF_BUDGETS.values()), few


def _tee(app, index: int) -> int:
    """A tee sold in S and M (M dearer), in the reduced tax class, 20 of each in stock."""
    product_id = make_product(app, f"Tee {index}", price_cents=2000 + index, stock=0)
    with app.app_context():
        tee = db.session.get(Product, product_id)
        tee.variants.clear()
        db.session.flush()
        tee.options = [ProductOption(position=1, name="Size", values=["S", "M"])]
        tee.tax_class = "reduced" if index % 2 else "standard"
        for position, (size, price) in enumerate((("S", None), ("M", 2500 + index))):
            tee.variants.append(
                ProductVariant(sku=f"TEE-{index}-{size}", option1=size, stock=20, price_cents=price,
                               position=position, is_active=True, weight_grams=200, barcode="")
            )  # fmt: skip
        refresh_summary(tee)
        db.session.commit()
    return product_id


def _cart_statements(app, products: int) -> tuple[list[str], str]:
    client = app.test_client()
    for index in range(products):
        product_id = _tee(app, products * 10 + index)
        for size in ("S", "M"):
            token = csrf_token_from(client.get("/cart").text)
            form = {"product_id": str(product_id), "option1": size, "quantity": "2"}
            client.post("/cart/add", data={"csrf_token": token, **form})
    page = client.get("/cart").text
    client.post(
        "/cart/discount", data={"discount_code": "TEN", "csrf_token": csrf_token_from(page)}
    )
    statements = _statements(app, client, "/cart")
    return statements, client.get("/cart").text


def test_the_cart_costs_the_same_whatever_its_lines(app):
    """Variants, two tax classes, prices with VAT and the shipping taxed in proportion, a
    discount code: the cart's statements do not grow with its lines, and the shop's delivery
    and tax settings are not read again (kept per catalog revision)."""
    set_standard_shipping(app)
    set_taxes(app, included=True, rule="proportional",
              rates={"standard:US": 20000, "reduced:US": 7000})  # fmt: skip
    with app.app_context():
        db.session.add(DiscountCode(code="TEN", lookup_key=lookup_key("TEN"), kind="percent",
                                    value=10))  # fmt: skip
        db.session.commit()
    few, page = _cart_statements(app, 1)
    assert page.count('name="variant_id"') == 2 * 2 and "TEN" in page
    many, page = _cart_statements(app, 8)
    assert page.count('name="variant_id"') == 2 * 16, "each size of each tee is a line"
    with app.app_context():
        reduced = db.session.scalar(select(TaxClass.name).where(TaxClass.code == "reduced"))
    assert reduced in page and "TEN" in page
    assert len(few) == len(many), (few, many)
    for table in ("shipping_methods", "shipping_areas", "tax_settings", "tax_rates", "tax_classes"):
        assert not [s for s in many if f"FROM {table}" in s or f"JOIN {table}" in s], table
    # A code without a usage limit: its orders are never counted (a popular code has thousands).
    assert not [s for s in many if "FROM orders" in s], many
    # A code for all products: whether it is limited is read with it, neither list is loaded.
    assert not [s for s in many if "FROM categories" in s or "FROM products," in s], many
    # the cart with its priced lines and the catalog revision (one statement), the code
    assert len(many) <= 2, many


def _catalog_reads(statements: list[str]) -> dict[str, int]:
    return {
        table: sum(
            1 for s in statements if s.startswith("SELECT") and re.search(rf"FROM {table}\b", s)
        )
        for table in ("products", "product_variants")
    }


def test_a_cart_change_reads_its_product_and_cart_once(app):
    """Adding to the cart and changing a quantity name the product in their message from what
    was read before their commit: the commit expires the product and its variant, and naming
    them after it read each again."""
    product_id = make_product(app, "Clay pot", price_cents=900, stock=50)
    client = app.test_client()
    token = csrf_token_from(client.get("/cart").text)
    with counting_statements(app) as added:
        answer = client.post("/cart/add", data={"product_id": product_id, "quantity": 1,
                                                "csrf_token": token})  # fmt: skip
    assert answer.status_code in (302, 303)
    page = client.get("/cart").text
    assert "Clay pot" in page
    variant_id = re.search(r'name="variant_id" value="(\d+)"', page)[1]
    with counting_statements(app) as updated:
        form = {"variant_id": variant_id, "quantity": 3, "csrf_token": csrf_token_from(page)}
        answer = client.post("/cart/update", data=form)
    assert answer.status_code in (302, 303)
    assert "Updated the quantity of “Clay pot”" in client.get("/cart").text
    # The product, then its variants (the one added is chosen among them).
    assert _catalog_reads(added) == {"products": 1, "product_variants": 1}, added
    # The variant, then its product; the cart once (its line holds it: the session keeps
    # objects weakly, and the line read it again at ``item.cart``).
    assert _catalog_reads(updated) == {"products": 1, "product_variants": 1}, updated
    assert len([s for s in updated if re.search(r"^SELECT .*\bFROM carts\b", s, re.S)]) == 1, (
        updated
    )


def test_a_code_s_uses_are_counted_only_for_the_limits_it_has(app):
    set_standard_shipping(app)
    with app.app_context():
        db.session.add(DiscountCode(code="TEN", lookup_key=lookup_key("TEN"), kind="percent",
                                    value=10, usage_limit=500))  # fmt: skip
        db.session.commit()
    statements, page = _cart_statements(app, 1)
    assert "TEN" in page and 'id="cart-discount"' in page  # applied
    counts = [s for s in statements if "FROM orders" in s]
    assert len(counts) == 1, statements  # all its uses; a guest has none of their own


# Placing a guest's order of one line (41 before the new order stayed loaded after its commits,
# and before its emails were built in one flush; 31 before its invoice and cart were read again;
# 29 before the cart was read once, as plain rows, and not loaded as an ORM object too).
PLACING_BUDGET = 28
# What a mail sender running meanwhile claims and marks: not the checkout's work.
SENDER = re.compile(r"^(UPDATE|SELECT .* FROM) outgoing_mail\b", re.DOTALL)


def _placing_statements(app, lines: int) -> list[str]:
    client = app.test_client()
    for index in range(lines):
        add_to_cart(client, make_product(app, f"Pot {lines}-{index}", price_cents=900, stock=50))
    form = checkout_data(client.get("/checkout").text)
    with counting_statements(app) as statements:
        response = client.post("/checkout", data=form)
    assert response.status_code == 303 and "/orders/" in response.headers["Location"]
    return [s for s in statements if not PAGE_VIEWS.search(s) and not SENDER.match(s)]


def test_placing_an_order_compiles_nothing_the_order_before_compiled(app):
    """Every statement the checkout POST runs comes from SQLAlchemy's compiled cache from the
    second order on: none is built in a way that has no cache key (an upsert construct did
    that, compiled again for every invoice) or that differs per order."""
    set_standard_shipping(app)
    with app.app_context():
        engine = db.engine
    compiled: list[tuple[str, str]] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        # Not a read straight through the driver (no context: compiled once per process), nor
        # SQL given to the driver as written (``BEGIN IMMEDIATE``).
        if context is not None and context.compiled is not None:
            compiled.append((context.cache_hit.name, statement))

    _placing_statements(app, 2)  # the first order compiles what placing runs
    event.listen(engine, "after_cursor_execute", note)
    try:
        _placing_statements(app, 3)
    finally:
        event.remove(engine, "after_cursor_execute", note)
    assert compiled
    assert not [(hit, statement) for hit, statement in compiled if hit != "CACHE_HIT"]


def test_placing_an_order_reads_nothing_it_wrote_itself(app):
    """The new order, its lines, taxes and payment stay loaded after the commits that store
    them: the payment, the invoice, the confirmation and the redirect read none of them
    again, however many lines the order has. A new order has no invoice to look for, and the
    cart read before the lock (once, with its lines) is emptied without being read again."""
    set_standard_shipping(app)
    few, many = _placing_statements(app, 1), _placing_statements(app, 6)
    for statements in (few, many):
        inserted = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO orders "))
        reads = [s for s in statements[inserted:] if s.startswith("SELECT")]
        for table in ("orders", "order_lines", "order_tax_lines", "payments", "invoices", "carts"):
            assert not [s for s in reads if re.search(rf"\bFROM {table}\b", s)], table
    # Per line: its stock taken, its row written; nothing else grows with the cart.
    per_line = [s for s in many if s.startswith(("INSERT INTO order_lines", "UPDATE product_v"))]
    assert len(many) - len(few) <= len(per_line) - 2, (few, many)
    assert len(few) <= PLACING_BUDGET, few


def test_a_signed_in_customers_cached_page_makes_no_orm_session(app, client, monkeypatch):
    """The account read with the session is put into the request's ORM session only if the
    request makes one: a page from the page cache makes none (a tenth of its time); a page
    that reads the account's rows (the address book) still finds them."""
    from jomso.attached_rows import RequestSession

    app.config["PAGE_CACHE_ENABLED"] = True
    make_product(app, "Oak jar", price_cents=1200, stock=9)
    registered_customer(client)
    made = []
    original = RequestSession.__init__

    def counted(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(RequestSession, "__init__", counted)
    for url in ("/", "/products", "/products/oak-jar", "/cart"):
        client.get(url)  # warm: the first visit renders the page
        made.clear()
        page = client.get(url)
        assert "My account" in page.text and "Sign in" not in page.text, url
        assert made == [], url
    page = client.get("/account/addresses")
    assert page.status_code == 200 and "Bea Customer" in page.text  # the billing address
    assert len(made) == 1


def test_the_account_waiting_for_the_orm_session_is_the_one_it_holds(app):
    """On a page from the page cache the account waits for the request's ORM session; once a
    query makes one, the account is in it: the same object a query for the row returns, its
    relationships load, and a change to it is saved."""
    from flask_login import current_user, login_user

    from jomso.accounts import user_sessions
    from jomso.accounts.models import User, UserSession

    user_id = make_user(app, email="cora@example.com")
    client = app.test_client()
    login(client, "cora@example.com")
    with app.app_context():
        record = db.session.scalar(select(UserSession).where(UserSession.user_id == user_id))
        version = record.user.session_version
        record.token_hash = user_sessions._token_hash("known-token")  # stands in for the cookie
        db.session.commit()
    with app.test_request_context("/products"):
        user = user_sessions.user_for_session(f"{user_id}:{version}:known-token")
        assert not db.session.registry.has()  # waiting: no ORM session made for it
        login_user(user)
        assert db.session.get(User, user_id) is current_user._get_current_object()
        assert user.addresses == [] and user.roles == []
        user.name = "Cora Reed"
        db.session.commit()
    with app.app_context():
        assert db.session.get(User, user_id).name == "Cora Reed"
