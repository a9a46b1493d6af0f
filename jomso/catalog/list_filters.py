"""The list page's filters, read from its query string (a GET form, so it works without
JavaScript): ``?in_stock=1`` and a price range ``?min=`` and ``?max=``, typed by a person in
the shop's currency units and locale ("10", "10.50", "10,50" in German).

A value that is not a price (letters, a negative number, a minimum above the maximum) gets a
message beside its field, is shown as typed, and does not filter the list: never a 500. The
page cache keys on what the values mean (``cache_key``), so "10" and "10.00" share a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from jomso.catalog.admin_forms import format_price_input, parse_price
from jomso.catalog.queries import NO_FILTER, ListFilter

IN_STOCK, MIN, MAX = "in_stock", "min", "max"
MAX_TYPED = 40  # characters of a price field kept: more is not a price


@dataclass
class RequestedFilters:
    """The filters a list applies, what its form shows back, the messages beside its fields,
    and the query parameters its links keep (the valid values, written the shop's way)."""

    filters: ListFilter = NO_FILTER
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    link_args: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.filters != NO_FILTER


def _price(args: Mapping[str, str], name: str) -> tuple[str, int | None, str]:
    """What was typed, the price in cents (None: empty or wrong) and the message if wrong."""
    typed = (args.get(name) or "").strip()[:MAX_TYPED]
    if not typed:
        return "", None, ""
    try:
        return typed, parse_price(typed, allow_zero=True), ""
    except ValueError as error:
        return typed, None, str(error)


def requested_filters(args: Mapping[str, str]) -> RequestedFilters:
    """The filters of a list page's query string; wrong values are left out, with a message."""
    in_stock = args.get(IN_STOCK) == "1"
    typed_min, min_cents, min_error = _price(args, MIN)
    typed_max, max_cents, max_error = _price(args, MAX)
    if min_cents is not None and max_cents is not None and min_cents > max_cents:
        max_cents = None
        max_error = _("The highest price must not be below the lowest.")
    result = RequestedFilters(
        filters=ListFilter(in_stock=in_stock, min_cents=min_cents, max_cents=max_cents),
        typed={MIN: typed_min, MAX: typed_max},
        errors={name: error for name, error in ((MIN, min_error), (MAX, max_error)) if error},
    )
    if in_stock:
        result.link_args[IN_STOCK] = "1"
    if min_cents is not None:
        result.link_args[MIN] = format_price_input(min_cents)
    if max_cents is not None:
        result.link_args[MAX] = format_price_input(max_cents)
    return result


def cache_key(args: Mapping[str, str]) -> tuple:
    """What the page makes of its filter parameters: the filters applied, and a wrong value
    as typed (the page shows it back with its message)."""
    found = requested_filters(args)
    wrong = tuple((name, found.typed[name]) for name in (MIN, MAX) if name in found.errors)
    applied = found.filters
    return (applied.in_stock, applied.min_cents, applied.max_cents, wrong)  # plain: JSON too
