"""Errors where people look: a declined card is said at the top of the checkout, focused and
announced, with the payment box marked; an empty contact form asks for what is missing and
nothing else. On a phone and on a wide screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.catalog.helpers import make_product

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _decline_cookies(page):
    banner = page.locator("[data-consent-banner]")
    if banner.count():
        banner.get_by_role("button", name="Decline").click()
        banner.first.wait_for(state="detached")


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    bottom = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= bottom


@pytest.mark.parametrize("size", SIZES)
def test_a_declined_card_is_said_at_the_top(app, browser, live_server, size):
    make_product(app, "Stoneware Mug", price_cents=1850, stock=12, images=1, shape="mug")
    context = browser.new_context(base_url=live_server, viewport=SIZES[size])
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/products/stoneware-mug")
        _decline_cookies(page)
        page.get_by_role("button", name="Add to cart").click()
        page.goto("/checkout")
        page.get_by_label("Email").fill("gus@example.com")
        page.get_by_label("Phone number").fill("(503) 555-0143")
        billing = page.get_by_role("group", name="Billing address")
        billing.get_by_label("Full name").fill("Gus Guest")
        billing.get_by_label("Address line 1").fill("1 Harbour Road")
        billing.get_by_label("City").fill("Portland")
        billing.get_by_label("State").fill("OR")
        billing.get_by_label("ZIP code").fill("97201")
        page.get_by_role("radio", name="Visa ending 1115").check()
        page.get_by_role("button", name="Place order and pay").click()
        page.wait_for_load_state()

        alert = page.get_by_role("alert")
        assert alert.count() == 1
        assert "Your bank declined the payment" in alert.inner_text()
        assert _in_view(page, alert)  # on the first screen, not 1,200 px down
        expect(alert).to_be_focused()  # focused: read out
        screenshot(page, f"checkout-declined-{size}")
        payment = page.get_by_role("group", name="Payment")
        assert payment.evaluate("box => getComputedStyle(box).borderTopColor") == (
            "rgb(180, 35, 24)"  # --danger
        )
        alert.get_by_role("link").click()  # the link leads to the payment box
        page.wait_for_timeout(200)
        assert _in_view(page, page.get_by_role("radio", name="Visa ending 1111"))
        assert page.get_by_label("Email").input_value() == "gus@example.com"
    finally:
        context.close()


def test_an_empty_contact_form_asks_only_for_what_is_missing(app, browser, live_server):
    app.config["CONTACT_MIN_SECONDS"] = 3
    context = browser.new_context(base_url=live_server, viewport=SIZES["phone"])
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/contact")
        _decline_cookies(page)
        page.get_by_role("button", name="Send message").click()  # at once, empty
        page.wait_for_load_state()
        alert = page.get_by_role("alert")
        assert "Enter your name." in alert.inner_text()
        assert "Write your message." in alert.inner_text()
        assert page.get_by_text("That was quick").count() == 0
        assert _in_view(page, alert)
        expect(alert).to_be_focused()
        screenshot(page, "contact-empty-phone")
        alert.get_by_role("link", name="Your name: Enter your name.").click()
        expect(page.get_by_label("Your name")).to_be_focused()
    finally:
        context.close()
