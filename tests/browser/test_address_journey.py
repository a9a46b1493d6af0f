"""Address fields in a real browser: choosing another country at the checkout lays its fields
out at once (order, names, required), the order is placed with that country's address and
printed in its format. Screenshots for a person to look at."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.catalog.helpers import make_product


def _labels(group) -> list[str]:
    """The visible address labels of a form group, in page order."""
    return [
        label.inner_text()
        for label in group.locator("[data-address-part]:not([hidden]) label").all()
    ]


def test_choosing_a_country_lays_out_its_fields_without_a_reload(app, page):
    make_product(app, "Stoneware Mug", price_cents=1850, stock=5)
    page.goto("/products/stoneware-mug")
    banner = page.locator("[data-consent-banner]")
    if banner.count():
        banner.get_by_role("button", name="Decline").click()
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/checkout")

    billing = page.get_by_role("group", name="Billing address")
    # The script replaces the "Show the fields for this country" button.
    expect(
        billing.get_by_role("button", name="Show the fields for this country")
    ).not_to_be_visible()
    assert _labels(billing) == [
        "Address line 1", "Address line 2 (optional)", "City", "State", "ZIP code"]  # fmt: skip
    page.evaluate("window.reloaded = false")

    billing.get_by_label("Country").select_option("DE")
    assert _labels(billing) == [
        "Address line 1", "Address line 2 (optional)", "Postal code", "City"]  # fmt: skip
    expect(billing.get_by_text("For example 26133")).to_be_visible()
    billing.get_by_label("Country").select_option("JP")
    assert _labels(billing)[:2] == ["Postal code", "Prefecture"]
    billing.get_by_label("Country").select_option("DE")
    assert page.evaluate("window.reloaded") is False  # the same page all along

    page.get_by_label("Email").fill("grete@example.com")
    page.get_by_label("Phone number").fill("+49 30 901820")
    billing.get_by_label("Full name").fill("Grete Gast")
    billing.get_by_label("Address line 1").fill("Unter den Linden 1")
    billing.get_by_label("Postal code").fill("10117")
    billing.get_by_label("City").fill("Berlin")
    screenshot(page, "checkout-german-address")
    page.get_by_role("button", name="Place order and pay").click()
    page.wait_for_url("**/orders/J*")
    address = page.locator("address").first.inner_text()
    assert address.splitlines() == ["Grete Gast", "Unter den Linden 1", "10117 BERLIN", "Germany"]
