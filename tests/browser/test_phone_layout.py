"""The shop on a 390 x 844 phone, as a first-time visitor, a customer and staff see it: a
one-row header whose menu and search open with one tap (with or without JavaScript), Add to
cart on the product page's first screen above the cookie banner, a small banner with equal
buttons, and compact account and back-office menus. And on a 1280 px screen nothing of the
phone's shows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.catalog.helpers import make_category, make_product
from tests.helpers import PASSWORD, make_user

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def shop(app):
    kitchen = make_category(app, "Kitchen")
    make_category(app, "Garden", position=1)
    make_product(app, "Hand-thrown Stoneware Breakfast Mug in Speckled Oat", price_cents=1850,
                 stock=12, category_id=kitchen, images=2, shape="mug", age_days=2,
                 description="A **sturdy** mug.\n\n- 350 ml\n- dishwasher safe")  # fmt: skip
    make_product(app, "Enamel Teapot", price_cents=4200, stock=3, category_id=kitchen,
                 images=1, shape="vase")  # fmt: skip
    return app


def _context(browser, live_server, viewport=PHONE, **options):
    context = browser.new_context(base_url=live_server, viewport=viewport, **options)
    context.set_default_timeout(10_000)
    return context


def _customer(app, email, name, roles=()):
    """An account whose email is confirmed (no notice above the page)."""
    from jomso.accounts.models import User
    from jomso.extensions import db

    user_id = make_user(app, email, name=name, roles=roles)
    with app.app_context():
        user = db.session.get(User, user_id)
        user.email_confirmed_at = user.created_at
        db.session.commit()


def _sign_in(page, email):
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


def test_one_row_header_with_menu_and_search(shop, browser, live_server):
    context = _context(browser, live_server)
    try:
        page = context.new_page()
        page.goto("/")
        # Ribbon and header together: one short row each, not 250 px.
        assert _top(page, "main") <= 100
        header = page.locator(".site-header .header-row").bounding_box()
        assert header["height"] <= 60
        categories = page.get_by_role("navigation", name="Categories")
        expect(categories).not_to_be_visible()
        expect(page.get_by_role("searchbox", name="Search products")).not_to_be_visible()
        screenshot(page, "phone-header")

        page.locator("label[for=menu-toggle]").click()  # the menu button (a checkbox's label)
        expect(categories.get_by_role("link", name="Kitchen")).to_be_visible()
        expect(page.get_by_role("link", name="Sign in")).to_be_visible()
        screenshot(page, "phone-header-menu")
        categories.get_by_role("link", name="Kitchen").click()
        expect(page.get_by_role("heading", name="Kitchen", level=1)).to_be_visible()
        page.wait_for_load_state()  # the script that puts the cursor in the field has run

        page.locator("label[for=search-toggle]").click()
        search = page.get_by_role("searchbox", name="Search products")
        expect(search).to_be_visible()
        expect(search).to_be_focused()  # typing at once
        page.keyboard.type("teapot")
        page.keyboard.press("Enter")
        page.wait_for_url("**/products?q=teapot")
        expect(page.get_by_role("heading", name="Results for “teapot”")).to_be_visible()
        # The results page shows what was searched for, in the open search field.
        assert page.get_by_role("searchbox", name="Search products").input_value() == "teapot"
        screenshot(page, "phone-search-results")
    finally:
        context.close()


def test_the_phone_menus_work_without_javascript(shop, browser, live_server):
    context = _context(browser, live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/products")
        page.locator("label[for=menu-toggle]").click()
        expect(page.get_by_role("navigation", name="Categories")).to_be_visible()
        page.locator("label[for=search-toggle]").click()
        page.get_by_role("searchbox", name="Search products").fill("mug")
        page.get_by_role("searchbox", name="Search products").press("Enter")
        expect(page.get_by_role("heading", name="Results for “mug”")).to_be_visible()
    finally:
        context.close()


def test_add_to_cart_on_the_first_screen_above_a_small_banner(shop, browser, live_server):
    context = _context(browser, live_server, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto("/products/hand-thrown-stoneware-breakfast-mug-in-speckled-oat")
        screenshot(page, "phone-product")
        banner = page.get_by_role("region", name="Cookies and your privacy").bounding_box()
        # The banner: about a sixth of the screen (it was a third), its two buttons alike.
        assert banner["height"] <= 160
        assert banner["y"] + banner["height"] == pytest.approx(PHONE["height"], abs=1)
        accept = page.get_by_role("button", name="Accept", exact=True).bounding_box()
        decline = page.get_by_role("button", name="Decline", exact=True).bounding_box()
        assert (accept["width"], accept["height"]) == (decline["width"], decline["height"])
        # Add to cart: on the first screen, not under the banner, with its picture above it.
        button = page.get_by_role("button", name="Add to cart").bounding_box()
        assert button["y"] + button["height"] <= banner["y"]
        picture = page.locator(".gallery img").first.bounding_box()
        assert picture["y"] + picture["height"] <= button["y"]
        assert picture["height"] >= 250
        page.get_by_role("button", name="Add to cart").tap()
        page.get_by_text("to your cart").wait_for()
    finally:
        context.close()


def test_account_menu_is_one_button(app, browser, live_server):
    _customer(app, "bea@example.com", "Bea Customer")
    context = _context(browser, live_server)
    try:
        page = context.new_page()
        _sign_in(page, "bea@example.com")
        page.goto("/account/password")
        menu = page.get_by_role("navigation", name="My account")
        expect(menu).not_to_be_visible()
        expect(page.get_by_role("link", name="Delete my account")).not_to_be_visible()
        # The page's own heading comes right after the header and one menu button.
        assert _top(page, "main h1") <= 200
        # One button names the section and this page (a checkbox's label: no script needed).
        assert page.locator("label[for=account-menu]").inner_text().split() == [
            "MY", "ACCOUNT", "Password"]  # fmt: skip
        assert page.get_by_role("checkbox", name="My account Password").count() == 1
        screenshot(page, "phone-account")

        page.locator("label[for=account-menu]").click()
        expect(menu.get_by_role("link", name="Orders")).to_be_visible()
        links = menu.get_by_role("link").all_inner_texts()
        assert links[-1] == "Delete my account"  # last, apart from the everyday pages
        assert menu.get_by_role("link", name="Password").get_attribute("aria-current") == "page"
        screenshot(page, "phone-account-menu")
        menu.get_by_role("link", name="Orders").click()
        expect(page.get_by_role("heading", name="Orders", level=1)).to_be_visible()
        expect(page.locator("label[for=account-menu]")).to_have_text(
            re.compile(r"Orders\s*$"), use_inner_text=True
        )
    finally:
        context.close()


def test_staff_menu_is_one_button(app, browser, live_server):
    _customer(app, "olga@example.com", "Olga Owner", roles=["owner"])
    context = _context(browser, live_server)
    try:
        page = context.new_page()
        _sign_in(page, "olga@example.com")
        page.goto("/staff/orders")
        menu = page.get_by_role("navigation", name="Back office")
        expect(menu).not_to_be_visible()
        assert _top(page, ".staff-main h1") <= 260
        screenshot(page, "phone-staff")
        page.locator("label[for=staff-menu]").click()
        assert menu.get_by_role("link", name="Orders").get_attribute("aria-current") == "page"
        menu.get_by_role("link", name="Customers").click()
        expect(page.get_by_role("heading", name="Customers", level=1)).to_be_visible()
        expect(page.locator("label[for=staff-menu]")).to_have_text(
            re.compile(r"Customers\s*$"), use_inner_text=True
        )
    finally:
        context.close()


def test_a_wide_screen_shows_everything_without_menu_buttons(shop, browser, live_server):
    make_user(shop, "bea@example.com", name="Bea Customer")
    context = _context(browser, live_server, viewport=DESKTOP)
    try:
        page = context.new_page()
        _sign_in(page, "bea@example.com")
        page.goto("/account/orders")
        expect(page.get_by_role("searchbox", name="Search products")).to_be_visible()
        expect(page.get_by_role("navigation", name="Categories")).to_be_visible()
        expect(page.get_by_role("navigation", name="My account")).to_be_visible()
        expect(page.locator("label[for=menu-toggle]")).not_to_be_visible()
        expect(page.locator("label[for=account-menu]")).not_to_be_visible()
    finally:
        context.close()
