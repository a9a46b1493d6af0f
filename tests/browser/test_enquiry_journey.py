"""A customer asks about a product from its page; a support colleague answers from the inbox
and the reply arrives by email. Also the new-product announcement composer. Screenshots for
a person to look at."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.catalog.helpers import make_category, make_product
from tests.contact.helpers import confirmed_subscriber
from tests.helpers import PASSWORD, make_user
from tests.mailbox import last_message, outbox_messages, text_of


def _sign_in(page, email):
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _decline_cookies(page):
    page.get_by_role("button", name="Decline").first.click()


def test_a_product_question_is_answered_by_support(app, page):
    app.config["CONTACT_MIN_SECONDS"] = 1
    kitchen = make_category(app, "Kitchen")
    make_product(app, "Stoneware Mug", price_cents=1850, category_id=kitchen, images=1,
                 shape="mug", age_days=3)  # fmt: skip
    make_user(app, "sam@example.com", name="Sam Support", roles=["support"])

    page.goto("/products/stoneware-mug")
    _decline_cookies(page)
    page.get_by_role("link", name="Ask about this product").click()
    expect(page.get_by_role("heading", name="Ask about this product")).to_be_visible()
    expect(page.get_by_role("link", name="Stoneware Mug")).to_be_visible()
    assert page.get_by_label("What is it about?").input_value() == "product"
    page.get_by_label("Your name").fill("Carla Customer")
    page.get_by_label("Your email address").fill("carla@example")  # a typo first
    page.get_by_label("Your message").fill("Is the glaze food safe? And does it fit 400 ml?")
    page.get_by_label("Tell me about new products").check()
    page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
    page.get_by_role("button", name="Send message").click()
    assert "Enter a valid email address" in page.locator("#email-error").inner_text()
    assert "Enter a valid email address" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Your message").input_value().startswith("Is the glaze food safe?")
    assert page.get_by_label("Tell me about new products").is_checked()
    screenshot(page, "contact-form-error")

    page.get_by_label("Your email address").fill("carla@example.com")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("heading", name="Thank you for your message")).to_be_visible()
    subjects = [str(m["Subject"]) for m in outbox_messages(app, to="carla@example.com")]
    assert subjects[0].startswith("We received your message")
    assert subjects[1] == "Please confirm: emails about our new products"

    _sign_in(page, "sam@example.com")
    page.wait_for_url("**/staff/")
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Enquiries").click()
    expect(page.get_by_role("heading", name="Enquiries")).to_be_visible()
    row = page.get_by_role("row", name="Carla Customer")
    expect(row.get_by_text("Stoneware Mug")).to_be_visible()
    expect(row.get_by_text("New", exact=True)).to_be_visible()
    screenshot(page, "enquiry-inbox")

    row.get_by_role("link", name="Carla Customer").click()
    expect(page.get_by_text("Is the glaze food safe?")).to_be_visible()
    page.get_by_label("Your reply").fill(
        "Hello Carla,\n\nYes: the glaze is lead-free and food safe, and the mug holds 420 ml."
        "\n\nBest wishes,\nSam"
    )
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply was emailed to the sender.")).to_be_visible()
    expect(page.get_by_text("the mug holds 420 ml")).to_be_visible()
    screenshot(page, "enquiry-detail")

    reply = last_message(app, to="carla@example.com")
    assert reply["Subject"].startswith("Re: your message to Jomso Demo Shop")
    body = text_of(reply)
    assert "the mug holds 420 ml" in body and "> Is the glaze food safe?" in body


def test_catalog_staff_compose_and_preview_an_announcement(app, page):
    make_product(app, "Speckled Mug", price_cents=1850, images=1, shape="mug", age_days=2)
    make_product(app, "Tall Vase", price_cents=4200, images=1, shape="vase", age_days=4)
    make_product(app, "Wide Bowl", price_cents=2600, images=1, shape="bowl", age_days=6)
    for email in ("ann@example.com", "bob@example.com"):
        confirmed_subscriber(app, email)
    make_user(app, "cat@example.com", name="Cato Catalog", roles=["catalog"])

    page.goto("/")
    _decline_cookies(page)
    _sign_in(page, "cat@example.com")
    page.wait_for_url("**/staff/")
    page.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Announcements"
    ).click()
    page.get_by_role("link", name="New announcement").click()
    assert page.get_by_label("Tall Vase").is_checked()
    page.get_by_label("Subject").fill("Fresh from the kiln")
    page.get_by_label("Introduction").fill(
        "Three new pieces left the kiln this week. Each is thrown by hand, so no two are alike."
    )
    page.get_by_label("Wide Bowl").uncheck()
    screenshot(page, "announcement-compose")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    frame = page.frame_locator("iframe.email-preview")
    expect(frame.get_by_text("Speckled Mug")).to_be_visible()
    assert frame.get_by_text("Wide Bowl").count() == 0
    page.set_viewport_size({"width": 1280, "height": 1400})  # frames paint whole in one view
    screenshot(page, "announcement-preview")

    page.get_by_role("button", name="Send to 2 subscribers").click()
    expect(page.get_by_text("Sent 2 emails.")).to_be_visible()
    assert last_message(app, to="bob@example.com")["Subject"] == "Fresh from the kiln"
    page.get_by_role("link", name="Announcements").first.click()
    screenshot(page, "announcement-list")


def test_product_interest_page(app, page):
    make_product(app, "Speckled Mug", images=1, shape="mug")
    make_user(app, "cat@example.com", name="Cato Catalog", roles=["catalog"])
    page.goto("/products/speckled-mug")
    _decline_cookies(page)
    page.goto("/products/speckled-mug")
    _sign_in(page, "cat@example.com")
    page.goto("/staff/interest")
    row = page.get_by_role("row", name="Speckled Mug")
    expect(row).to_be_visible()
    screenshot(page, "product-interest")


def test_the_contact_form_on_a_phone(app, browser, live_server):
    make_product(app, "Stoneware Mug", images=1, shape="mug")
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    phone = context.new_page()
    try:
        phone.goto("/contact?product=stoneware-mug")
        phone.get_by_role("button", name="Decline").first.click()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(phone, "contact-phone")
    finally:
        context.close()
