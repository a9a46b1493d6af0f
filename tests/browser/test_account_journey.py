"""A customer's whole journey in a real browser: register, confirm from the outbox, sign out,
reset the password from the outbox, sign in, download the data, delete the account."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.helpers import PASSWORD, make_user
from tests.mailbox import last_message, link_to, outbox_messages

EMAIL = "journey@example.com"
FIRST_PASSWORD = "amber fox climbs ladders"
NEW_PASSWORD = "silver moth reads maps"


def _mailed_link(app, fragment: str) -> str:
    return link_to(last_message(app, to=EMAIL), fragment)


def test_register_confirm_reset_sign_in_download_and_delete(page, app, live_server):
    page.goto("/account/register")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Please check the fields marked below.")).to_be_visible()
    screenshot(page, "account-register-errors")

    page.get_by_label("Full name").fill("Jo Journey")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(FIRST_PASSWORD)
    page.get_by_label("Repeat the password").fill(FIRST_PASSWORD)
    # Name, email and password only: phones and addresses come later.
    assert page.get_by_label("Phone number").count() == 0
    assert page.get_by_label("Address line 1").count() == 0
    page.get_by_label("I have read and accept the privacy policy").check()
    page.get_by_label("Email me about new products").check()
    screenshot(page, "account-register")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    # Signed in at once, with the notice to confirm and its button.
    expect(page.get_by_role("link", name="My account").first).to_be_visible()
    expect(page.get_by_text("Please confirm your email address")).to_be_visible()
    screenshot(page, "account-registered")
    page.get_by_role("button", name="Send the link again").click()
    page.wait_for_url("**/account")
    expect(page.get_by_text("We sent a new link")).to_be_visible()

    page.goto(_mailed_link(app, "/account/confirm/"))
    expect(page.get_by_role("heading", name="Email address confirmed")).to_be_visible()
    page.get_by_role("link", name="Go to my account").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    assert page.get_by_text("Please confirm your email address").count() == 0
    screenshot(page, "account-overview")

    # The phone and the address, where they belong now.
    page.goto("/account/profile")
    page.get_by_label("Phone number").first.fill("(202) 555-0143")
    page.get_by_label("Phone number").nth(1).fill("+44 20 7946 0958")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    page.goto("/account/addresses/new")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Address line 1").fill("5 Elm Street")
    page.get_by_label("City").fill("Portland")
    page.get_by_label("State").fill("OR")
    page.get_by_label("ZIP code").fill("97205")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The address is added.")).to_be_visible()
    page.goto("/account/addresses")
    screenshot(page, "account-addresses")
    page.goto("/account/profile")
    screenshot(page, "account-profile")
    page.goto("/account/sessions")
    screenshot(page, "account-sessions")

    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    page.goto("/account/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(_mailed_link(app, "/account/password-reset/"))
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()

    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").first.click()
    download = download_info.value
    assert download.suggested_filename.startswith("jomso-data-")
    data = json.loads(download.path().read_text(encoding="utf-8"))
    assert data["account"]["email"] == EMAIL
    assert data["account"]["name"] == "Jo Journey"
    assert [p["number"] for p in data["phones"]] == ["+12025550143", "+442079460958"]
    assert data["addresses"][0]["line1"] == "5 Elm Street"
    assert data["subscriptions"][0]["source"] == "registration"
    assert data["policy_acceptances"][0]["source"] == "registration"

    page.goto("/account/delete")
    screenshot(page, "account-delete")
    page.get_by_label("Your current password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    assert outbox_messages(app, to=EMAIL) == []  # no copy of mail to the erased address

    page.goto("/account")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_privacy_pages_look_right(page, app, live_server):
    page.goto("/privacy")
    expect(page.get_by_role("heading", name="Privacy policy", exact=True)).to_be_visible()
    expect(page.get_by_text("Version 1, effective")).to_be_visible()
    screenshot(page, "privacy-policy")
    page.get_by_role("link", name="Earlier versions").click()
    expect(page.get_by_role("heading", name="Privacy policy history")).to_be_visible()
    screenshot(page, "privacy-history")


def test_account_pages_on_a_phone(browser, app, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/account/register")
        screenshot(page, "account-register-phone")
        page.goto("/account/login")
        screenshot(page, "account-login-phone")
        make_user(app, email="phone@example.com")
        page.get_by_label("Email").fill("phone@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="My account")).to_be_visible()
        screenshot(page, "account-overview-phone")
    finally:
        context.close()
