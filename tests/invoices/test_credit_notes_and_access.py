"""Credit notes for refunds (their own gap-free numbers, the tax given back per rate, never
more than the invoice charged), who may see invoices and credit notes, and invoices in the
customer's data export and after the erasure of their account."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from jomso.extensions import db
from jomso.invoices.models import CreditNote, Invoice
from jomso.orders import access
from tests.accounts.helpers import GOOD_PASSWORD, post_form, register, sign_in
from tests.invoices.helpers import eu_order, pdf_text, save_seller, table_rows, text
from tests.orders.helpers import buy, confirmed_post, get_order, order_number, staff, staff_post


def _year(app) -> int:
    from jomso.shop_time import shop_today

    with app.app_context():
        return shop_today().year


def _shipped_and_settled(app, number: str):
    desk = staff(app, app.test_client(), "orders", email=f"desk-{number.lower()}@staff.example.org")
    staff_post(desk, number, "ship", {"carrier": "UPS", "tracking_number": "1Z1"})
    staff_post(desk, number, "settle")
    return desk


def _credit_notes(app) -> list[CreditNote]:
    with app.app_context():
        notes = db.session.scalars(select(CreditNote).order_by(CreditNote.id)).all()
        for note in notes:
            list(note.tax_lines)
        db.session.expunge_all()
        return notes


def test_each_refund_gets_a_credit_note_and_they_give_back_exactly_the_invoices_tax(
    app, client, monkeypatch
):
    save_seller(app)
    number = eu_order(app, client, monkeypatch)  # 25.24, VAT 2.24 (20%) and 0.62 (5.5%)
    year = _year(app)
    desk = _shipped_and_settled(app, number)
    done = confirmed_post(desk, number, "refund", {"amount": "10.00", "reason": "Broken mug"})
    assert done.status_code == 303
    [first] = _credit_notes(app)
    assert first.number == f"CN-{year}-000001" and first.amount_cents == 1000
    # 10.00 of 25.24: 13.43 * 10 / 25.24 = 5.32 at 20% with 0.89 of VAT; 11.81 → 4.68, 0.25.
    assert [(t.percent_thousandths, t.base_cents, t.tax_cents) for t in first.tax_lines] == [
        (20000, 532, 89),
        (5500, 468, 25),
    ]
    assert first.tax_cents == 114

    html = desk.get(f"/staff/orders/{number}/credit-notes/{first.number}").text
    assert f"Credit note CN-{year}-000001" in html
    assert f"For invoice {year}-000001" in text(html)
    assert table_rows(html, "invoice-taxes")[1:] == [
        ["20 % (Standard)", "$5.32", "$0.89"],
        ["5.5 % (Reduced)", "$4.68", "$0.25"],
    ]
    assert table_rows(html, "invoice-totals") == [
        ["Total refunded", "$10.00"],
        ["Of which VAT", "$1.14"],
    ]
    pdf = desk.get(f"/staff/orders/{number}/credit-notes/{first.number}.pdf")
    assert pdf.content_type == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert f"For invoice: {year}-000001" in pdf_text(pdf.data)
    assert "Total refunded $10.00" in pdf_text(pdf.data)

    # The rest: the second credit note gives back what is left of each rate's tax.
    confirmed_post(desk, number, "refund", {"reason": "Returned"})
    first, second = _credit_notes(app)
    assert second.number == f"CN-{year}-000002" and second.amount_cents == 1524
    order = get_order(app, number)
    with app.app_context():
        charged = {
            t.percent_thousandths: (t.base_cents, t.tax_cents)
            for t in db.session.scalars(select(type(order).tax_lines.property.mapper.class_))
        }
    given_back = {}
    for note in (first, second):
        for t in note.tax_lines:
            base, tax = given_back.get(t.percent_thousandths, (0, 0))
            given_back[t.percent_thousandths] = (base + t.base_cents, tax + t.tax_cents)
    assert given_back == charged == {20000: (1343, 224), 5500: (1181, 62)}

    # The buyer sees both beside the invoice on their order page.
    page = client.get(f"/orders/{number}").text
    for note in (first, second):
        assert f'href="/orders/{number}/credit-notes/{note.number}"' in page
        assert client.get(f"/orders/{number}/credit-notes/{note.number}").status_code == 200
        assert client.get(f"/orders/{number}/credit-notes/{note.number}.pdf").status_code == 200
    # The invoice is not rewritten by the refunds.
    assert ["Total", "$25.24"] in table_rows(client.get(f"/orders/{number}/invoice").text,
                                             "invoice-totals")  # fmt: skip


def test_credit_note_numbers_have_their_own_sequence(app, client):
    first = order_number(buy(app, client, price_cents=1500)[0])
    second = order_number(buy(app, app.test_client(), price_cents=2500)[0])
    year = _year(app)
    for number in (first, second):
        desk = _shipped_and_settled(app, number)
        confirmed_post(desk, number, "refund", {"amount": "1.00", "reason": "Goodwill"})
    assert [n.number for n in _credit_notes(app)] == [f"CN-{year}-000001", f"CN-{year}-000002"]
    with app.app_context():
        invoices = db.session.scalars(select(Invoice.number).order_by(Invoice.id)).all()
    assert invoices == [f"{year}-000001", f"{year}-000002"]


def _customers_order(app, client) -> str:
    register(client)
    sign_in(client)
    number = order_number(buy(app, client, price_cents=2000, email="bea@example.com")[0])
    desk = _shipped_and_settled(app, number)
    confirmed_post(desk, number, "refund", {"amount": "3.00", "reason": "Late"})
    return number


def _urls(app, number: str, prefix: str = "") -> list[str]:
    [note] = _credit_notes(app)
    base = f"{prefix}/orders/{number}"
    return [
        f"{base}/invoice",
        f"{base}/invoice.pdf",
        f"{base}/credit-notes/{note.number}",
        f"{base}/credit-notes/{note.number}.pdf",
    ]


def test_only_the_buyer_sees_their_invoice_and_anyone_else_gets_the_shops_404(app, client):
    number = _customers_order(app, client)
    for url in _urls(app, number):
        assert client.get(url).status_code == 200, url
    stranger = app.test_client()
    other = app.test_client()
    register(other, email="other@example.com")
    sign_in(other, email="other@example.com")
    for browser in (stranger, other):
        for url in _urls(app, number):
            answer = browser.get(url)
            assert answer.status_code == 404, url
            assert 'class="site-header"' in answer.text  # the shop's own page
    # A document that is not this order's is not found either.
    assert client.get(f"/orders/{number}/credit-notes/CN-2000-000001").status_code == 404
    other_number = order_number(buy(app, other, price_cents=900, email="other@example.com")[0])
    [note] = _credit_notes(app)
    assert client.get(f"/orders/{other_number}/credit-notes/{note.number}").status_code == 404
    # The email's signed link opens them, as it opens the order page.
    with app.test_request_context():
        order = db.session.scalar(select(Invoice).join(Invoice.order)).order
        token = access.make_token(order)
    for url in _urls(app, number):
        assert stranger.get(f"{url}?token={token}").status_code == 200, url
    linked = stranger.get(f"/orders/{number}?token={token}").text
    assert f"/orders/{number}/invoice?token={token}" in linked.replace("&amp;", "&")


@pytest.mark.parametrize(("role", "status"), [("orders", 200), ("owner", 200), ("support", 403),
                                              ("catalog", 403), ("analyst", 403)])  # fmt: skip
def test_staff_see_them_when_they_may_see_the_order(app, client, role, status):
    number = _customers_order(app, client)
    desk = staff(app, app.test_client(), role=role, email=f"{role}-2@staff.example.org")
    for url in _urls(app, number, prefix="/staff"):
        assert desk.get(url).status_code == status, url


def test_staff_invoice_pages_ask_anonymous_visitors_to_sign_in(app, client):
    number = _customers_order(app, client)
    for url in _urls(app, number, prefix="/staff"):
        answer = app.test_client().get(url)
        assert answer.status_code == 302, url
        assert "/account/login" in answer.headers["Location"]


def test_the_data_export_holds_the_invoice_and_credit_notes(app, client):
    number = _customers_order(app, client)
    year = _year(app)
    export = json.loads(client.get("/account/export").data)
    [mine] = [o for o in export["orders"] if o["number"] == number]
    assert mine["invoice"]["number"] == f"{year}-000001"
    assert [n["number"] for n in mine["invoice"]["credit_notes"]] == [f"CN-{year}-000001"]
    assert mine["invoice"]["credit_notes"][0]["amount_cents"] == 300


def test_an_erased_customers_invoice_names_nobody(app, client):
    number = _customers_order(app, client)
    assert "bea@example.com" in client.get(f"/orders/{number}/invoice").text
    assert (
        post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD}).status_code == 302
    )
    desk = staff(app, app.test_client(), "owner", email="boss@staff.example.org")
    html = desk.get(f"/staff/orders/{number}/invoice").text
    buyer = text(html.split('class="invoice-buyer"')[1].split("</address>")[0])
    assert "bea@example.com" not in html and "deleted" in buyer
    assert not re.search(r"Gus|Bea", buyer)
    printed = pdf_text(desk.get(f"/staff/orders/{number}/invoice.pdf").data)
    assert "bea@example.com" not in printed and ["Total", "$24.95"] in table_rows(
        html, "invoice-totals"
    )
