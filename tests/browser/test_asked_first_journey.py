"""Cancel and refund in a real browser, on a phone and a wide screen: each asks first on a
page of its own, without JavaScript too; a wrong amount comes back beside the field; the
reason shows on the order's timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.orders.helpers import buy, order_number, staff, staff_post, stock_of

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def order(app):
    """A paid order of 2 units of a 15.00 product, and a staff member of the orders role."""
    client = app.test_client()
    response, product_id = buy(app, client, price_cents=1500, quantity=2, stock=5)
    desk = staff(app, app.test_client(), "orders", email="olly@staff.example.org")
    return order_number(response), product_id, desk


def _desk(browser, live_server, size, **options):
    context = browser.new_context(base_url=live_server, viewport=SIZES[size], **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/account/login")
    page.get_by_label("Email").fill("olly@staff.example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    return context, page


@pytest.mark.parametrize("size", SIZES)
def test_refund_asks_for_amount_reason_and_stock(app, browser, live_server, order, size):
    number, product_id, desk = order
    staff_post(desk, number, "ship", {"carrier": "DHL", "tracking_number": "JD0001"})
    staff_post(desk, number, "settle")
    context, page = _desk(browser, live_server, size)
    try:
        page.goto(f"/staff/orders/{number}")
        page.get_by_role("link", name="Refund…").click()
        expect(page.get_by_role("heading", name=f"Refund order {number}")).to_be_visible()
        assert page.get_by_label("Amount to refund").input_value() == "34.95"
        expect(page.get_by_text("At most $34.95.")).to_be_visible()
        screenshot(page, f"refund-page-{size}")

        page.get_by_label("Amount to refund").fill("50")
        page.get_by_role("button", name="Refund", exact=True).click()
        assert page.locator("#amount-error").inner_text() == (
            "At most $34.95 can be refunded on this order."
        )
        expect(page.locator("#reason-error")).to_be_visible()  # both at once
        assert page.get_by_label("Amount to refund").input_value() == "50"
        summary = page.get_by_role("alert")
        expect(summary).to_be_focused()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        screenshot(page, f"refund-errors-{size}")

        page.get_by_label("Amount to refund").fill("15.00")
        page.get_by_label("Reason").fill("One mug arrived chipped")
        page.get_by_label("Thing 1500-5").fill("1")
        page.get_by_role("button", name="Refund", exact=True).click()
        expect(
            page.get_by_text(f"Refunded $15.00 on order {number}. 1 item is back")
        ).to_be_visible()
        timeline = page.get_by_role("region", name="Timeline")
        expect(timeline.get_by_text("One mug arrived chipped")).to_be_visible()
        screenshot(page, f"refund-done-{size}")
    finally:
        context.close()
    assert stock_of(app, product_id) == 4


def test_cancel_asks_first_without_javascript_on_a_phone(app, browser, live_server, order):
    number, product_id, _desk_client = order
    context, page = _desk(browser, live_server, "phone", java_script_enabled=False)
    try:
        page.goto(f"/staff/orders/{number}")
        page.get_by_role("link", name="Cancel the order…").click()
        expect(page.get_by_role("heading", name=f"Cancel order {number}?")).to_be_visible()
        expect(page.get_by_text("Voids the payment of $34.95")).to_be_visible()
        expect(page.get_by_text("It cannot be undone.")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        screenshot(page, "cancel-page-phone")
        page.get_by_role("link", name="Keep the order").click()
        expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()
        assert stock_of(app, product_id) == 3  # nothing happened

        page.get_by_role("link", name="Cancel the order…").click()
        page.get_by_label("Reason (optional)").fill("Customer asked by phone")
        page.get_by_role("button", name="Cancel the order and void the payment").click()
        expect(
            page.get_by_text(f"Order {number} is cancelled and its payment voided.")
        ).to_be_visible()
        expect(page.get_by_text("Customer asked by phone")).to_be_visible()
        screenshot(page, "cancel-done-phone")
    finally:
        context.close()
    assert stock_of(app, product_id) == 5
