"""Language, money and dates, always through Babel for the shop's locale and currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, get_currency_precision
from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_decimal, format_percent

from jomso.extensions import babel


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


def format_day(value, fmt: str = "medium") -> str:
    """A date (or a datetime, in the shop's time zone) in the shop's locale."""
    if type(value) is date:  # no time zone to apply: the same text every time
        return _day(value, fmt, current_app.config["LOCALE"])
    return format_date(value, fmt)


@lru_cache(maxsize=4096)
def _day(value: date, fmt: str, locale: str) -> str:
    return babel_format_date(value, fmt, locale=locale)


def cents_to_decimal(cents: int, currency: str | None = None) -> Decimal:
    """The amount as a Decimal in major units, for payment gateways and forms."""
    currency = currency or current_app.config["CURRENCY"]
    return Decimal(int(cents)).scaleb(-get_currency_precision(currency))


def _select_locale() -> str:
    return current_app.config["LOCALE"]


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=_select_locale)
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["date"] = format_day
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt)
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["percent"] = lambda value: format_percent(value, "#,##0.#%")
    app.jinja_env.add_extension("jinja2.ext.i18n")


__all__ = ["cents_to_decimal", "format_day", "format_money", "init_i18n"]
