"""axe finds nothing on the shop's key pages, at 1280 px and at 390 px.

axe-core (bundled by ``axe-playwright-python``, no CDN) runs in headless Chromium on fifteen
pages of a demo-like shop (``tests/browser/shop_data.py``): the storefront as a first-time
visitor (demo ribbon shown, cookie banner up), the customer's pages as a signed-in customer,
the back office as the owner. Any violation fails the test with one line per element: the
page, the width, the rule, the element (axe's CSS target) and what the rule asks for.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.shop_data import CUSTOMER, OWNER, build_shop
from tests.browser.test_every_page_fits import DESKTOP, PHONE, _signed_in

# The rules of WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _key_pages(shop) -> list[tuple[str, str, str]]:
    """(who, page name, path) for the fifteen key pages."""
    order = shop.orders["paid"]
    return [
        ("visitor", "home", "/"),
        ("visitor", "product list", "/products"),
        ("visitor", "product page", f"/products/{shop.product_slug}"),
        ("visitor", "search", "/products?q=bowl"),
        ("customer", "cart", "/cart"),
        ("customer", "checkout", "/checkout"),
        ("visitor", "sign-in", "/account/login"),
        ("visitor", "register", "/account/register"),
        ("customer", "account", "/account"),
        ("customer", "order page", f"/orders/{order}"),
        ("visitor", "contact", "/contact"),
        ("visitor", "privacy policy", "/privacy"),
        ("visitor", "cookie settings", "/cookies"),
        ("owner", "staff dashboard", "/staff/"),
        ("owner", "staff orders list", "/staff/orders"),
    ]


def _describe(name: str, width: int, violation: dict) -> list[str]:
    return [
        f"{name} at {width} px: {violation['id']} ({violation['impact']}) on "
        f"{' '.join(map(str, node['target']))}: {violation['help']}"
        for node in violation["nodes"]
    ]


def test_axe_finds_no_violation_on_the_key_pages(app, browser, live_server):
    shop = build_shop(app)
    axe = Axe()
    emails = {"visitor": None, "customer": CUSTOMER, "owner": OWNER}
    contexts = {who: _signed_in(browser, live_server, email) for who, email in emails.items()}
    problems: list[str] = []
    checked = 0
    try:
        for who, name, path in _key_pages(shop):
            page = contexts[who][1]
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{name}: {path}"
            if name == "home":  # the first page: ribbon and banner are there to be checked
                expect(page.locator(".demo-ribbon")).to_be_visible()
                expect(page.get_by_role("button", name="Accept").first).to_be_visible()
            for viewport in (DESKTOP, PHONE):
                page.set_viewport_size(viewport)
                results = axe.run(
                    page,
                    options={"runOnly": {"type": "tag", "values": TAGS}},
                )
                for violation in results.response["violations"]:
                    problems += _describe(name, viewport["width"], violation)
                checked += 1
    finally:
        for context, _page in contexts.values():
            context.close()
    assert checked == 30
    assert not problems, f"axe found {len(problems)} problems:\n" + "\n".join(problems)
