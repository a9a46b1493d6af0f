"""Language, money and dates, always through Babel for the shop's locale and currency."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision
from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_decimal, format_percent

from jomso.extensions import babel


def format_money(cents: int, currency: str | None = None) -> str:
    """Format an integer amount of minor units (cents) in the shop's currency and locale."""
    currency = currency or current_app.config["CURRENCY"]
    amount = Decimal(int(cents)).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency, locale=current_app.config["LOCALE"])


def cents_to_decimal(cents: int, currency: str | None = None) -> Decimal:
    """The amount as a Decimal in major units, for payment gateways and forms."""
    currency = currency or current_app.config["CURRENCY"]
    return Decimal(int(cents)).scaleb(-get_currency_precision(currency))


def _select_locale() -> str:
    return current_app.config["LOCALE"]


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=_select_locale)
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt)
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt)
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["percent"] = lambda value: format_percent(value, "#,##0.#%")
    app.jinja_env.add_extension("jinja2.ext.i18n")


__all__ = ["cents_to_decimal", "format_money", "init_i18n"]
