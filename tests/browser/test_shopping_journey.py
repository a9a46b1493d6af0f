"""A customer's journey in a real browser: home, category, product, cart, quantity, total."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.catalog.helpers import make_category, make_product


@pytest.fixture
def shop(app):
    kitchen = make_category(app, "Kitchen")
    garden = make_category(app, "Garden", position=1)
    make_product(app, "Stoneware Mug", price_cents=1850, stock=12, category_id=kitchen,
                 description="A **sturdy** mug.\n\n- 350 ml\n- dishwasher safe",
                 age_days=2, images=2, sku="KIT-1", shape="mug")  # fmt: skip
    make_product(app, "Enamel Teapot", price_cents=4200, stock=3, category_id=kitchen,
                 age_days=20, images=1, sku="KIT-2", shape="vase")  # fmt: skip
    make_product(app, "Butter Dish", price_cents=2200, stock=0, category_id=kitchen,
                 age_days=40, images=1, sku="KIT-3", shape="bowl")  # fmt: skip
    make_product(app, "Clay Pot", price_cents=1500, stock=30, category_id=garden,
                 age_days=5, images=0, sku="GAR-1")  # fmt: skip
    return app


def test_shopping_journey(shop, page):
    page.goto("/")
    expect(page.get_by_role("heading", name="New arrivals")).to_be_visible()
    screenshot(page, "home-desktop")

    page.get_by_role("navigation", name="Categories").get_by_role("link", name="Kitchen").click()
    expect(page.get_by_role("heading", name="Kitchen", level=1)).to_be_visible()
    expect(page.get_by_text("3 products")).to_be_visible()
    screenshot(page, "list-desktop")

    page.get_by_role("link", name="Stoneware Mug").click()
    expect(page.get_by_role("heading", name="Stoneware Mug")).to_be_visible()
    expect(page.get_by_text("$18.50").first).to_be_visible()
    expect(page.get_by_text("In stock")).to_be_visible()
    screenshot(page, "product-desktop")

    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added 2 of “Stoneware Mug” to your cart.")).to_be_visible()
    assert page.locator(".cart-count").inner_text() == "2"
    assert page.locator("#cart-total").inner_text() == "$41.95"  # 2 x 18.50 + 4.95 shipping

    page.get_by_label("Quantity of Stoneware Mug").fill("3")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Updated the quantity of “Stoneware Mug”.")).to_be_visible()
    assert page.locator("#cart-subtotal").inner_text() == "$55.50"
    assert page.locator("#cart-shipping").inner_text() == "Free"
    assert page.locator("#cart-total").inner_text() == "$55.50"
    assert page.locator(".cart-count").inner_text() == "3"
    screenshot(page, "cart-desktop")


def test_search_from_the_header(shop, page):
    page.goto("/")
    page.get_by_role("searchbox", name="Search products").fill("teapot")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Results for “teapot”")).to_be_visible()
    expect(page.get_by_text("Only 3 left")).to_be_visible()


def test_pages_on_a_phone(shop, browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    try:
        for name, url in (("home", "/"), ("list", "/products?category=kitchen"),
                          ("product", "/products/stoneware-mug")):  # fmt: skip
            phone.goto(url)
            assert _fits_the_screen(phone), url
            screenshot(phone, f"{name}-phone")
        phone.get_by_role("button", name="Add to cart").click()
        assert phone.locator("#cart-total").inner_text() == "$23.45"
        assert _fits_the_screen(phone)
        screenshot(phone, "cart-phone")
        phone.set_viewport_size({"width": 320, "height": 640})
        for url in ("/", "/products", "/products/stoneware-mug", "/cart"):
            phone.goto(url)
            assert _fits_the_screen(phone), url
    finally:
        context.close()


def _fits_the_screen(page) -> bool:
    """Nothing wider than the viewport (no sideways scrolling of the whole page)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
