"""The staff order list staff work from: search by number, name, email and SKU; filters by
status, days and payment; sorting; the bulk actions on ticked orders (start preparing, one
print document of packing slips, CSV) with orders that cannot take them and tampered numbers;
the CSV export of a whole filtered list, with the columns of the role, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from jomso.extensions import db
from jomso.orders import list_views
from jomso.orders.models import Order, OrderSearchTerm
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import forms_on
from tests.orders.helpers import (
    add_to_cart,
    checkout,
    get_order,
    order_number,
    staff,
    staff_post,
)
from tests.staff.helpers import log_entries


def place(app, client, name="Gus Guest", email="gus@example.com", sku_name="Thing", **kw):
    """A paid order for one product named ``sku_name`` (its SKU follows from the name)."""
    add_to_cart(client, make_product(app, sku_name, **kw))
    response = checkout(client, email=email, **{"billing-name": name})
    return order_number(response)


def numbers_on(html: str) -> list[str]:
    """Order numbers in the list's rows, top to bottom."""
    return re.findall(r'name="order" value="(J[0-9A-Z]{8})"', html)


def set_created(app, number: str, moment: datetime) -> None:
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        order.created_at = moment
        db.session.commit()


@pytest.fixture
def desk(app):
    return staff(app, app.test_client(), "orders")


@pytest.fixture
def three(app, client):
    """Three paid orders from different people and products; their numbers."""
    return {
        "gus": place(app, client, "Gus Guest", "gus@example.com", "Stoneware Bowl"),
        "jose": place(app, client, "José O'Brien", "jose.obrien@example.org", "Garden Trowel"),
        "ann": place(app, client, "Ann Example", "ann@mail.example.net", "Linen Towel"),
    }


# -- Search ----------------------------------------------------------------------------------


def test_search_by_number_name_email_and_sku(app, desk, three):
    def found(query):
        return set(numbers_on(desk.get("/staff/orders", query_string={"q": query}).text))

    gus, jose, ann = three["gus"], three["jose"], three["ann"]
    assert found(gus) == {gus}
    assert found(gus[:5].lower()) >= {gus}  # the first characters, typed in lower case
    assert found("Gus") == {gus}
    assert found("guest") == {gus}  # any word of the name, from its start
    assert found("jose") == found("JOSÉ") == found("brien") == {jose}  # accents do not matter
    assert found("gus gue") == {gus}  # every word must match
    assert found("gus ann") == set()
    assert found("SKU-LINEN") == found("sku-linen-towel") == {ann}  # a SKU from its start
    page = desk.get("/staff/orders", query_string={"q": "nobody-like-that"})
    assert numbers_on(page.text) == [] and "No order matches that search." in page.text
    # The orders role does not see emails, so its search cannot tell whether one ordered.
    assert found("ann@mail") == found("jose.obrien@example.org") == set()

    owner = staff(app, app.test_client(), "owner")
    by_owner = owner.get("/staff/orders", query_string={"q": "ann@mail"}).text
    assert set(numbers_on(by_owner)) == {ann}  # an email from its start
    by_owner = owner.get("/staff/orders", query_string={"q": "jose.obrien@example.org"}).text
    assert set(numbers_on(by_owner)) == {jose}


def test_the_orders_role_finds_an_order_by_its_shipping_name_not_its_billing_name(
    app, client, desk
):
    add_to_cart(client, make_product(app, "Stone Vase"))
    response = checkout(
        client,
        email="payer@example.com",
        shipping={"name": "Hal Receiver", "line1": "9 Dock Street"},
        **{"billing-name": "Ivy Payer"},
    )
    number = order_number(response)
    assert numbers_on(desk.get("/staff/orders?q=receiver").text) == [number]
    assert numbers_on(desk.get("/staff/orders?q=payer").text) == []
    owner = staff(app, app.test_client(), "owner")
    assert numbers_on(owner.get("/staff/orders?q=payer").text) == [number]


def test_a_search_of_one_character_is_refused_with_a_message(app, desk, three):
    page = desk.get("/staff/orders", query_string={"q": "g"})
    assert "Type at least two characters." in page.text
    assert 'value="g"' in page.text  # what was typed is kept


def test_search_terms_follow_the_order(app, desk, three):
    """A renamed order (as the account's deletion anonymizes it) is found by its new name only;
    its old words are gone from the search terms."""
    gus = three["gus"]
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == gus))
        order.billing_name = order.shipping_name = "deleted"
        order.email = "deleted"
        db.session.commit()
        terms = set(db.session.scalars(select(OrderSearchTerm.term).where(
            OrderSearchTerm.order_id == order.id)))  # fmt: skip
    assert terms == {"deleted", "skustonewarebowl"}
    assert numbers_on(desk.get("/staff/orders?q=gus").text) == []
    assert gus in numbers_on(desk.get("/staff/orders?q=deleted").text)


# -- Filters and sorting ---------------------------------------------------------------------


def test_filter_by_status_days_and_payment(app, desk, three):
    gus, jose, ann = three["gus"], three["jose"], three["ann"]
    staff_post(desk, gus, "ship", {"carrier": "UPS", "tracking_number": "1Z999"})
    staff_post(desk, jose, "process")
    set_created(app, ann, datetime(2026, 3, 1, 12, 0, tzinfo=UTC))

    assert set(numbers_on(desk.get("/staff/orders?status=shipped").text)) == {gus}
    assert set(numbers_on(desk.get("/staff/orders").text)) == {jose, ann}  # to do
    captured = desk.get("/staff/orders?payment=captured").text
    assert set(numbers_on(captured)) == {gus}  # a filter looks through every status
    held = desk.get("/staff/orders?payment=authorized&status=").text
    assert set(numbers_on(held)) == {jose, ann}
    march = desk.get("/staff/orders?date_from=2026-03-01&date_to=2026-03-01").text
    assert numbers_on(march) == [ann]


def test_days_are_the_shops_local_days(app, desk, three):
    app.config["TIMEZONE"] = "America/New_York"
    ann = three["ann"]
    set_created(app, ann, datetime(2026, 3, 10, 3, 30, tzinfo=UTC))  # 9 March, 23:30 in New York
    assert numbers_on(desk.get("/staff/orders?date_from=2026-03-09&date_to=2026-03-09").text) == [
        ann
    ]
    assert numbers_on(desk.get("/staff/orders?date_from=2026-03-10").text) == [
        n for n in numbers_on(desk.get("/staff/orders?status=").text) if n != ann
    ]


def test_reversed_and_absurd_dates(app, desk, three):
    ann = three["ann"]
    set_created(app, ann, datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    reversed_range = desk.get("/staff/orders?date_from=2026-03-31&date_to=2026-03-01")
    assert "The dates were the wrong way round: they are swapped." in reversed_range.text
    assert numbers_on(reversed_range.text) == [ann]
    assert re.search(r'id="date_from"[^>]*value="2026-03-01"', reversed_range.text)
    assert re.search(r'id="date_to"[^>]*value="2026-03-31"', reversed_range.text)

    absurd = desk.get("/staff/orders?date_from=0001-01-01&date_to=20205-01-01&status=")
    assert absurd.status_code == 200
    assert "Enter a day between 2000-01-01 and 2099-12-31." in absurd.text
    assert "Not a valid date value." in absurd.text
    assert len(numbers_on(absurd.text)) == 3  # a date that cannot be read filters nothing


def test_sort_by_date_or_total(app, client, desk):
    small = place(app, client, sku_name="Small", price_cents=500)
    large = place(app, client, sku_name="Large", price_cents=9000)
    middle = place(app, client, sku_name="Middle", price_cents=2000)
    assert numbers_on(desk.get("/staff/orders?sort=newest").text) == [middle, large, small]
    assert numbers_on(desk.get("/staff/orders?sort=oldest").text) == [small, large, middle]
    assert numbers_on(desk.get("/staff/orders?sort=total_high").text) == [large, middle, small]
    assert numbers_on(desk.get("/staff/orders?sort=total_low").text) == [small, middle, large]


# -- Bulk actions ----------------------------------------------------------------------------


def bulk(client, action: str, numbers: list[str], list_query: str = "", **kwargs):
    """Tick ``numbers`` on the list and press the button for ``action``."""
    page = client.get("/staff/orders?status=")
    [form] = [f for f in forms_on(page.text) if f.action.startswith("/staff/orders/bulk/")]
    data = {**form.fields, "order": numbers, "list_query": list_query}
    return client.post(f"/staff/orders/bulk/{action}", data=data, **kwargs)


def test_start_preparing_in_bulk_does_what_it_can_and_says_why_not(app, desk, three):
    gus, jose, ann = three["gus"], three["jose"], three["ann"]
    staff_post(desk, gus, "ship", {"carrier": "UPS", "tracking_number": "1Z999"})
    staff_post(desk, ann, "process")
    answer = bulk(desk, "process", [gus, jose, ann, "JZZZZZZZZ", "<script>"])
    assert answer.status_code == 200
    html = answer.text
    assert "1 order is now being prepared" in html and jose in html
    assert "2 orders were not changed" in html
    assert "An order that is “Shipped” cannot become “Being prepared”." in html
    assert "It is being prepared already." in html
    assert "2 ticked orders were not found and were left alone: JZZZZZZZZ, &lt;script&gt;" in html
    assert "<script>" not in html
    assert [get_order(app, n).status for n in (gus, jose, ann)] == [
        "shipped", "processing", "processing"]  # fmt: skip
    assert get_order(app, jose).changes[-1].actor_label == "orders-person@staff.example.org"


def test_nothing_ticked_goes_back_to_the_list_with_a_message(app, desk, three):
    answer = bulk(desk, "process", [], list_query="status=paid&sort=oldest&evil=1")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/staff/orders?status=paid&sort=oldest"
    assert "Tick at least one order first." in desk.get(answer.headers["Location"]).text


def test_packing_slips_of_the_ticked_orders_in_one_document(app, desk, three):
    gus, jose = three["gus"], three["jose"]
    document = bulk(desk, "packing-slips", [gus, jose, "J00000000"])
    assert document.status_code == 200
    html = document.text
    assert html.count('class="packing-slip"') == 2
    assert html.index(gus) < html.index(jose)
    assert "SKU-STONEWARE-BOWL" in html and "SKU-GARDEN-TROWEL" in html
    assert "1 ticked order was not found and is left out: J00000000." in html
    assert 'class="site-header"' not in html and 'class="site-footer"' not in html
    assert html.count('class="js-print"') == 1  # one Print button for the whole document
    slips = html.split('class="packing-slip"', 1)[1]
    assert "$" not in slips  # no prices in the parcel
    entries = log_entries(app, view="staff_orders.order_bulk_packing_slips")
    assert sorted(e.detail for e in entries) == sorted(
        [f"packing slip {gus} (printed with 2)", f"packing slip {jose} (printed with 2)"]
    )


def _rows(response) -> list[dict[str, str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: spreadsheets read accents right
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_of_the_ticked_orders_has_the_fields_of_the_role(app, client, desk, three):
    sly = place(app, client, '=HYPERLINK("http://x")', "sly@example.com", "Sly Thing")
    answer = bulk(desk, "export.csv", [three["jose"], sly])
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = _rows(answer)
    assert [r["number"] for r in rows] == [three["jose"], sly]
    assert rows[0]["shipping_name"] == "José O'Brien" and rows[0]["total"] == "17.45"
    assert rows[1]["shipping_name"] == '\'=HYPERLINK("http://x")'  # never a formula
    assert "billing_line1" not in rows[0] and "customer_account" not in rows[0]  # orders role
    assert "email" not in rows[0] and rows[0]["phone"]
    entries = log_entries(app, kind="export_personal_data")
    assert [(e.view, e.detail) for e in entries] == [
        ("staff_orders.order_bulk_export", "orders CSV, 2 ticked")
    ]

    owner = staff(app, app.test_client(), "owner")
    owner_rows = _rows(bulk(owner, "export.csv", [three["jose"]]))
    assert owner_rows[0]["billing_line1"] == "1 Harbour Road"
    assert owner_rows[0]["email"] == "jose.obrien@example.org"
    assert owner_rows[0]["customer_account"] == ""  # a guest


def test_a_csv_of_tampered_numbers_is_refused_with_a_message(app, desk, three):
    answer = bulk(desk, "export.csv", [three["gus"], "J12345ABC"], list_query="status=")
    assert answer.status_code == 303
    page = desk.get(answer.headers["Location"])
    assert "1 ticked order was not found (J12345ABC), so nothing was exported." in page.text
    assert log_entries(app, kind="export_personal_data") == []


def test_the_whole_filtered_list_as_a_streamed_csv(app, desk, three, monkeypatch):
    monkeypatch.setattr(list_views, "PER_PAGE", 1)
    page = desk.get("/staff/orders?q=sku&sort=oldest")
    link = re.search(r'href="(/staff/orders/export\.csv\?[^"]+)"', page.text).group(1)
    assert "Download all 3 orders as CSV" in page.text
    answer = desk.get(link.replace("&amp;", "&"))
    assert answer.is_streamed
    rows = _rows(answer)
    assert [r["number"] for r in rows] == [three["gus"], three["jose"], three["ann"]]
    assert {r["payment"] for r in rows} == {"Authorized: held on the card"}
    [entry] = log_entries(app, kind="export_personal_data")
    assert entry.detail == "orders CSV, search"  # never what was searched


def test_bulk_forms_carry_a_csrf_token(app, desk, three):
    page = desk.get("/staff/orders?status=")
    token = csrf_token_from(page.text)
    assert token
    refused = desk.post("/staff/orders/bulk/process", data={"order": [three["gus"]]})
    assert refused.status_code == 400
    assert get_order(app, three["gus"]).status == "paid"
