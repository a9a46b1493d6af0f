"""The seller's details for invoices: the owner's page at /staff/seller (the address in its
country's layout and rules, the tax id checked loosely, every wrong field back with what was
typed), and the setup checklist's item for them."""

from __future__ import annotations

import re

import pytest

from jomso.extensions import db
from jomso.invoices.seller import TaxIdProblem, get_seller_details, normalize_tax_id
from tests.conftest import csrf_token_from
from tests.staff.helpers import staff_client

GERMAN = {
    "legal_name": "Jomso Keramik GmbH",
    "line1": "Hafenstraße 7",
    "line2": "",
    "city": "Hamburg",
    "region": "",
    "postal_code": "20457",
    "country": "DE",
    "tax_id": "de 123.456.789",
    "invoice_footer": "IBAN DE89 3704 0044 0532 0130 00\nThank you for your order.",
}


def _post(client, data: dict, **extra):
    page = client.get("/staff/seller")
    return client.post(
        "/staff/seller", data={"csrf_token": csrf_token_from(page.text), **data, **extra}
    )


def _saved(app):
    with app.app_context():
        details = get_seller_details()
        if details is not None:
            db.session.expunge(details)
        return details


def _checklist_item(html: str, title: str) -> str:
    item = html.split(f"<strong>{title}</strong>")[1].split("</li>")[0]
    return re.sub(r"\s+", " ", item)


@pytest.fixture
def owner(app):
    return staff_client(app, "owner", email="boss@staff.example.org")


def test_the_owner_saves_the_sellers_details_and_sees_them_as_invoices_will(app, owner):
    page = owner.get("/staff/seller")
    assert page.status_code == 200
    assert "Nothing saved yet" in page.text
    assert 'href="/staff/seller"' in owner.get("/staff/").text  # in the menu
    answer = _post(owner, GERMAN)
    assert answer.status_code == 302
    saved = _saved(app)
    assert saved.legal_name == "Jomso Keramik GmbH"
    assert (saved.line1, saved.city, saved.postal_code, saved.country) == (
        "Hafenstraße 7",
        "Hamburg",
        "20457",
        "DE",
    )
    assert saved.tax_id == "DE123456789"  # compact, in capitals
    assert saved.invoice_footer.startswith("IBAN DE89")
    page = owner.get("/staff/seller").text
    assert "The seller&#39;s details are saved." in page
    assert 'value="Jomso Keramik GmbH"' in page and 'value="DE123456789"' in page
    shown = page.split("As invoices will show it")[1]  # the country's postal format
    assert "Jomso Keramik GmbH<br>Hafenstraße 7<br>20457 HAMBURG<br>Germany" in shown
    assert "Tax id: DE123456789" in shown
    # Saving again changes the one row.
    assert _post(owner, {**GERMAN, "legal_name": "Jomso Keramik AG"}).status_code == 302
    assert _saved(app).legal_name == "Jomso Keramik AG"


def test_every_wrong_field_comes_back_with_what_was_typed(app, owner):
    typed = {
        **GERMAN,
        "legal_name": "",
        "postal_code": "2045",  # German codes have five digits
        "tax_id": "FR12345678901",  # a French number for a German seller
    }
    answer = _post(owner, typed)
    assert answer.status_code == 422
    text = answer.text
    assert "Enter the shop&#39;s legal name." in text
    assert "Check the code: it should look like" in text
    assert "A VAT number in this country starts with DE, like DE123456789." in text
    assert 'value="2045"' in text and 'value="FR12345678901"' in text
    assert 'value="Hafenstraße 7"' in text
    assert _saved(app) is None


def test_a_us_seller_needs_a_state_and_may_have_any_tax_id(app, owner):
    us = {
        **GERMAN,
        "legal_name": "Jomso Ceramics LLC",
        "line1": "1 Harbour Road",
        "city": "Portland",
        "region": "",
        "postal_code": "97201",
        "country": "US",
        "tax_id": "12-3456789",
    }
    answer = _post(owner, us)
    assert answer.status_code == 422 and "Enter the state." in answer.text
    assert _post(owner, {**us, "region": "oregon"}).status_code == 302
    saved = _saved(app)
    assert (saved.region, saved.tax_id) == ("OR", "123456789")
    assert _post(owner, {**us, "region": "OR", "tax_id": ""}).status_code == 302
    assert _saved(app).tax_id == ""


def test_the_country_button_lays_the_address_out_without_saving(app, owner):
    answer = _post(owner, {**GERMAN, "country": "US", "legal_name": ""}, update_address="country")
    assert answer.status_code == 200
    assert "ZIP code" in answer.text and "Enter the shop" not in answer.text
    assert _saved(app) is None


@pytest.mark.parametrize(
    ("typed", "country", "kept"),
    [
        ("DE123456789", "DE", "DE123456789"),
        ("el 123 456 789", "GR", "EL123456789"),
        ("ATU12345678", "AT", "ATU12345678"),
        ("GB123456789", "GB", "GB123456789"),
        ("12-3456789", "US", "123456789"),
        ("", "DE", ""),
    ],
)
def test_tax_ids_are_kept_compact(app, typed, country, kept):
    with app.test_request_context():
        assert normalize_tax_id(typed, country) == kept


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("123456789", "DE"),  # no prefix
        ("GR123456789", "GR"),  # Greece's VAT numbers start with EL
        ("DE1", "DE"),  # too short
        ("DE12345678901234", "DE"),  # too long
        ("DE12345#789", "DE"),
        ("12/3456789", "US"),
        ("X" * 21, "US"),
    ],
)
def test_what_cannot_be_a_tax_id_is_refused(app, typed, country):
    with app.test_request_context(), pytest.raises(TaxIdProblem):
        normalize_tax_id(typed, country)


def test_the_checklist_asks_for_the_sellers_details_until_they_are_saved(app, owner):
    item = _checklist_item(owner.get("/staff/").text, "Shop address and seller details")
    assert "To do" in item and "Invoices need the shop&#39;s legal name and postal address" in item
    _post(owner, {**GERMAN, "tax_id": ""})
    item = _checklist_item(owner.get("/staff/").text, "Shop address and seller details")
    assert "Done" in item and "No tax id is saved" in item
    _post(owner, GERMAN)
    item = _checklist_item(owner.get("/staff/").text, "Shop address and seller details")
    assert "Invoices show Jomso Keramik GmbH, its address and the tax id DE123456789." in item


@pytest.mark.parametrize("role", ["orders", "support", "catalog", "analyst"])
def test_only_the_owner_opens_the_page(app, role):
    client = staff_client(app, role)
    assert client.get("/staff/seller").status_code == 403
    assert 'href="/staff/seller"' not in client.get("/staff/").text


def test_the_demo_shops_invoices_show_a_seller_until_the_owner_saves_their_own(app, client):
    from jomso.invoices.demo import set_up_demo_seller
    from tests.invoices.helpers import text, us_order

    with app.app_context():
        assert set_up_demo_seller() is True
        assert set_up_demo_seller() is False  # saved once: never overwritten
    number = us_order(app, client)
    head = text(client.get(f"/orders/{number}/invoice").text.split('class="invoice-head"')[1])
    assert head.startswith("> Jomso Demo Shop 100 Market Street SAN FRANCISCO, CA 94105")
    assert "A demo shop: this invoice is a sample" in head
