"""Every paginated list, the storefront's and the staff's, reads ``?page=`` the same way: a
huge number shows the last page, a negative or nonsense one the first; never a 500."""

from __future__ import annotations

import pytest

from jomso.pagination import clamp_page, requested_page
from tests.catalog.helpers import make_product
from tests.contact.helpers import send_contact
from tests.helpers import make_user
from tests.orders.helpers import buy, order_number
from tests.staff.helpers import staff_client

HUGE = "9" * 30
PAGES = {"huge": HUGE, "negative": "-3", "zero": "0", "nonsense": "abc", "float": "1e5"}


def _product(app, client):
    make_product(app, "Pagination Teapot")
    return "Pagination Teapot"


def _order(app, client):
    response, _ = buy(app, app.test_client())
    return order_number(response)


def _customer(app, client):
    make_user(app, email="paula.pages@example.com", name="Paula Pages")
    return "paula.pages@example.com"


def _access_log_entry(app, client):
    _customer(app, client)
    assert client.get("/staff/customers").status_code == 200  # writes an access-log entry
    return "staff.customer_list"


def _enquiry(app, client):
    app.config["CONTACT_MIN_SECONDS"] = 0
    assert send_contact(app.test_client(), name="Quentin Query").status_code in (200, 303)
    return "Quentin Query"


def _announcement(app, client):
    from jomso.newsletter.composing import save_draft

    product_id = make_product(app, "Announced Vase", age_days=1)
    with app.test_request_context():
        save_draft(None, subject="Pages of news", intro="", product_ids=[product_id], author=None)
    return "Pages of news"


# (URL, who may see it, what puts a row on the list and returns the text that shows it)
LISTS = [
    ("/products", None, _product),
    ("/staff/products", "catalog", _product),
    ("/staff/orders", "orders", _order),
    ("/staff/customers", "owner", _customer),
    ("/staff/audit", "owner", _access_log_entry),
    ("/staff/enquiries", "support", _enquiry),
    ("/staff/announcements", "catalog", _announcement),
]


@pytest.mark.parametrize(("url", "role", "seed"), LISTS, ids=[url for url, _, _ in LISTS])
def test_page_numbers_are_clamped(app, url, role, seed):
    client = staff_client(app, role) if role else app.test_client()
    shown = seed(app, client)
    for name, page in PAGES.items():
        response = client.get(f"{url}?page={page}")
        assert response.status_code == 200, (name, response.status_code)
        # The list has one page: the last page and the first are the same, and show the row.
        assert shown in response.text, name


def test_requested_page_reads_only_whole_positive_numbers():
    for text, page in [("1", 1), ("7", 7), (" 7 ", 7), ("0", 1), ("-3", 1), ("abc", 1)]:
        assert requested_page(text) == page, text
    for text in ["1e5", "2.5", "0x10", "", "٣", "²"]:
        assert requested_page(text) == 1, text
    assert requested_page(HUGE) > 10**17
    assert requested_page("9" * 5000) > 10**17  # longer than int() takes: still "huge"


def test_clamp_keeps_pages_between_the_first_and_the_last():
    assert clamp_page(10**18, total=51, per_page=25) == 3
    assert clamp_page(2, total=51, per_page=25) == 2
    assert clamp_page(-1, total=51, per_page=25) == 1
    assert clamp_page(5, total=0, per_page=25) == 1  # an empty list has one, empty, page
