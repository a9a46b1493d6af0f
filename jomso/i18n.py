"""Language, money and dates, always through Babel for the visitor's language and the shop's
currency.

**The language** of a request is one of ``LANGUAGES``: the one the visitor chose in the footer
(the ``jomso_language`` cookie, a preference the visitor set, so it needs no analytics
consent), else the first of the browser's ``Accept-Language`` the shop offers, else the
language of ``LOCALE``. Its locale (``locale_for``) is ``LOCALE`` itself when that is in the
same language (``de_AT`` stays ``de_AT``), else the language in the shop's country when Babel
knows that pair (French in a ``de_CH`` shop: ``fr_CH``), else the language alone. Money,
numbers and dates follow that locale; the currency is always ``CURRENCY``. Mail is written in
the language of its reader where the shop knows it (an order's ``language``), else in the
shop's default (``mail_language``).

Dates have one style per context, named in ``DATE_STYLES``: templates and code say what a date
is for (``{{ order.created_at|datetime }}``, ``{{ policy.effective_date|date("document") }}``),
never how it looks, so the same kind of date looks the same everywhere and follows the locale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, dates, localedata
from babel.numbers import format_currency, get_currency_precision
from flask import Flask, abort, current_app, has_request_context, redirect, request, url_for
from flask_babel import (
    force_locale,
    format_decimal,
    format_percent,
    get_locale,
    to_user_timezone,
)
from jinja2 import pass_eval_context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from jomso.escaping import escaped_format
from jomso.extensions import babel
from jomso.security import is_safe_redirect
from jomso.translations import WTFORMS_MESSAGES, babel_namespace

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
    return _money(int(cents), currency or current_app.config["CURRENCY"], current_locale())


def money_formatter(currency: str | None = None) -> Callable[[int], str]:
    """``format_money`` for many amounts of one page: the currency and locale looked up once."""
    currency, locale = currency or current_app.config["CURRENCY"], current_locale()
    return lambda cents: _money(int(cents), currency, locale)


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


LANGUAGE_COOKIE = "jomso_language"
LANGUAGE_COOKIE_DAYS = 365


def offered_languages() -> list[str]:
    """The languages the shop offers (``LANGUAGES``, normalised by ``jomso.config``)."""
    return current_app.config["LANGUAGES"]


def default_language() -> str:
    """The language of ``LOCALE``: for visitors whose browser asks for none the shop offers,
    and for mail to someone whose language the shop does not know."""
    return _language_of(current_app.config["LOCALE"])


def locale_for(language: str) -> str:
    """The locale of pages in ``language`` (see the module's docstring)."""
    return _locale_for(language, current_app.config["LOCALE"])


@lru_cache(maxsize=64)
def _locale_for(language: str, shop_locale: str) -> str:
    shop = Locale.parse(shop_locale)
    if shop.language == language:
        return shop_locale
    if shop.territory and localedata.exists(f"{language}_{shop.territory}"):
        return f"{language}_{shop.territory}"
    return language


def request_language() -> str:
    """This request's language: the visitor's choice, their browser's, or the default."""
    return _chosen_language(
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("Accept-Language", ""),
        tuple(offered_languages()),
        default_language(),
    )


@lru_cache(maxsize=256)
def _chosen_language(chosen: str | None, accepted: str, offered: tuple, default: str) -> str:
    # Kept per header: parsing Accept-Language and matching it took 15 to 40 µs a request, and
    # browsers send a handful of different ones.
    if chosen in offered:
        return chosen
    return parse_accept_header(accepted, LanguageAccept).best_match(offered) or default


def current_locale() -> str:
    """The locale money, numbers and dates are written in now (``LOCALE`` outside requests).
    Its name is kept with the locale chosen (writing it out takes Babel 2 µs, and every
    amount on a page asks)."""
    namespace = babel_namespace()
    locale = getattr(namespace, "babel_locale", None)
    if locale is None:
        locale = get_locale()  # chosen now, and kept in the namespace by Flask-Babel
        if locale is None:
            return current_app.config["LOCALE"]
        namespace = babel_namespace()
    kept = getattr(namespace, "jomso_locale_name", None)
    if kept is None or kept[0] is not locale:  # a forced locale (a mail) is another
        kept = namespace.jomso_locale_name = (locale, str(locale))
    return kept[1]


def current_language() -> str:
    """The language of the page or mail being written (``de``, ``fr``...)."""
    return _language_of(current_locale())


@lru_cache(maxsize=64)
def _language_of(locale: str) -> str:
    return _parsed(locale).language


@contextmanager
def mail_language(language: str | None = None) -> Iterator[None]:
    """Write what is inside (a subject, a mail's templates) in ``language`` (the language an
    order was placed in), or in the shop's default language when it is unknown or no longer
    offered: not in the language of whoever's page sends it (a staff member)."""
    if language not in offered_languages():
        language = default_language()
    with force_locale(locale_for(language)):
        yield


def language_choices() -> list[tuple[str, str]]:
    """The footer's choice: each offered language named in itself ("Deutsch")."""
    return [(code, _language_name(code)) for code in offered_languages()]


@lru_cache(maxsize=64)
def _language_name(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def choose_language():
    """The footer's form (POST, CSRF checked by Flask-WTF): remember the language in the
    ``jomso_language`` cookie and go back to the page it was chosen on."""
    language = request.form.get("language", "")
    if language not in offered_languages():
        abort(400)
    target = request.form.get("next", "")
    response = redirect(target if is_safe_redirect(target) else url_for("catalog.home"), 303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )
    return response


def _select_locale() -> Locale:
    # A Locale made once per identifier: Flask-Babel takes it as it is, where parsing the
    # identifier again would look for its data file on every request.
    if not has_request_context():
        return _parsed(current_app.config["LOCALE"])
    return _parsed(locale_for(request_language()))


@lru_cache(maxsize=64)
def _parsed(identifier: str) -> Locale:
    return Locale.parse(identifier)


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=_select_locale)
    app.add_url_rule("/language", "choose_language", choose_language, methods=["POST"])

    @app.before_request
    def _kept_wtforms_messages():
        request.wtforms_translations = WTFORMS_MESSAGES  # what Flask-WTF looks for first

    @app.after_request
    def _vary_by_language(response):
        # A page answers in the language the browser asks for, or the cookie holds.
        if response.mimetype == "text/html":
            if "Vary" in response.headers:
                response.vary.update(("Accept-Language", "Cookie"))
            else:  # the usual case, without parsing and writing the header back twice
                response.headers["Vary"] = "Accept-Language, Cookie"
        return response

    # Globals, not a context processor: mail is rendered outside requests too.
    app.jinja_env.globals.update(
        current_language=current_language, language_choices=language_choices
    )

    app.jinja_env.filters["money"] = format_money
    # Two filters, for the two kinds of value; both take only the named styles.
    app.jinja_env.filters["date"] = lambda value, style="day": format_when(value, style)
    app.jinja_env.filters["datetime"] = lambda value, style="moment": format_when(value, style)
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["percent"] = lambda value: format_percent(value, "#,##0.#%")
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # The templates' _() and {% trans %}: newstyle (the text always a format string, its
    # values escaped), straight to the shop's one domain. Jinja's own callables reach the
    # translation through three calls of the template context (12 µs a string; 6 this way).
    # They take the evaluation context (is the output escaped?), not the template context:
    # a callable taking that, called in a loop or a block, is given a copy of the context
    # made for the call (10 to 15 µs, a dozen times on the cart page).
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
    )


def _translated(eval_ctx, text: str, variables: dict) -> str:
    if not variables and "%" not in text:
        # A text without values or a "%%" is itself (formatting it would only copy it).
        return Markup(text) if eval_ctx.autoescape else text  # noqa: S704 - the shop's catalog
    return escaped_format(text, variables) if eval_ctx.autoescape else text % variables


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables) -> str:
    text = babel.domain_instance.get_translations().ugettext(string)
    return _translated(eval_ctx, text, variables)


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = babel.domain_instance.get_translations().ungettext(singular, plural, num)
    return _translated(eval_ctx, text, variables)


@pass_eval_context
def _template_pgettext(eval_ctx, string_context: str, string: str, **variables) -> str:
    variables.setdefault("context", string_context)
    text = babel.domain_instance.get_translations().upgettext(string_context, string)
    return _translated(eval_ctx, text, variables)


@pass_eval_context
def _template_npgettext(
    eval_ctx, string_context: str, singular: str, plural: str, num: int, **variables
) -> str:
    variables.setdefault("context", string_context)
    variables.setdefault("num", num)
    translations = babel.domain_instance.get_translations()
    text = translations.unpgettext(string_context, singular, plural, num)
    return _translated(eval_ctx, text, variables)


__all__ = [
    "DATE_STYLES",
    "LANGUAGE_COOKIE",
    "cents_to_decimal",
    "current_language",
    "current_locale",
    "default_language",
    "format_money",
    "format_when",
    "init_i18n",
    "locale_for",
    "mail_language",
    "money_formatter",
    "offered_languages",
]
