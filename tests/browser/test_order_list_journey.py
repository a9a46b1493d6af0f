"""The owner's morning at the order list: two paid orders, ticked and started in bulk, then
their packing slips printed as one document (a page each); then one of them gets an internal
note and is shipped with a carrier whose tracking page it links. Screenshots for a person to
look at."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.helpers import PASSWORD, make_user
from tests.orders.helpers import buy, get_order, order_number


def test_owner_prepares_two_orders_in_bulk_and_prints_their_packing_slips(app, page):
    first = order_number(buy(app, app.test_client(), price_cents=1800)[0])
    second = order_number(buy(app, app.test_client(), price_cents=2600, email="zoe@example.com")[0])
    make_user(app, "olga@example.com", name="Olga Owner", roles=["owner"])

    page.goto("/account/login")
    page.get_by_label("Email").fill("olga@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Orders").click()

    page.get_by_role("checkbox", name=first).check()
    page.get_by_role("checkbox", name=second).check()
    screenshot(page, "staff-orders-ticked")
    page.get_by_role("button", name="Start preparing").click()
    expect(page.get_by_role("heading", name="2 orders are now being prepared")).to_be_visible()
    assert get_order(app, first).status == get_order(app, second).status == "processing"
    screenshot(page, "staff-orders-bulk-result")

    page.get_by_role("link", name="Back to the orders").click()
    rows = page.locator("table.staff-orders tbody tr")
    expect(rows.filter(has_text=first).get_by_text("Being prepared")).to_be_visible()
    page.get_by_role("checkbox", name=first).check()
    page.get_by_role("checkbox", name=second).check()
    page.get_by_role("button", name="Print packing slips").click()

    slips = page.locator("article.packing-slip")
    assert slips.count() == 2
    numbers = [n.inner_text() for n in page.locator(".packing-slip-number strong").all()]
    assert numbers == [second, first]  # as the list shows them: newest first
    expect(page.get_by_text("2 packing slips, one page each.")).to_be_visible()
    assert page.locator(".site-header").count() == 0  # a document, not a shop page
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print", exact=True).click()  # shown by shop.js
    assert page.evaluate("window.printed === true")
    page.emulate_media(media="print")
    breaks = page.locator(".packing-slip-page-break").evaluate_all(
        "els => els.map(el => getComputedStyle(el).breakAfter)"
    )
    assert breaks == ["page", "auto"]  # each slip on its own sheet
    expect(page.get_by_role("link", name="Back to the orders")).not_to_be_visible()  # not printed
    screenshot(page, "staff-packing-slips-print")

    page.emulate_media(media="screen")
    page.goto(f"/staff/orders/{first}")
    page.get_by_label("Internal note").fill("Gift: no prices in the parcel.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_text("Your note is on the timeline. Only staff see it.")).to_be_visible()
    page.get_by_label("Carrier").fill("UPS")
    page.get_by_label("Tracking number").fill("1Z999AA10123456784")
    page.get_by_role("button", name="Ship and capture the payment").click()
    link = page.get_by_role("link", name="Tracking page")
    assert link.get_attribute("href") == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    timeline = page.locator("table.staff-timeline")
    expect(timeline.get_by_text("Gift: no prices in the parcel.")).to_be_visible()
    screenshot(page, "staff-order-tools")
