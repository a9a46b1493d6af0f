"""Every page fits a phone: no page is wider than a 390 px screen (nor a 1280 px one).

The list of pages comes from the app's URL map, so a new page is checked without touching
this file; a page whose URL has a part this file cannot fill in (a new ``<thing_id>``) fails
with a message saying where to add it. Ids are those of real rows made by
``tests/browser/shop_data.py``, and each page is opened as the person who would see it: staff
pages as the owner (who may open them all), the customer's area as a signed-in customer, the
rest as a first-time visitor (cookie banner included).

Set ``JOMSO_SCREENSHOTS=1`` to also save a full-page screenshot of every page at both widths
under tests/browser/screenshots/pages/, for a person to look through.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from playwright.sync_api import Error as PlaywrightError

from jomso.accounts import tokens
from jomso.accounts.models import User
from jomso.extensions import db
from jomso.orders import access, queries
from tests.browser.conftest import SCREENSHOTS
from tests.browser.shop_data import CUSTOMER, OWNER, Shop, build_shop
from tests.helpers import PASSWORD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Files rather than pages (a picture, a CSV, robots.txt...): not opened.
FILE_RULE = re.compile(r"\.[a-z]{2,4}$")
# Pages for someone who is not signed in (a signed-in person is sent elsewhere).
SIGNED_OUT = {
    "accounts.login",
    "accounts.register",
    "accounts.password_reset_request",
    "accounts.password_reset",
    "accounts.deleted",
}
# Storefront pages that belong to the customer who placed the orders.
CUSTOMER_PREFIXES = ("/account", "/orders", "/cart", "/checkout")


@dataclass(frozen=True)
class Visit:
    who: str  # "visitor", "customer" or "owner"
    path: str


def _order_for(endpoint: str) -> str:
    """Which of the shop's orders (by state) a page about one order shows."""
    if "refund" in endpoint:
        return "settled"
    if "credit_note" in endpoint:  # an invoice's credit note: the order refunded in part
        return "partly_refunded"
    if endpoint == "staff_orders.shipment_packing_slip":
        return "partially_shipped"
    return "paid"


def _tokens(app, shop: Shop) -> dict[str, str]:
    with app.app_context():
        customer = db.session.get(User, shop.customer_id)
        return {
            "accounts.confirm_email": tokens.make_token(
                tokens.CONFIRM_EMAIL, customer.id, customer.email
            ),
            "accounts.confirm_email_change": "an-expired-or-mistyped-link",
            "accounts.password_reset": tokens.make_token(
                tokens.PASSWORD_RESET, customer.id, customer.password_hash
            ),
            "newsletter.confirm": shop.subscriber_confirm_path.rsplit("/", 1)[1],
            "newsletter.unsubscribe": shop.subscriber_unsubscribe_path.rsplit("/", 1)[1],
            "catalog.restock_confirm": _restock_token(shop),
        }


def _restock_token(shop: Shop) -> str:
    """The confirmation link's token of an "email me when it is back" request (made once)."""
    from sqlalchemy import select

    from jomso.catalog import restock
    from jomso.catalog.models import ProductVariant, RestockRequest

    row = db.session.scalar(select(RestockRequest).where(RestockRequest.email == "gus@example.com"))
    if row is None:
        variant = db.session.scalar(
            select(ProductVariant).where(ProductVariant.product_id == shop.product_id)
        )
        row = RestockRequest(variant_id=variant.id, email="gus@example.com", nonce="0" * 32)
        db.session.add(row)
        db.session.commit()
    return restock.confirm_token(row)


_PRIVACY_REQUESTS: dict[int, tuple[int, str, str]] = {}


def _privacy_request(app) -> tuple[int, str, str]:
    """An open, proved access request whose data was sent: its id, the proof link's token and
    the data link's token (made once per app)."""
    if id(app) not in _PRIVACY_REQUESTS:
        from jomso.database import utcnow
        from jomso.privacy import request_links
        from jomso.privacy.models import PrivacyRequest

        with app.app_context():
            request = PrivacyRequest(
                kind="access",
                email="gus@example.com",
                details="",
                status="open",
                received_at=utcnow(),
                verified_at=utcnow(),
                due_on=utcnow().date(),
                verify_nonce=request_links.new_secret(),
                data_key=request_links.new_secret(),
            )
            db.session.add(request)
            db.session.commit()
            _PRIVACY_REQUESTS[id(app)] = (
                request.id,
                request_links.verify_token(request.id, request.verify_nonce),
                request_links.data_token(request.id, request.data_key),
            )
    return _PRIVACY_REQUESTS[id(app)]


def _values(app, shop: Shop, endpoint: str, argument: str):
    """A real value for one part of a URL, or None when this file does not know it."""
    by_name = {
        "slug": shop.product_slug,
        "product_id": shop.product_id,
        "category_id": shop.category_id,
        "customer_id": shop.customer_id,
        "user_id": shop.staff_ids["orders"],
        "enquiry_id": shop.enquiry_id,
        "announcement_id": shop.announcement_id,
        "address_id": shop.address_id,
        "version": 1,
        "page_slug": "shipping-and-returns",
        "zone_id": 1,  # "Everywhere", the zone a new shop starts with (migration 0014)
        "method_id": 1,
        "code_id": shop.discount_code_id,
        "class_id": 1,  # "Standard", made by migration 0022
        "rate_id": 1,  # the demo's first rate (shop_data: set_up_demo_taxes)
    }
    if argument == "number":
        return shop.orders[_order_for(endpoint)]
    if argument == "shipment_id":
        with app.app_context():
            number = shop.orders["partially_shipped"]
            return queries.find_order(number).shipments[0].id
    if argument == "credit_number":
        with app.app_context():
            order = queries.find_order(shop.orders["partly_refunded"])
            return order.invoice.credit_notes[0].number
    if argument == "request_id":
        return _privacy_request(app)[0]
    if argument == "token" and endpoint == "privacy_requests.verify":
        return _privacy_request(app)[1]
    if argument == "token" and endpoint == "privacy_requests.data":
        return _privacy_request(app)[2]
    if argument == "token":
        return _tokens(app, shop).get(endpoint)
    return by_name.get(argument)


def pages(app, shop: Shop) -> list[Visit]:
    """Every page of the URL map, with real ids, and who opens it; plus the staff order page
    in each state an order can be in, and a guest's order page through its emailed link."""
    visits: list[Visit] = []
    unknown: list[str] = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            if FILE_RULE.search(rule.rule) or rule.endpoint == "catalog.product_image":
                continue
            values = {}
            for argument in sorted(rule.arguments):
                value = _values(app, shop, rule.endpoint, argument)
                if value is None:
                    unknown.append(f"<{argument}> of {rule.endpoint} ({rule.rule})")
                values[argument] = value
            if any(v is None for v in values.values()):
                continue
            path = url_for(rule.endpoint, **values)
            if rule.endpoint in SIGNED_OUT:
                who = "visitor"
            elif path.startswith("/staff"):
                who = "owner"
            elif path.startswith(CUSTOMER_PREFIXES):
                who = "customer"
            else:
                who = "visitor"
            visits.append(Visit(who, path))
        for state, number in shop.orders.items():
            if state != _order_for("staff_orders.order_detail"):
                visits.append(Visit("owner", url_for("staff_orders.order_detail", number=number)))
        guest_order = queries.find_order(shop.orders["payment_failed"])
        guest_path = url_for("checkout.order_page", number=guest_order.number)
        visits.append(Visit("visitor", f"{guest_path}?token={access.make_token(guest_order)}"))
    assert not unknown, "Give these URL parts a real value in _values(): " + ", ".join(unknown)
    return visits


def _signed_in(browser, base_url: str, email: str | None):
    context = browser.new_context(base_url=base_url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if email:
        page.goto("/account/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/account/login" not in page.url, f"{email} could not sign in"
    return context, page


# The outermost elements that reach past the right edge of the window, outside any box that
# scrolls or clips them: what makes the page too wide.
_CULPRITS = """() => {
  const width = window.innerWidth;
  const clipped = e => {  // a scrolling box clips what it contains, positioned or not
    let free = ['absolute', 'fixed'].includes(getComputedStyle(e).position);
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (free && style.position === 'static') continue;
      free = false;
      if (style.overflowX !== 'visible') return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll('*')].filter(e =>
    e.getBoundingClientRect().right > width + 0.5 && !clipped(e));
  const set = new Set(wide);
  return wide.filter(e => !set.has(e.parentElement)).slice(0, 3).map(e =>
    e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
      ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
}"""


def _width_problem(page, viewport: dict) -> str | None:
    page.set_viewport_size(viewport)
    wide = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    if wide > inner:
        culprits = ", ".join(page.evaluate(_CULPRITS))
        return f"{wide} px wide at {inner} px (too wide: {culprits})"
    return None


def _file_name(path: str, width: int) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", path.split("?")[0].lower()).strip("-") or "home"
    return f"{name[:60]}-{width}.png"


def test_no_page_is_wider_than_the_screen(app, browser, live_server):
    shop = build_shop(app)
    visits = pages(app, shop)
    emails = {"visitor": None, "customer": CUSTOMER, "owner": OWNER}
    contexts = {who: _signed_in(browser, live_server, email) for who, email in emails.items()}
    folder = SCREENSHOTS / "pages"
    keep = os.environ.get("JOMSO_SCREENSHOTS") == "1"
    if keep:
        folder.mkdir(parents=True, exist_ok=True)
    problems, opened = [], 0
    try:
        for visit in visits:
            page = contexts[visit.who][1]
            try:
                response = page.goto(visit.path)
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # a file to download (the customer's data), not a page
                raise
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue  # a download, a health check
            # 400 is a link page saying the link is not valid, 413 the page the proxy shows for
            # an upload too large (still pages to check).
            assert response.status in (200, 400, 413), (
                f"{visit.path} as {visit.who}: {response.status}"
            )
            opened += 1
            for viewport in (PHONE, DESKTOP):
                problem = _width_problem(page, viewport)
                if problem:
                    problems.append(f"{visit.path} as {visit.who}: {problem}")
                if keep:
                    path = folder / _file_name(f"{visit.who}-{visit.path}", viewport["width"])
                    page.screenshot(path=str(path), full_page=True)
            page.set_viewport_size(PHONE)
    finally:
        for context, _page in contexts.values():
            context.close()
    paths = {visit.path for visit in visits}
    for expected in ("/staff/", "/account/sessions", "/privacy", "/products", "/cookies"):
        assert expected in paths
    assert opened > 50, f"only {opened} pages were opened"
    assert not problems, "Pages wider than the screen:\n" + "\n".join(problems)
