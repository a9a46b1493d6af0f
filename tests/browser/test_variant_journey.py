"""Picking a variant in a real browser: without JavaScript (the server resolves the options)
and with it (price, stock, SKU and the add button change in place, no reload); buying it with
the demo card; staff see its title and SKU on the order and the packing slip."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from jomso.catalog.models import Product
from jomso.catalog.variants import refresh_summary
from jomso.extensions import db
from tests.browser.conftest import screenshot
from tests.browser.test_checkout_journey import _decline_cookies
from tests.catalog.helpers import make_product
from tests.catalog.test_variants import make_shirt
from tests.helpers import PASSWORD, make_user


def _read(locator) -> str:
    return " ".join(locator.inner_text().split())


def _shirt_on_sale(app) -> None:
    """The linen shirt: S / Blue sold out, S / White $45.00, M / Blue $49.00 (was $55.00)."""
    product_id = make_shirt(app)
    with app.app_context():
        shirt = db.session.get(Product, product_id)
        [blue] = [v for v in shirt.variants if v.sku == "SHIRT-M-B"]
        blue.compare_at_cents = 5500
        refresh_summary(shirt)
        db.session.commit()


def test_picking_a_variant_without_javascript(app, browser, live_server):
    _shirt_on_sale(app)
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/products/linen-shirt")
        assert page.locator("#variant-price-now").inner_text() == "$45.00"  # S / White
        page.get_by_label("Size").select_option("M")
        page.get_by_label("Colour").select_option("White")
        page.get_by_role("button", name="Add to cart").click()
        # not sold: the page comes back with the message beside the options
        expect(
            page.get_by_text("This combination is not sold. Please choose another.")
        ).to_be_visible()
        screenshot(page, "variant-not-sold-nojs")
        page.get_by_label("Colour").select_option("Blue")
        page.get_by_role("button", name="Add to cart").click()
        expect(page.get_by_text("Added 1 of “Linen Shirt")).to_be_visible()
        cart = page.locator("main").inner_text()
        assert "M / Blue" in cart and "$49.00" in cart
        # a link to a chosen variant shows it, price and all
        page.goto("/products/linen-shirt?option1=M&option2=Blue")
        assert _read(page.locator("#variant-price")) == "$49.00 was $55.00"
        assert page.locator("#variant-sku").inner_text() == "SHIRT-M-B"
    finally:
        context.close()


def test_picking_a_variant_with_javascript_then_buying_it(app, page, browser, live_server):
    _shirt_on_sale(app)
    page.goto("/products/linen-shirt")
    _decline_cookies(page)
    page.evaluate("window.notReloaded = true")
    price, stock = page.locator("#variant-price"), page.locator("#variant-stock")
    assert _read(price) == "$45.00" and _read(stock) == "Only 4 left"
    page.get_by_label("Size").select_option("M")  # M / White: not sold
    expect(page.get_by_text("This combination is not sold. Please choose another.")).to_be_visible()
    assert page.locator("#add-to-cart").is_disabled()
    page.get_by_label("Colour").select_option("Blue")
    assert _read(price) == "$49.00 was $55.00"
    assert _read(stock) == "Only 3 left"
    assert page.locator("#variant-sku").inner_text() == "SHIRT-M-B"
    assert not page.get_by_text("This combination is not sold.").count()
    assert page.locator("#add-to-cart").is_enabled()
    assert page.url.endswith("/products/linen-shirt?option1=M&option2=Blue")
    # with Size S, Blue is sold out; with M, White is not sold
    assert page.locator("#option2 option[value=White]").inner_text() == "White (not available)"
    page.get_by_label("Size").select_option("S")
    assert page.locator("#option2 option[value=Blue]").inner_text() == "Blue (sold out)"
    assert page.locator("#add-to-cart").inner_text() == "Sold out"
    assert _read(stock) == "Sold out"
    # the sold-out variant's "email me when it is back" is on its own page: a link to it
    restock = page.locator("#restock-link a")
    expect(restock).to_be_visible()
    assert restock.get_attribute("href").endswith("?option1=S&option2=Blue#restock-form")
    page.get_by_label("Size").select_option("M")
    assert page.locator("#restock-link").is_hidden()
    assert page.evaluate("window.notReloaded") is True  # all of it in place
    screenshot(page, "variant-picked-desktop")

    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added 1 of “Linen Shirt")).to_be_visible()
    page.get_by_role("link", name="Go to checkout").click()
    page.get_by_label("Email").fill("vera@example.com")
    page.get_by_label("Phone number").fill("(503) 555-0143")
    billing = page.get_by_role("group", name="Billing address")
    billing.get_by_label("Full name").fill("Vera Variant")
    billing.get_by_label("Address line 1").fill("1 Harbour Road")
    billing.get_by_label("City").fill("Portland")
    billing.get_by_label("State").fill("OR")
    billing.get_by_label("ZIP code").fill("97201")
    assert page.get_by_role("radio", name="Visa ending 1111").is_checked()
    page.get_by_role("button", name="Place order and pay").click()
    page.wait_for_url("**/orders/J*")
    number = page.locator("h1").inner_text()
    assert "M / Blue" in page.locator("main").inner_text()

    make_user(app, "olly@example.com", name="Olly Orders", roles=["orders"])
    staff = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    try:
        desk = staff.new_page()
        desk.set_default_timeout(10_000)
        desk.goto("/account/login")
        desk.get_by_label("Email").fill("olly@example.com")
        desk.get_by_label("Password").fill(PASSWORD)
        desk.get_by_role("button", name="Sign in").click()
        desk.goto(f"/staff/orders/{number}")
        order = desk.locator("main").inner_text()
        assert "Linen Shirt" in order and "M / Blue" in order and "SHIRT-M-B" in order
        screenshot(desk, "variant-staff-order")
        desk.get_by_role("link", name="Packing slip", exact=True).click()
        slip = desk.locator("main").inner_text()
        assert "M / Blue" in slip and "SHIRT-M-B" in slip
        screenshot(desk, "variant-packing-slip")
    finally:
        staff.close()


def test_the_back_in_stock_form_follows_the_variant_picked_in_place(app, page, live_server):
    _shirt_on_sale(app)
    page.goto("/products/linen-shirt?option1=S&option2=Blue")  # sold out
    _decline_cookies(page)
    form = page.locator("#restock-form")
    expect(form).to_be_visible()
    page.get_by_label("Size").select_option("M")  # M / Blue: in stock, no form
    assert form.is_hidden() and page.locator("#restock-link").is_hidden()
    page.get_by_label("Size").select_option("S")
    expect(form).to_be_visible()
    form.get_by_label("Email").fill("wren@example.com")
    form.get_by_role("button", name="Email me when it is back").click()
    expect(page.get_by_text("Check your inbox")).to_be_visible()


def test_the_filters_and_the_picker_fit_a_phone(app, browser, live_server):
    _shirt_on_sale(app)
    make_product(app, "Oak Tray", price_cents=2000, stock=0, images=1, shape="bowl")
    make_product(app, "Sale Mug", price_cents=1500, images=1, shape="mug", age_days=1)
    with app.app_context():
        mug = db.session.scalar(select(Product).where(Product.slug == "sale-mug"))
        mug.default_variant.compare_at_cents = 2000
        refresh_summary(mug)
        db.session.commit()
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(
            base_url=live_server, viewport={"width": width, "height": height}
        )
        try:
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto("/products")
            _decline_cookies(page)
            page.get_by_label("Price to").fill("abc")
            page.get_by_label("In stock only").check()
            page.get_by_role("button", name="Apply").click()
            page.wait_for_load_state("load")
            page.get_by_text("Enter the price as a number, such as 12.50.").wait_for()
            assert "Oak Tray" not in page.locator(".product-grid").inner_text()
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            screenshot(page, f"list-filters-{width}")
            page.get_by_label("Price to").fill("20")
            page.get_by_role("button", name="Apply").click()
            # Read once the page has loaded with its stylesheet: inner_text breaks lines by
            # the layout (a loaded machine read it once mid-load, "NewSale ...").
            page.wait_for_url("**max=20**")
            page.wait_for_load_state("load")
            assert _read(page.locator(".product-grid")).startswith(
                "New Sale Sale Mug $15.00 was $20.00"
            )
            screenshot(page, f"list-sale-{width}")
            page.goto("/products/linen-shirt?option1=M&option2=Blue")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            screenshot(page, f"variant-product-{width}")
        finally:
            context.close()
