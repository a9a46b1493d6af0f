"""Language, money and dates, always through Babel for the shop's locale and currency.

Dates have one style per context, named in ``DATE_STYLES``: templates and code say what a date
is for (``{{ order.created_at|datetime }}``, ``{{ policy.effective_date|date("document") }}``),
never how it looks, so the same kind of date looks the same everywhere and follows the locale.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import dates
from babel.numbers import format_currency, get_currency_precision
from flask import Flask, current_app
from flask_babel import format_decimal, format_percent, get_locale, to_user_timezone

from jomso.extensions import babel

# The date styles, by context (examples in en_US; each follows the shop's locale and timezone):
# "day"       a calendar day in lists and sentences: "Mar 1, 2026"
# "document"  a document's date, written out (the privacy policy): "March 1, 2026"
# "moment"    when something happened, on a page or in mail (an order's header and its
#             timeline both): "Mar 1, 2026, 3:04 PM"
# "compact"   a time in a dense staff table, one per row: "3/1/26, 3:04 PM"
# "axis"      a day under a chart's bar: "Mar 1"
# "month"     a month under a chart's bar, or a month's row: "Mar 2026"
# "weekday"   the day of the week, in a sentence: "Sunday"
DATE_STYLES = ("day", "document", "moment", "compact", "axis", "month", "weekday")


def format_money(cents: int, currency: str | None = None) -> str:
    """Format an integer amount of minor units (cents) in the shop's currency and locale."""
    config = current_app.config
    return _money(int(cents), currency or config["CURRENCY"], config["LOCALE"])


# Babel takes a tenth of a millisecond or more per amount; a page of figures shows hundreds,
# and the same amounts again on every view.
@lru_cache(maxsize=16384)
def _money(cents: int, currency: str, locale: str) -> str:
    amount = Decimal(cents).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency, locale=locale)


def cents_to_decimal(cents: int, currency: str | None = None) -> Decimal:
    """The amount as a Decimal in major units, for payment gateways and forms."""
    currency = currency or current_app.config["CURRENCY"]
    return Decimal(int(cents)).scaleb(-get_currency_precision(currency))


def format_when(value: date | datetime | None, style: str) -> str:
    """``value`` in the named style of ``DATE_STYLES`` (a ValueError for any other name), in
    the shop's locale; a datetime is first moved to the shop's timezone (naive means UTC)."""
    if style not in DATE_STYLES:
        raise ValueError(f"unknown date style {style!r}: use one of {sorted(DATE_STYLES)}")
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _format_moment(to_user_timezone(value), style, str(get_locale()))
    # A calendar day has no time zone to apply: the same text every time (a page of figures
    # shows hundreds of days, and the same ones on every view).
    return _format_day(value, style, str(get_locale()))


@lru_cache(maxsize=4096)
def _format_day(value: date, style: str, locale: str) -> str:
    if style == "document":
        return dates.format_date(value, "long", locale=locale)
    if style == "axis":
        return dates.format_skeleton("MMMd", value, locale=locale)
    if style == "month":
        return dates.format_skeleton("yMMM", value, locale=locale)
    if style == "weekday":
        return dates.format_date(value, "EEEE", locale=locale)
    return dates.format_date(value, "medium", locale=locale)  # day, and a day's moment


def _format_moment(value: datetime, style: str, locale: str) -> str:
    if style in ("day", "document", "axis", "month", "weekday"):
        return _format_day(value.date(), style, locale)
    if style == "compact":
        return dates.format_datetime(value, "short", tzinfo=value.tzinfo, locale=locale)
    # "moment": the day as in "day", the time without seconds, joined the locale's way.
    joined = dates.get_datetime_format("medium", locale=locale)
    day = dates.format_date(value, "medium", locale=locale)
    time = dates.format_time(value, "short", tzinfo=value.tzinfo, locale=locale)
    return joined.replace("{1}", day).replace("{0}", time)


def _select_locale() -> str:
    return current_app.config["LOCALE"]


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=_select_locale)
    app.jinja_env.filters["money"] = format_money
    # Two filters, for the two kinds of value; both take only the named styles.
    app.jinja_env.filters["date"] = lambda value, style="day": format_when(value, style)
    app.jinja_env.filters["datetime"] = lambda value, style="moment": format_when(value, style)
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["percent"] = lambda value: format_percent(value, "#,##0.#%")
    app.jinja_env.add_extension("jinja2.ext.i18n")


__all__ = ["DATE_STYLES", "cents_to_decimal", "format_money", "format_when", "init_i18n"]
