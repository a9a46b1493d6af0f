"""Helpers for the invoice tests: the seller's details, an EU and a US order placed through
the checkout, and reading a document's page and PDF as a person would."""

from __future__ import annotations

import io
import re

from jomso.discounts.codes import lookup_key
from jomso.discounts.models import DiscountCode
from jomso.extensions import db
from jomso.invoices.seller import SellerData, save_seller_details
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import set_standard_shipping
from tests.orders.helpers import add_to_cart, checkout_data, order_number
from tests.taxes.helpers import CALIFORNIA, PARIS, set_class, set_taxes

EU = {"standard:FR": 20000, "reduced:FR": 5500}
US = {"standard:US-CA": 7250, "standard:US-NY": 4000}
SELLER = {
    "line1": "Hafenstraße 7", "line2": "", "city": "Hamburg", "region": "",
    "postal_code": "20457", "country": "DE",
}  # fmt: skip


def save_seller(app, legal_name="Jomso Keramik GmbH", **address) -> None:
    with app.app_context():
        save_seller_details(
            SellerData(
                legal_name=legal_name,
                address={**SELLER, **address},
                tax_id="DE123456789",
                invoice_footer="IBAN DE89 3704 0044 0532 0130 00 · Danke schön!",
            )
        )


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def table_rows(html: str, css_class: str) -> list[list[str]]:
    """The cells of each row of the table with ``css_class`` (head and body), as text."""
    table = html.split(f'class="{css_class}"', 1)[1].split("</table>", 1)[0]
    return [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


PAULE = {**PARIS, "name": "Paule Achat-Müñoz"}


def place_order(app, client, address: dict, phone: str, code: str | None = None) -> str:
    if code:
        page = client.get("/cart")
        client.post(
            "/cart/discount",
            data={"discount_code": code, "back": "cart", "csrf_token": csrf_token_from(page.text)},
        )
    page = client.get("/checkout").text
    billing = {f"billing-{k}": v for k, v in address.items()}
    shown = client.post(
        "/checkout",
        data=checkout_data(page, nonce=None, update_address="delivery", **billing),
    )
    placed = client.post("/checkout", data=checkout_data(shown.text, phone=phone, **billing))
    assert placed.status_code == 303, text(placed.text)[:600]
    return order_number(placed)


def eu_order(app, client, monkeypatch) -> str:
    """A French order, prices including VAT: a Mug at 12.00 (20%), a Book at 10.55 (5.5%),
    the code TENPC (10% off), 4.95 of shipping split over the rates."""
    monkeypatch.setattr("jomso.cart.services.shop_country", lambda: "FR")
    set_standard_shipping(app, price_cents=495, free_from_cents=None)
    set_taxes(app, included=True, rule="proportional", rates=EU)
    with app.app_context():
        db.session.add(
            DiscountCode(code="TENPC", lookup_key=lookup_key("TENPC"), kind="percent", value=10)
        )
        db.session.commit()
    mug = make_product(app, "Mug", price_cents=1200)
    book = make_product(app, "Book", price_cents=1055)
    set_class(app, book, "reduced")
    add_to_cart(client, mug)
    add_to_cart(client, book)
    return place_order(app, client, PAULE, "+33 1 42 68 53 00", "tenpc")


def us_order(app, client) -> str:
    """A Californian order, tax added: two Lamps at 20.00, 5.00 of shipping (not taxed)."""
    set_standard_shipping(app, price_cents=500, free_from_cents=None)
    set_taxes(app, included=False, rule="none", rates=US)
    add_to_cart(client, make_product(app, "Lamp", price_cents=2000), 2)
    return place_order(app, client, CALIFORNIA, "(415) 555-0100")
