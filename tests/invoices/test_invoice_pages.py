# ruff: noqa: RUF001 (the invoices write a discount with a minus sign)
"""The invoice as its buyer and the staff see it: a page that prints on A4 and a PDF, line by
line for an EU order (prices including VAT at 20% and 5.5%, a discount code, shipping split
over the rates) and a US order (tax added by state); the seller as they were when it was
issued."""

from __future__ import annotations

from pathlib import Path

from tests.catalog.helpers import make_product
from tests.invoices.helpers import (
    PAULE,
    eu_order,
    pdf_text,
    place_order,
    save_seller,
    table_rows,
    text,
    us_order,
)
from tests.orders.helpers import add_to_cart, get_order, staff

ROOT = Path(__file__).resolve().parents[2]


def _year(app) -> int:
    from jomso.shop_time import shop_today

    with app.app_context():
        return shop_today().year


def test_an_eu_invoice_line_by_line(app, client, monkeypatch):
    app.config["CURRENCY"] = "EUR"
    save_seller(app)
    vase = make_product(app, "Vase", price_cents=900)  # for a later order
    number = eu_order(app, client, monkeypatch)
    order = get_order(app, number)
    year = _year(app)
    page = client.get(f"/orders/{number}/invoice")
    assert page.status_code == 200
    html = page.text
    assert f"<title>Invoice {year}-000001" in html
    assert 'class="site-header"' not in html and "site-footer" not in html  # the document only
    head = text(html.split('class="invoice-head"')[1].split("</header>")[0])
    assert head.startswith(
        "> Jomso Keramik GmbH Hafenstraße 7 20457 HAMBURG Germany Tax id: DE123456789"
    )
    assert f"Invoice number {year}-000001" in head and f"Order number {number}" in head
    buyer = text(html.split('class="invoice-buyer"')[1].split("</address>")[0])
    assert buyer == ">Paule Achat-Müñoz 1 rue de Rivoli 75001 PARIS France gus@example.com"
    assert table_rows(html, "invoice-lines") == [
        ["Product", "SKU", "Quantity", "Unit price", "Discount", "Tax rate", "Total"],
        ["Mug", "SKU-MUG", "1", "€12.00", "−€1.20", "20 %", "€10.80"],
        ["Book", "SKU-BOOK", "1", "€10.55", "−€1.06", "5.5 %", "€9.49"],
    ]
    # 4.95 of shipping split 10.80 : 9.49 → 2.63 and 2.32; the VAT is inside each amount.
    assert table_rows(html, "invoice-taxes") == [
        ["Tax rate", "Amount taxed", "Tax"],
        ["20 % (Standard)", "€13.43", "€2.24"],
        ["5.5 % (Reduced)", "€11.81", "€0.62"],
    ]
    assert table_rows(html, "invoice-totals") == [
        ["Subtotal", "€22.55"],
        ["Discount (TENPC)", "−€2.26"],
        ["Shipping (Standard shipping)", "€4.95"],
        ["Total", "€25.24"],
        ["Of which VAT", "€2.86"],
    ]
    assert order.total_cents == 2524 and order.tax_cents == 286  # what was charged
    assert "Prices include VAT." in html
    assert "IBAN DE89 3704 0044 0532 0130 00 · Danke schön!" in html
    assert "@page { size: A4" in (ROOT / "static/css/shop.css").read_text()  # prints on A4

    pdf = client.get(f"/orders/{number}/invoice.pdf")
    assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert f'filename="{year}-000001.pdf"' in pdf.headers["Content-Disposition"]
    printed = pdf_text(pdf.data)
    for expected in (
        f"Invoice {year}-000001",
        "Jomso Keramik GmbH",
        "Hafenstraße 7",
        "Tax id: DE123456789",
        "Paule Achat-Müñoz",
        f"Order number: {number}",
        "Mug\nSKU-MUG\n1 €12.00 −€1.20 20 % €10.80",  # the SKU under the name
        "Book\nSKU-BOOK\n1 €10.55 −€1.06 5.5 % €9.49",
        "20 % (Standard) €13.43 €2.24",
        "5.5 % (Reduced) €11.81 €0.62",
        "Total €25.24",
        "Prices include VAT.",
        "Danke schön!",
    ):
        assert expected in printed, expected

    # A later change of the seller's address does not rewrite the invoice.
    save_seller(app, legal_name="Jomso Keramik AG", line1="Neuer Wall 1")
    html = client.get(f"/orders/{number}/invoice").text
    assert "Jomso Keramik GmbH" in html and "Hafenstraße 7" in html
    assert "Neuer Wall" not in html and "Keramik AG" not in html
    # The next order's invoice has the new one.
    add_to_cart(client, vase)
    later = place_order(app, client, PAULE, "+33 1 42 68 53 00")
    html = client.get(f"/orders/{later}/invoice").text
    assert f"Invoice {year}-000002" in html
    assert "Jomso Keramik AG" in html and "Neuer Wall 1" in html and "Hafenstraße" not in html


def test_a_us_invoice_adds_the_states_tax(app, client):
    save_seller(app, legal_name="Jomso Ceramics Inc.", line1="1 Main St", city="Portland",
                region="OR", postal_code="97201", country="US")  # fmt: skip
    number = us_order(app, client)
    html = client.get(f"/orders/{number}/invoice").text
    assert table_rows(html, "invoice-lines") == [
        ["Product", "SKU", "Quantity", "Unit price", "Discount", "Tax rate", "Total"],
        ["Lamp", "SKU-LAMP", "2", "$20.00", "", "7.25 %", "$40.00"],
    ]
    assert table_rows(html, "invoice-taxes") == [
        ["Tax rate", "Amount taxed", "Tax"],
        ["7.25 % (Standard)", "$40.00", "$2.90"],
    ]
    assert table_rows(html, "invoice-totals") == [
        ["Subtotal", "$40.00"],
        ["Shipping (Standard shipping)", "$5.00"],
        ["Tax", "$2.90"],
        ["Total", "$47.90"],
    ]
    assert "Prices plus tax: the tax is added to the total." in html
    assert get_order(app, number).total_cents == 4790
    assert "Total $47.90" in pdf_text(client.get(f"/orders/{number}/invoice.pdf").data)


def test_staff_who_see_orders_see_the_invoice_from_the_order_page(app, client, monkeypatch):
    save_seller(app)
    number = eu_order(app, client, monkeypatch)
    year = _year(app)
    desk = staff(app, app.test_client(), role="orders")
    order_page = desk.get(f"/staff/orders/{number}").text
    assert f'href="/staff/orders/{number}/invoice"' in order_page
    assert f'href="/staff/orders/{number}/invoice.pdf"' in order_page
    page = desk.get(f"/staff/orders/{number}/invoice")
    assert page.status_code == 200 and f"Invoice {year}-000001" in page.text
    assert f'href="/staff/orders/{number}"' in page.text  # back to the staff's order page
    # The orders role sees the order's shipping details, not the customer record: the
    # invoice comes without the buyer's billing name, address and email, and says so.
    assert "Paule Achat" not in page.text and "gus@example.com" not in page.text
    left_out = "The buyer&#39;s billing details are left out: they belong to the customer record."
    assert left_out in page.text
    pdf = desk.get(f"/staff/orders/{number}/invoice.pdf")
    assert pdf.data.startswith(b"%PDF-") and "Paule Achat" not in pdf_text(pdf.data)
    assert "Total €25.24" in pdf_text(pdf.data) or "Total $25.24" in pdf_text(pdf.data)
    # The owner, who sees customer records, gets the whole invoice.
    owner = staff(app, app.test_client(), role="owner")
    page = owner.get(f"/staff/orders/{number}/invoice").text
    assert "Paule Achat-Müñoz" in page and "gus@example.com" in page and left_out not in page
    pdf = owner.get(f"/staff/orders/{number}/invoice.pdf")
    assert "Paule Achat-Müñoz" in pdf_text(pdf.data)


def test_an_invoice_prints_in_the_language_the_order_was_placed_in(app, client):
    from sqlalchemy import update

    from jomso.extensions import db
    from jomso.orders.models import Order

    number = us_order(app, client)
    with app.app_context():  # as if placed on the German pages
        db.session.execute(update(Order).where(Order.number == number).values(language="de"))
        db.session.commit()
    html = text(client.get(f"/orders/{number}/invoice").text)
    assert "$40.00" not in html and "40,00 $" in html  # German figures, whatever the page's
    assert "40,00 $" in pdf_text(client.get(f"/orders/{number}/invoice.pdf").data)
