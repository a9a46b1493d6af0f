"""Address forms in each country's way, without JavaScript: the fields follow the chosen country
(order, names, what is required) after "Show the fields for this country", the server checks
the address by the country's rules, and the address book prints it as the country writes it."""

from __future__ import annotations

from sqlalchemy import select

from jomso.accounts.models import Address, User
from jomso.extensions import db
from tests.accounts.helpers import address_rows, post_form, registered_customer

US = {
    "name": "Bea at Work",
    "line1": "1 Market Street",
    "line2": "",
    "city": "Chicago",
    "region": "IL",
    "postal_code": "60601",
    "country": "US",
}
NEW = "/account/addresses/new"


def _addresses(app) -> list[Address]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "bea@example.com"))
        return list(user.addresses)


def _names(rows):
    return [[name for name, _label in row] for row in rows]


def test_the_form_asks_in_the_shops_country_order_with_its_names(client):
    registered_customer(client)
    html = client.get(NEW).text
    rows = address_rows(html)
    # The country comes first: the fields below follow it.
    assert html.index('name="country"') < html.index('name="line1"')
    assert "Show the fields for this country" in html
    assert _names(rows) == [["line1"], ["line2"], ["city", "region", "postal_code"]]
    assert rows[2] == [("city", "City"), ("region", "State"), ("postal_code", "ZIP code")]
    assert "For example 95014" in html


def test_choosing_another_country_lays_the_form_out_for_it_and_saves_nothing(app, client):
    registered_customer(client)
    typed = {**US, "country": "DE", "city": "Berlin", "postal_code": "10115"}
    response = post_form(client, NEW, {**typed, "update_address": "country"})
    assert response.status_code == 200
    rows = address_rows(response.text)
    # Germany: postal code before the city, and no state.
    assert _names(rows) == [["line1"], ["line2"], ["postal_code", "city"]]
    assert rows[2] == [("postal_code", "Postal code"), ("city", "City")]
    # Nothing is checked or saved, everything typed is still there.
    assert 'class="error"' not in response.text
    for value in ("Bea at Work", "1 Market Street", "Berlin", "10115"):
        assert f'value="{value}"' in response.text
    assert '<option selected value="DE">' in response.text
    assert len(_addresses(app)) == 1  # only the one from the registration


def test_the_server_checks_the_address_by_its_country(app, client):
    registered_customer(client)
    response = post_form(client, NEW, {**US, "region": "", "postal_code": "6060"})
    assert response.status_code == 200
    assert 'id="region-error">Enter the state.</p>' in response.text
    assert 'id="postal_code-error">Check the code: it should look like 95014.' in response.text
    assert 'value="6060"' in response.text and 'value="Chicago"' in response.text

    german = {**US, "country": "DE", "region": "", "city": "", "postal_code": "ABC"}
    response = post_form(client, NEW, german)
    assert 'id="city-error">Enter the city.</p>' in response.text
    assert 'id="postal_code-error">Check the code: it should look like 26133.' in response.text
    assert 'value="ABC"' in response.text
    # Laid out for the country chosen, with the errors beside the fields.
    assert _names(address_rows(response.text))[2] == ["postal_code", "city"]
    assert len(_addresses(app)) == 1


def test_addresses_are_kept_tidy_and_printed_as_the_country_writes_them(app, client):
    registered_customer(client)
    post_form(client, NEW, {**US, "region": "illinois"})
    british = {**US, "name": "Bea in London", "line1": "10 Downing Street", "city": "London",
               "region": "", "postal_code": "sw1a 2aa", "country": "GB"}  # fmt: skip
    assert post_form(client, NEW, british).status_code == 302
    saved = {a.name: a for a in _addresses(app)}
    assert saved["Bea at Work"].region == "IL"
    assert saved["Bea in London"].postal_code == "SW1A 2AA"

    page = client.get("/account/addresses").text
    assert "1 Market Street<br>CHICAGO, IL 60601<br>United States" in page
    assert "10 Downing Street<br>LONDON<br>SW1A 2AA<br>United Kingdom" in page


def test_the_edit_form_is_laid_out_for_the_saved_address(app, client):
    registered_customer(client)
    post_form(client, NEW, {**US, "country": "DE", "region": "", "postal_code": "10115"})
    german = next(a for a in _addresses(app) if a.country == "DE")
    rows = address_rows(client.get(f"/account/addresses/{german.id}/edit").text)
    assert _names(rows)[2] == ["postal_code", "city"]
