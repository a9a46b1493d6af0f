"""Addresses the way each country writes them (jomso/addresses.py, on Google's address data):
the fields a form asks for and in which order, what is required, postal codes, and addresses
printed as the country's mail expects them."""

from __future__ import annotations

import pytest

from jomso import addresses
from jomso.addresses import address_layout, address_lines, check_address, field_labels


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def _address(**parts) -> dict:
    return {
        "name": "Pat Buyer",
        "line1": "1 Harbour Road",
        "line2": "",
        "city": "Portland",
        "region": "OR",
        "postal_code": "97201",
        "country": "US",
        **parts,
    }


def test_the_address_data_ships_with_the_library_and_needs_no_network(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the address data must not be fetched")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    address_layout.cache_clear()
    addresses._parsed_data_file.cache_clear()
    assert address_layout("FR").rows  # read from the package's own files


@pytest.mark.parametrize(
    ("country", "rows"),
    [
        # US: city, state and ZIP code on one line, after the street.
        ("US", [("line1",), ("line2",), ("city", "region", "postal_code")]),
        # Germany: the postal code before the city, no state.
        ("DE", [("line1",), ("line2",), ("postal_code", "city")]),
        # United Kingdom: the post town, then the postcode on its own line.
        ("GB", [("line1",), ("line2",), ("city",), ("postal_code",)]),
        # Japan, as it writes addresses: postal code, prefecture, then the street.
        ("JP", [("postal_code",), ("region",), ("line1",), ("line2",)]),
        # A country the data does not know: every field, nothing lost.
        ("XX", [("line1",), ("line2",), ("city",), ("region",), ("postal_code",)]),
    ],
)
def test_each_country_has_its_fields_in_its_order(country, rows):
    assert [tuple(row) for row in address_layout(country).rows] == rows


def test_labels_and_required_fields_follow_the_country(request_context):
    us = field_labels(address_layout("US"))
    assert (us["region"], us["postal_code"], us["city"]) == ("State", "ZIP code", "City")
    gb = field_labels(address_layout("GB"))
    assert (gb["city"], gb["postal_code"]) == ("Post town", "Postal code")
    ie = field_labels(address_layout("IE"))
    assert ie["postal_code"] == "Eircode (optional)" and ie["region"] == "County (optional)"
    assert address_layout("US").required == {"line1", "city", "region", "postal_code"}
    assert address_layout("DE").required == {"line1", "city", "postal_code"}
    assert "city" not in address_layout("JP").required


@pytest.mark.parametrize(
    ("parts", "field", "message"),
    [
        ({"region": ""}, "region", "Enter the state."),
        ({"postal_code": ""}, "postal_code", "Enter the ZIP code."),
        ({"postal_code": "ABCDE"}, "postal_code", "Check the code: it should look like 95014."),
        ({"region": "Narnia"}, "region", "Not a name we know in this country"),
        ({"city": ""}, "city", "Enter the city."),
        ({"country": "DE", "postal_code": "1234"}, "postal_code", "it should look like 26133"),
        ({"country": "GB", "city": "", "postal_code": "EC1Y 8SY"}, "city", "Enter the post town."),
        ({"country": "CA", "postal_code": "12345", "region": "QC"}, "postal_code", "H3Z 2Y7"),
    ],
)
def test_bad_addresses_get_a_message_for_the_field(request_context, parts, field, message):
    check = check_address(_address(**parts))
    assert list(check.errors) == [field]
    assert message in check.errors[field]


@pytest.mark.parametrize(
    ("parts", "kept"),
    [
        ({}, {"region": "OR", "postal_code": "97201"}),
        ({"region": "oregon"}, {"region": "OR"}),  # the state's name: kept as USPS writes it
        ({"postal_code": "97201-1234"}, {"postal_code": "97201-1234"}),
        ({"country": "GB", "region": "", "postal_code": "sw1a 1aa"}, {"postal_code": "SW1A 1AA"}),
        # Germany has no states in its addresses: one typed before switching is dropped.
        ({"country": "DE", "region": "OR", "postal_code": "10115"}, {"region": ""}),
        # A prefecture typed in Latin letters stays in Latin letters.
        ({"country": "JP", "region": "tokyo", "postal_code": "154-0023"}, {"region": "Tokyo"}),
    ],
)
def test_good_addresses_pass_and_are_kept_tidy(request_context, parts, kept):
    check = check_address(_address(**parts))
    assert check.errors == {}
    assert {key: check.cleaned[key] for key in kept} == kept


@pytest.mark.parametrize(
    ("parts", "lines"),
    [
        (
            {},
            ["Pat Buyer", "1 Harbour Road", "PORTLAND, OR 97201", "United States"],
        ),
        (
            {"country": "DE", "city": "Berlin", "region": "", "postal_code": "10115",
             "line1": "Unter den Linden 1", "line2": "Hinterhaus"},
            ["Pat Buyer", "Unter den Linden 1", "Hinterhaus", "10115 BERLIN", "Germany"],
        ),
        (
            {"country": "GB", "city": "London", "region": "", "postal_code": "SW1A 1AA"},
            ["Pat Buyer", "1 Harbour Road", "LONDON", "SW1A 1AA", "United Kingdom"],
        ),
        (
            {"country": "FR", "city": "Paris", "region": "", "postal_code": "75007"},
            ["Pat Buyer", "1 Harbour Road", "75007 PARIS", "France"],
        ),
        (  # Written in Latin letters: Japan's Latin format, the name first.
            {"country": "JP", "city": "", "region": "Tokyo", "postal_code": "154-0023",
             "line1": "4-1 Wakabayashi, Setagaya-ku"},
            ["Pat Buyer", "4-1 Wakabayashi, Setagaya-ku, TOKYO", "154-0023", "Japan"],
        ),
        (  # Written in Japanese: Japan's own format, from the postal code to the name.
            {"name": "山田太郎", "country": "JP", "city": "", "region": "東京都",
             "postal_code": "154-0023", "line1": "世田谷区若林4-1"},
            ["〒154-0023", "東京都", "世田谷区若林4-1", "山田太郎", "Japan"],
        ),
    ],
)  # fmt: skip
def test_printed_addresses_follow_the_country(request_context, parts, lines):
    assert address_lines(_address(**parts)) == lines


def test_an_erased_address_prints_nothing(request_context):
    empty = dict.fromkeys(("name", "line1", "line2", "city", "region", "postal_code"), "")
    assert address_lines({**empty, "country": ""}) == []
