"""Buying in a real browser (demo payments): product, cart, checkout, the confirmation page and
email; then staff take the order from paid to shipped. Screenshots for a person to look at."""

from __future__ import annotations

from playwright.sync_api import expect

from jomso.orders.models import Order
from tests.browser.conftest import screenshot
from tests.catalog.helpers import make_category, make_product
from tests.helpers import PASSWORD, make_user
from tests.mailbox import last_message, text_of
from tests.orders.helpers import get_order


def _decline_cookies(page):
    banner = page.locator("[data-consent-banner]")
    if banner.count():
        banner.get_by_role("button", name="Decline").click()
        page.locator("[data-consent-banner]").first.wait_for(state="hidden")


def test_a_guest_buys_and_staff_ship_it(app, page, browser, live_server):
    kitchen = make_category(app, "Kitchen")
    make_product(app, "Stoneware Mug", price_cents=1850, stock=12, category_id=kitchen,
                 images=1, shape="mug", sku="KIT-1")  # fmt: skip
    make_product(app, "Enamel Teapot", price_cents=4200, stock=3, category_id=kitchen,
                 images=1, shape="vase", sku="KIT-2")  # fmt: skip

    page.goto("/products/stoneware-mug")
    _decline_cookies(page)
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/products/enamel-teapot")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Go to checkout").click()

    expect(page.get_by_role("heading", name="Checkout", level=1)).to_be_visible()
    assert page.locator("#checkout-total").inner_text() == "$79.00"  # free shipping from $50
    page.get_by_label("Email").fill("gus@example.com")
    page.get_by_label("Phone number").fill("(503) 555-0143")
    billing = page.get_by_role("group", name="Billing address")
    billing.get_by_label("Full name").fill("Gus Guest")
    billing.get_by_label("Address line 1").fill("1 Harbour Road")
    billing.get_by_label("City").fill("Portland")
    billing.get_by_label("State").fill("OR")
    billing.get_by_label("ZIP code").fill("97201")
    shipping = page.get_by_role("group", name="Shipping")
    assert shipping.get_by_label("Ship to my billing address").is_checked()
    expect(shipping.locator(".shipping-fields")).not_to_be_visible()  # CSS only, no script
    shipping.get_by_label("Ship to my billing address").uncheck()
    expect(shipping.locator(".shipping-fields")).to_be_visible()
    shipping.get_by_label("Ship to my billing address").check()
    assert page.get_by_role("radio", name="Visa ending 1111").is_checked()
    screenshot(page, "checkout-desktop")

    page.get_by_role("button", name="Place order and pay $79.00").click()
    page.wait_for_url("**/orders/J*")
    expect(page.get_by_text("Your order is placed. A confirmation is on its way")).to_be_visible()
    number = page.locator("h1").inner_text()
    assert page.locator(".order-head .status-badge").inner_text() == "Paid"
    expect(page.get_by_text("Paid with Visa ending 1111.")).to_be_visible()
    screenshot(page, "order-confirmation")
    message = last_message(app, to="gus@example.com")
    assert message["Subject"] == f"Your order {number} is confirmed"
    assert "$79.00" in text_of(message)

    # The order page on a phone.
    phone = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    try:
        mobile = phone.new_page()
        link = text_of(message).split("http://")[1].split()[0]
        mobile.goto("/" + link.split("/", 1)[1])
        _decline_cookies(mobile)
        expect(mobile.get_by_text("$79.00").first).to_be_visible()
        assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        tables_fit = "[...document.querySelectorAll('table')].every(" + (
            "t => t.scrollWidth <= t.parentElement.clientWidth)"
        )
        assert mobile.evaluate(tables_fit)
        screenshot(mobile, "order-confirmation-phone")
    finally:
        phone.close()

    # Staff: from paid to shipped.
    make_user(app, "olly@example.com", name="Olly Orders", roles=["orders"])
    staff_context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}
    )
    try:
        desk = staff_context.new_page()
        desk.goto("/account/login")
        desk.get_by_label("Email").fill("olly@example.com")
        desk.get_by_label("Password").fill(PASSWORD)
        desk.get_by_role("button", name="Sign in").click()
        menu = desk.get_by_role("navigation", name="Back office")
        menu.get_by_role("link", name="Orders").click()
        expect(desk.get_by_role("link", name=number)).to_be_visible()
        screenshot(desk, "staff-order-list")
        desk.get_by_role("link", name=number).click()
        expect(desk.get_by_role("heading", name=f"Order {number}")).to_be_visible()
        screenshot(desk, "staff-order-paid")
        desk.get_by_role("button", name="Start preparing").click()
        expect(desk.get_by_text(f"Order {number} is being prepared.")).to_be_visible()
        desk.get_by_label("Carrier").fill("UPS")
        desk.get_by_label("Tracking number").fill("1Z999AA10123456784")
        desk.get_by_role("button", name="Ship and capture the payment").click()
        expect(
            desk.get_by_text(f"Order {number} is shipped and its payment captured.")
        ).to_be_visible()
        screenshot(desk, "staff-order-shipped")
        desk.get_by_role("link", name="Packing slip", exact=True).click()
        expect(desk.get_by_text("Ship to")).to_be_visible()
        screenshot(desk, "staff-packing-slip")
    finally:
        staff_context.close()
    order = get_order(app, number)
    assert order.status == "shipped"
    assert isinstance(order, Order) and order.sale.status == "submitted_for_settlement"
    assert "1Z999AA10123456784" in text_of(last_message(app, to="gus@example.com"))


def test_checkout_on_a_phone(app, browser, live_server):
    make_product(app, "Stoneware Mug", price_cents=1850, stock=12, images=1, shape="mug")
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740})
    try:
        phone = context.new_page()
        phone.goto("/products/stoneware-mug")
        _decline_cookies(phone)
        phone.get_by_role("button", name="Add to cart").click()
        phone.goto("/checkout")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        phone.get_by_role("button", name="Place order and pay $23.45").click()  # nothing typed
        summary = phone.get_by_role("alert")
        expect(summary.get_by_text("Please check the fields marked below.")).to_be_visible()
        expect(summary.get_by_role("link", name="Email: Enter your email address.")).to_be_visible()
        assert phone.locator("#email-error").inner_text() == "Enter your email address."
        screenshot(phone, "checkout-phone-errors")
    finally:
        context.close()


def test_staff_see_refunds_and_a_dispute(app, page):
    from jomso import payments
    from tests.orders.helpers import buy, confirmed_post, order_number, staff, staff_post

    number = order_number(buy(app, app.test_client(), price_cents=2500, quantity=2)[0])
    desk = staff(app, app.test_client(), "owner", email="olga@example.com")
    staff_post(desk, number, "ship", {"carrier": "DHL", "tracking_number": "JD014600003828"})
    staff_post(desk, number, "settle")
    confirmed_post(desk, number, "refund", {"amount": "12.50", "reason": "Arrived late"})
    with app.app_context():
        sale = get_order(app, number).sale.transaction_id
        notification = payments.sample_webhook("dispute_opened", sale)
    app.test_client().post("/webhooks/braintree", data=notification)

    page.goto("/account/login")
    page.get_by_label("Email").fill("olga@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/staff/orders/{number}")
    expect(page.get_by_role("heading", name="Reported by Braintree")).to_be_visible()
    expect(page.get_by_text("Dispute opened")).to_be_visible()
    assert page.locator(".status-badge").first.inner_text() == "Partly refunded"
    screenshot(page, "staff-order-refunded-disputed")
