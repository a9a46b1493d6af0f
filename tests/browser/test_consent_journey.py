"""Cookie consent in a real browser: decline through the banner, accept in the settings,
the banner without JavaScript, and the staff traffic page."""

from __future__ import annotations

import random
from datetime import timedelta

from playwright.sync_api import expect

from jomso.database import utcnow
from tests.browser.conftest import screenshot
from tests.catalog.helpers import make_product
from tests.consent.helpers import add_views
from tests.helpers import PASSWORD, make_user

PHONE = {"width": 390, "height": 844}
REFERRERS = [None, None, "www.example.org", "news.ycombinator.com"]


def _cookie_names(context) -> set[str]:
    return {c["name"] for c in context.cookies()}


def test_decline_in_banner_then_accept_in_settings(page):
    page.goto("/")
    banner = page.get_by_role("region", name="Cookies and your privacy")
    accept = banner.get_by_role("button", name="Accept", exact=True)
    decline = banner.get_by_role("button", name="Decline", exact=True)
    expect(banner).to_be_visible()
    # Equally prominent: the same size.
    accept_box, decline_box = accept.bounding_box(), decline.bounding_box()
    assert (accept_box["width"], accept_box["height"]) == (
        decline_box["width"],
        decline_box["height"],
    )
    assert _cookie_names(page.context) == {"jomso_session"}
    screenshot(page, "consent-banner-desktop")

    decline.click()
    banner.wait_for(state="detached")
    assert "jomso_vid" not in _cookie_names(page.context)
    assert "jomso_consent" in _cookie_names(page.context)
    page.reload()
    assert page.get_by_role("region", name="Cookies and your privacy").count() == 0

    page.get_by_role("link", name="Cookie settings").click()
    expect(page.get_by_text("You declined analytics cookies")).to_be_visible()
    page.get_by_role("button", name="Accept analytics cookies").click()
    expect(page.get_by_text("analytics cookies are on")).to_be_visible()
    expect(page.get_by_text("You accepted analytics cookies")).to_be_visible()
    assert "jomso_vid" in _cookie_names(page.context)
    screenshot(page, "consent-settings")

    page.get_by_role("button", name="Decline analytics cookies").click()
    expect(page.get_by_text("You declined analytics cookies")).to_be_visible()
    assert "jomso_vid" not in _cookie_names(page.context)


def test_banner_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/products?q=lamp")
        page.get_by_role("button", name="Accept", exact=True).click()
        page.wait_for_url("**/products?q=lamp")
        expect(page.get_by_text("analytics cookies are on")).to_be_visible()
        assert page.get_by_role("region", name="Cookies and your privacy").count() == 0
        assert {"jomso_consent", "jomso_vid"} <= _cookie_names(context)
    finally:
        context.close()


def test_banner_on_a_phone_and_with_gpc(browser, live_server):
    context = browser.new_context(
        base_url=live_server, viewport=PHONE, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto("/")
        screenshot(page, "consent-banner-phone")
        accept = page.get_by_role("button", name="Accept", exact=True).bounding_box()
        decline = page.get_by_role("button", name="Decline", exact=True).bounding_box()
        assert accept["width"] == decline["width"]
        assert accept["x"] + accept["width"] <= PHONE["width"]
    finally:
        context.close()

    context = browser.new_context(base_url=live_server, extra_http_headers={"Sec-GPC": "1"})
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_text("Global Privacy Control signal is on")).to_be_visible()
        screenshot(page, "consent-banner-gpc")
        page.get_by_role("button", name="OK").click()
        page.get_by_role("region", name="Cookies and your privacy").wait_for(state="detached")
        assert "jomso_vid" not in _cookie_names(context)
    finally:
        context.close()


def test_staff_traffic_page(app, page):
    make_user(app, email="analyst@example.com", roles=["analyst"])
    make_product(app, "Red lamp", price_cents=4500, sku="L-1", stock=0, age_days=0)
    make_product(app, "Oak chair", price_cents=12000, sku="C-1", stock=0, age_days=0)
    rng = random.Random(6)
    now = utcnow()
    paths = ["/", "/products", "/products/red-lamp", "/products/oak-chair", "/cookies"]
    views = []
    for day in range(30):
        for _ in range(rng.randint(5, 40) + day):
            consented = rng.random() < 0.6
            views.append(
                {
                    "created_at": now - timedelta(days=day, minutes=rng.randint(0, 600)),
                    "path": rng.choice(paths),
                    "browser_family": rng.choice(["Chrome", "Firefox", "Safari", "Edge"]),
                    "os_family": rng.choice(["Windows", "Mac OS X", "iOS", "Android"]),
                    "referrer_host": rng.choice(REFERRERS),
                    "consented": consented,
                    "visitor_id": f"v{rng.randint(0, 120):021d}" if consented else None,
                }
            )
    add_views(app, *views)

    page.goto("/account/login?next=/staff/analytics")
    page.get_by_label("Email").fill("analyst@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/analytics")
    expect(page.get_by_role("heading", name="Traffic")).to_be_visible()
    assert page.locator("svg rect.chart-bar").count() == 60
    assert page.get_by_role("region", name="Cookies and your privacy").count() == 0
    screenshot(page, "analytics-staff")

    page.get_by_label("From", exact=True).fill("2026-03-10")
    page.get_by_label("To", exact=True).fill("2026-03-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The end date is before the start date.")).to_be_visible()
    screenshot(page, "analytics-staff-bad-range")
