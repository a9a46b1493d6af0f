"""The owner adds a support colleague and disables them again; the dashboards as people see
them (screenshots for a person to look at)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.helpers import PASSWORD, make_user

NEW_PASSWORD = "maple quartz lantern 42 river"


def _sign_in(page, email):
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_owner_adds_and_disables_a_support_colleague(app, page):
    make_user(app, "olga@example.com", name="Olga Owner", roles=["owner"])
    make_user(app, "cora@example.com", name="Cora Customer")
    _sign_in(page, "olga@example.com")
    page.wait_for_url("**/staff/")
    expect(page.get_by_role("heading", name="Hello, Olga Owner")).to_be_visible()
    expect(page.get_by_role("heading", name="Setup checklist")).to_be_visible()
    screenshot(page, "staff-dashboard-owner")

    nav = page.get_by_role("navigation", name="Back office")
    nav.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Add a staff member").click()
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Name").fill("Sam Support")
    page.get_by_label("Support").check()
    page.get_by_label("Initial password", exact=True).fill("too short")
    page.get_by_label("Initial password again").fill("too short")
    page.get_by_role("button", name="Add staff member").click()
    assert page.locator("#password-error").inner_text() == "Use at least 10 characters."
    assert "Use at least 10 characters." in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Email").input_value() == "sam@example.com"
    assert page.get_by_label("Support").is_checked()
    screenshot(page, "staff-add-error")

    page.get_by_label("Initial password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Initial password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Add staff member").click()
    expect(page.get_by_text("sam@example.com can now sign in")).to_be_visible()
    assert page.get_by_label("Support").is_checked()
    assert not page.get_by_label("Owner").is_checked()
    screenshot(page, "staff-edit")

    page.get_by_role("button", name="Disable Sam Support").click()
    expect(page.get_by_text("is disabled and signed out everywhere")).to_be_visible()
    expect(page.get_by_role("button", name="Enable again")).to_be_visible()

    nav = page.get_by_role("navigation", name="Back office")
    nav.get_by_role("link", name="Staff", exact=True).click()
    row = page.get_by_role("row", name="Sam Support")
    expect(row.get_by_text("Disabled")).to_be_visible()
    expect(row.get_by_text("Support", exact=True)).to_be_visible()
    screenshot(page, "staff-list")

    nav.get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Cora Customer").click()
    expect(page.get_by_text("cora@example.com")).to_be_visible()
    screenshot(page, "staff-customer-detail")

    nav.get_by_role("link", name="Access log").click()
    table = page.locator("table.audit-table")
    expect(table.get_by_text("Staff account disabled")).to_be_visible()
    expect(table.get_by_text("Viewed personal data").first).to_be_visible()
    screenshot(page, "staff-audit")


def test_analyst_dashboard(app, page):
    make_user(app, "ana@example.com", name="Ana Analyst", roles=["analyst"])
    _sign_in(page, "ana@example.com")
    page.wait_for_url("**/staff/")
    expect(page.get_by_role("heading", name="Hello, Ana Analyst")).to_be_visible()
    assert page.get_by_text("Setup checklist").count() == 0
    nav = page.get_by_role("navigation", name="Back office")
    assert nav.get_by_role("link", name="Customers").count() == 0
    screenshot(page, "staff-dashboard-analyst")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "staff-dashboard-analyst-phone")
