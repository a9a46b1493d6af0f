"""The orders role sees exactly what the roles table promises: "see orders with the shipping
name, address and phone". Walking every staff page it can reach from the dashboard, the
shipping details appear and the customer's email, billing address, account and address book
never do; the owner, who may see customer records, finds those on the same pages. The privacy
policy and the permission's label say the same."""

from __future__ import annotations

import html
import re

from jomso.permissions import PERMISSION_LABELS, Permission
from tests.accounts.helpers import registered_customer
from tests.orders.helpers import buy, order_number, staff

SHIPPING = {
    "name": "Sam Shipper",
    "line1": "9 Dock Street",
    "city": "Salem",
    "postal_code": "97301",
}
ORDER_PHONE = "(503) 555-0188"
# The order's billing address (tests.orders.helpers.ADDRESS), the customer's own address book
# and phone (tests.accounts.helpers.registration), and the email.
NOT_FOR_THE_ORDERS_ROLE = (
    "buyer@example.com",
    "Gus Guest",
    "1 Harbour Road",
    "Portland",
    "97201",
    "Bea Customer",
    "12 Orchard Lane",
    "Springfield",
    "555-0143",
)
_STAFF_LINK = re.compile(r'href="(/staff[^"#]*)"')


def _walk(client, start: str = "/staff/", limit: int = 200) -> dict[str, str]:
    """Every /staff page reachable by following links from ``start``: path -> HTML. Only
    GETs, as a person clicking through the back office would; pages that refuse are left
    out (the permission matrix covers refusals)."""
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        if response.status_code != 200 or response.mimetype not in ("text/html", "text/csv"):
            seen[path] = ""
            continue
        seen[path] = response.text  # a CSV download too: read whole, it is checked as well
        if response.mimetype != "text/html":
            continue
        for link in _STAFF_LINK.findall(response.text):
            link = html.unescape(link)
            if link not in seen:
                queue.append(link)
    return {path: text for path, text in seen.items() if text}


def _order(app) -> str:
    shopper = app.test_client()
    registered_customer(shopper, email="buyer@example.com")
    response, _product = buy(app, shopper, email="buyer@example.com", phone=ORDER_PHONE,
                             shipping=SHIPPING)  # fmt: skip
    return order_number(response)


def test_the_orders_role_sees_shipping_details_and_nothing_else_of_the_customer(app):
    number = _order(app)
    desk = staff(app, app.test_client(), "orders")
    pages = _walk(desk)
    assert {
        "/staff/",
        "/staff/orders",
        f"/staff/orders/{number}",
        f"/staff/orders/{number}/packing-slip",
    } <= set(pages), sorted(pages)
    assert not any(path.startswith(("/staff/customers", "/staff/audit")) for path in pages)

    detail = pages[f"/staff/orders/{number}"]
    slip = pages[f"/staff/orders/{number}/packing-slip"]
    for page in (detail, slip):
        for shown in ("Sam Shipper", "9 Dock Street", "SALEM, OR 97301", ORDER_PHONE):
            assert shown in page, shown  # the city as US mail prints it
    assert "Sam Shipper" in pages["/staff/orders"]
    assert "Visa •••• 1111" in detail  # the order's payment, as on the customer's own page

    for path, page in pages.items():
        for hidden in NOT_FOR_THE_ORDERS_ROLE:
            at = page.casefold().find(hidden.casefold())
            assert at < 0, (hidden, path, page[max(0, at - 300) : at + 100])
        assert "/staff/customers/" not in page, path
        assert "Customer account #" not in page, path

    # Nor can a search tell whether an address placed an order.
    found = desk.get("/staff/orders?q=buyer@example.com&status=").text
    assert number not in found and "No order matches that search." in found
    assert number in desk.get("/staff/orders?q=shipper&status=").text


def test_the_owner_finds_the_customers_email_billing_address_and_account(app):
    number = _order(app)
    owner = staff(app, app.test_client(), "owner")
    detail = owner.get(f"/staff/orders/{number}").text
    for shown in ("buyer@example.com", "Gus Guest", "1 Harbour Road", "Sam Shipper"):
        assert shown in detail, shown
    assert "Customer account #" in detail and 'href="/staff/customers/' in detail
    listing = owner.get("/staff/orders").text
    assert "buyer@example.com" in listing
    assert number in owner.get("/staff/orders?q=buyer@example&status=").text


def test_the_policy_and_the_roles_table_promise_the_same(client):
    label = str(PERMISSION_LABELS[Permission.VIEW_ORDERS])
    assert "shipping name, address and phone" in label
    text = re.sub(r"<[^>]+>", "", client.get("/privacy").text)
    policy = " ".join(html.unescape(text).split())
    assert "order staff see orders, with the shipping name, address and phone number" in policy
    assert "but not your email address or billing address" in policy
