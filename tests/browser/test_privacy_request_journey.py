"""A guest asks for their data in a real browser: from the privacy policy to the request form
(a typo first), the emailed link that proves the address, the owner's queue with the deadline
counting down, the answer by email, and the download. Then an erasure, extended once first.
Screenshots for a person to look at."""

from __future__ import annotations

import json

from playwright.sync_api import expect
from sqlalchemy import select

from jomso.extensions import db
from jomso.orders.models import Order
from tests.browser.conftest import screenshot
from tests.contact.helpers import send_contact
from tests.helpers import PASSWORD, make_user
from tests.mailbox import last_message, link_to
from tests.orders.helpers import buy, order_number

GUS = "gus@example.com"


def _mailed_link(app, fragment: str) -> str:
    return link_to(last_message(app, to=GUS), fragment)


def _sign_in(page, email):
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def _guest_order_and_message(app) -> str:
    """Gus bought as a guest and wrote to the shop (through the real forms, outside the
    browser): the data his request is about."""
    app.config["CONTACT_MIN_SECONDS"] = 0
    client = app.test_client()
    response, _product = buy(app, client, email=GUS)
    assert send_contact(client, email=GUS, name="Gus Guest").status_code == 303
    return order_number(response)


def _ask(page, app, kind_label: str, details: str = ""):
    """From the policy page to a confirmed request, in the guest's browser."""
    page.goto("/privacy")
    page.get_by_role("button", name="Decline").first.click()
    page.get_by_role("link", name="the request page").first.click()
    expect(page.get_by_role("heading", name="Ask about your data")).to_be_visible()
    page.get_by_label(kind_label).check()
    page.get_by_label("Your email address").fill("gus@example")  # a typo first
    if details:
        page.get_by_label("Details").fill(details)
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Enter a valid email address")).to_be_visible()
    assert page.get_by_label(kind_label).is_checked()
    if details:
        assert page.get_by_label("Details").input_value() == details
    screenshot(page, "privacy-request-error")
    page.get_by_label("Your email address").fill(GUS)
    page.get_by_role("button", name="Send the request").click()
    page.get_by_role("heading", name="Check your email").wait_for()  # the page, once loaded
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(_mailed_link(app, "/privacy/request/verify/"))
    page.get_by_role("button", name="Yes, send my request").click()
    expect(page.get_by_role("heading", name="Your request is with us")).to_be_visible()
    expect(page.get_by_text("We answer by email by")).to_be_visible()
    screenshot(page, "privacy-request-confirmed")


def test_a_guest_gets_a_copy_of_their_data(app, browser, live_server, page):
    number = _guest_order_and_message(app)
    make_user(app, "olga@staff.example.com", name="Olga Owner", roles=["owner"])
    page.goto("/privacy/request")
    screenshot(page, "privacy-request-form")
    _ask(page, app, "A copy of my data", "I ordered a lamp as a guest.")

    staff = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    owner = staff.new_page()
    try:
        _sign_in(owner, "olga@staff.example.com")
        nav = owner.get_by_role("navigation", name="Back office")
        nav.get_by_role("link", name="Privacy requests").click()
        row = owner.get_by_role("row", name=GUS)
        row.wait_for()  # the page after the click, however busy the machine
        expect(row.get_by_text("A copy of my data")).to_be_visible()
        expect(row.get_by_text("days left")).to_be_visible()
        screenshot(owner, "privacy-request-queue")
        row.get_by_role("link", name=GUS).click()
        owner.get_by_text("I ordered a lamp as a guest.").wait_for()
        expect(owner.get_by_text("I ordered a lamp as a guest.")).to_be_visible()
        expect(owner.locator(".held-counts").get_by_text("orders", exact=True)).to_be_visible()
        screenshot(owner, "privacy-request-detail")
        owner.get_by_role("button", name="Email the link to the data").click()
        sent = owner.get_by_text("The link to the data was emailed to the requester.")
        sent.wait_for()
        expect(sent).to_be_visible()
    finally:
        staff.close()

    page.goto(_mailed_link(app, "/privacy/request/data/"))
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    screenshot(page, "privacy-request-data")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    data = json.loads(download_info.value.path().read_text())
    assert [order["number"] for order in data["orders"]] == [number]
    assert [enquiry["name"] for enquiry in data["enquiries"]] == ["Gus Guest"]
    assert data["privacy_request"]["email"] == GUS


def test_a_guest_has_their_data_erased_after_one_extension(app, browser, live_server, page):
    number = _guest_order_and_message(app)
    make_user(app, "olga@staff.example.com", name="Olga Owner", roles=["owner"])
    _ask(page, app, "Erase my data")

    staff = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 1400})
    owner = staff.new_page()
    try:
        _sign_in(owner, "olga@staff.example.com")
        owner.goto("/staff/privacy-requests")
        owner.get_by_role("row", name=GUS).get_by_role("link", name=GUS).click()
        owner.get_by_role("button", name="Extend the deadline").click()  # no reason yet
        expect(owner.get_by_text("Give the reason: the requester is told it.")).to_be_visible()
        owner.get_by_label("Why more time is needed").fill("We are checking our paper archive.")
        owner.get_by_role("button", name="Extend the deadline").click()
        expect(owner.get_by_text("The deadline is extended")).to_be_visible()
        assert owner.get_by_role("button", name="Extend the deadline").count() == 0
        owner.get_by_role("button", name="Erase the data").click()
        expect(owner.get_by_text("The data is erased; the requester was told.")).to_be_visible()
        expect(owner.get_by_text("(address erased)")).to_be_visible()
        screenshot(owner, "privacy-request-erased")
    finally:
        staff.close()

    assert str(last_message(app, to=GUS)["Subject"]).endswith("your data is erased")
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert order.email == "deleted" and order.shipping_name == "deleted"
