"""The shop in the customer's language: every message translated in every shipped catalog,
the language chosen from the browser or the footer, remembered in a cookie, cached per
language, and order mail in the language the order was placed in."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, default_directory_filter, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from jomso.catalog import page_cache
from jomso.extensions import db
from jomso.i18n import LANGUAGE_COOKIE, format_money, mail_language
from jomso.orders import emails
from jomso.translations import SHIPPED, catalog_path
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.mailbox import clear_outbox, last_message, text_of
from tests.orders.helpers import buy, get_order, order_number

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_LANGUAGES = ("de", "fr", "es")
GERMAN = "de-DE,de;q=0.9,en;q=0.5"

_PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[sdifr]|\{(\w+)\}")


@cache
def source_messages() -> dict[str, tuple[str, ...]]:
    """Every message of the shop's source (as ``pybabel extract`` with the documented
    options finds them): the msgid, and its forms (one, or singular and plural)."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    ignored = {".venv", "migrations", "tests"}

    def wanted(path: str) -> bool:
        return Path(path).name not in ignored and default_directory_filter(path)

    messages: dict[str, tuple[str, ...]] = {}
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords, directory_filter=wanted
    ):
        forms = tuple(message) if isinstance(message, tuple | list) else (message,)
        if forms[0]:
            messages[forms[0]] = forms
    return messages


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in _PLACEHOLDER.findall(text)}


def test_the_extraction_finds_the_shop_s_messages():
    messages = source_messages()
    assert len(messages) > 1500
    assert {"Add to cart", "Cookies and your privacy", "Checkout"} <= set(messages)
    assert messages["%(count)s order"] == ("%(count)s order", "%(count)s orders")


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_every_message_is_translated(language):
    path = catalog_path(SHIPPED, language)
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    problems = []
    for msgid, forms in source_messages().items():
        entry = catalog.get(forms if len(forms) > 1 else msgid)
        if entry is None or not entry.id:
            problems.append(f"missing: {msgid!r}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        if len(forms) > 1 and len(strings) != catalog.num_plurals:
            problems.append(f"{len(strings)} plural forms, not {catalog.num_plurals}: {msgid!r}")
        if not all(strings):
            problems.append(f"untranslated: {msgid!r}")
            continue
        wanted = set().union(*(placeholders(form) for form in forms))
        found = [placeholders(string) for string in strings]
        if len(forms) == 1 and found[0] != wanted:
            problems.append(f"placeholders {sorted(found[0])} for {sorted(wanted)}: {msgid!r}")
        elif len(forms) > 1 and (
            not all(f <= wanted for f in found) or set().union(*found) != wanted
        ):
            problems.append(f"plural placeholders differ from the source's: {msgid!r}")
    assert not problems, f"{len(problems)} problems in {language}:\n" + "\n".join(problems[:60])


def test_the_placeholder_check_can_fail():
    assert placeholders("Hello %(name)s, %(num)d {count} items") == {"name", "num", "count"}
    assert placeholders("Hallo %(nam)s") != placeholders("Hello %(name)s")


def test_the_browser_s_language_is_used_among_those_offered(app, client):
    make_product(app, "Blue Mug", price_cents=1250)
    german = client.get("/products/blue-mug", headers={"Accept-Language": GERMAN})
    assert '<html lang="de">' in german.text
    assert "12,50\xa0$" in german.text  # German numbers, the shop's currency
    assert "Accept-Language" in german.headers["Vary"]
    assert "In den Warenkorb" in german.text
    # Italian is not offered: the first offered one the browser accepts, else the default.
    assert '<html lang="fr">' in client.get("/", headers={"Accept-Language": "it, fr;q=0.5"}).text
    english = client.get("/products/blue-mug", headers={"Accept-Language": "it"}).text
    assert '<html lang="en">' in english and "$12.50" in english
    app.config["LANGUAGES"] = ["en", "fr"]
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": GERMAN}).text


def test_wtforms_own_messages_follow_each_request_s_language(app):
    """WTForms' messages (kept per language in the process, not read again in each request)
    are in the visitor's language, request after request, and in a mail's forced one."""

    class Needed(FlaskForm):
        thing = StringField(validators=[DataRequired()])

    def message(language: str) -> str:
        headers = {"Accept-Language": language}
        with app.test_request_context("/contact", headers=headers):
            app.preprocess_request()
            form = Needed(meta={"csrf": False})
            assert not form.validate()
            with mail_language("fr"):
                assert Needed(meta={"csrf": False}).validate() is False
                forced = form.meta.get_translations(form).gettext("This field is required.")
            return f"{form.thing.errors[0]} | {forced}"

    assert message(GERMAN) == "Dieses Feld wird benötigt. | Ce champ est requis."
    assert message("en") == "This field is required. | Ce champ est requis."
    assert message("es").startswith("Este campo es obligatorio.")


def test_the_footer_switches_the_language_and_the_cookie_remembers_it(app, client):
    make_product(app, "Blue Mug", price_cents=1250)
    page = client.get("/products/blue-mug?picture=1").text
    assert '<option value="de" lang="de">Deutsch</option>' in page
    form = {"csrf_token": csrf_token_from(page), "language": "de"}
    response = client.post("/language", data={**form, "next": "/products/blue-mug?picture=1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/products/blue-mug?picture=1"
    cookie = client.get_cookie(LANGUAGE_COOKIE, domain="shop.test")
    assert cookie.value == "de" and cookie.http_only and cookie.expires is not None
    # The choice wins over the browser's language, on every page after.
    again = client.get("/products/blue-mug", headers={"Accept-Language": "en"}).text
    assert '<html lang="de">' in again and "In den Warenkorb" in again
    assert '<option value="de" lang="de" selected>' in again
    # Back to English; another site's address is not followed.
    response = client.post("/language", data={**form, "language": "en", "next": "//evil.test"})
    assert response.headers["Location"] == "/"
    assert client.get_cookie(LANGUAGE_COOKIE, domain="shop.test").value == "en"


def test_the_switch_refuses_a_forged_or_unknown_choice(app, client):
    page = client.get("/").text
    token = csrf_token_from(page)
    assert client.post("/language", data={"language": "de", "next": "/"}).status_code == 400
    unknown = client.post("/language", data={"csrf_token": token, "language": "xx"})
    assert unknown.status_code == 400
    assert client.get_cookie(LANGUAGE_COOKIE, domain="shop.test") is None


def test_the_language_cookie_is_listed_as_a_preference_without_consent(client):
    cookies = client.get("/cookies").text
    assert "<code>jomso_language</code>" in cookies
    assert "without asking for your consent" in cookies
    assert "<code>jomso_language</code>" in client.get("/privacy").text
    # Choosing a language sets no analytics cookie and records no consent.
    token = csrf_token_from(cookies)
    client.post("/language", data={"csrf_token": token, "language": "de", "next": "/"})
    assert (
        client.get_cookie("jomso_vid", domain="shop.test") is None
        and client.get_cookie("jomso_consent", domain="shop.test") is None
    )


def test_the_page_cache_keeps_one_page_per_language(app, client):
    make_product(app, "Blue Mug", price_cents=1250)
    english = client.get("/products/blue-mug").text
    german = client.get("/products/blue-mug", headers={"Accept-Language": GERMAN}).text
    assert "Add to cart" in english and "In den Warenkorb" in german
    # Served from the cache now: each language its own page.
    with app.app_context():
        pages = app.extensions["jomso.page_cache"]._pages
        assert {key[3] for key in pages if key[0] == "catalog.product_detail"} == {"en", "de"}
    assert "Add to cart" in client.get("/products/blue-mug").text
    german_again = client.get("/products/blue-mug", headers={"Accept-Language": GERMAN}).text
    assert "In den Warenkorb" in german_again and "Add to cart" not in german_again
    assert page_cache.MAX_PAGES > 0


def test_order_mail_is_in_the_language_the_order_was_placed_in(app, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = GERMAN
    response, _product = buy(app, client, price_cents=1250)
    number = order_number(response)
    order = get_order(app, number)
    assert order.language == "de"
    confirmation = last_message(app, order.email)
    assert confirmation["Subject"] == f"Ihre Bestellung {number} ist bestätigt"
    assert "12,50\xa0$" in text_of(confirmation)
    # Sent later without a request (a command, or staff in English): still German.
    clear_outbox(app)
    with app.app_context():
        from jomso.orders.models import Order

        emails.send_shipped(db.session.get(Order, order.id))
        db.session.commit()
    # (nothing shipped yet, so the units are still to come: the email of a parcel)
    subject = last_message(app, order.email)["Subject"]
    assert subject == f"Ein Paket Ihrer Bestellung {number} ist unterwegs"


_POLICY_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
POLICY = ROOT / "jomso" / "privacy" / "initial_policy.md"


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_the_shipped_privacy_policy_is_translated(language):
    """The first version a shop stores is in its default language, with the same placeholders
    and the same headings as the English one."""
    path = POLICY.with_suffix(f".{language}.md")
    english, translated = POLICY.read_text(), path.read_text()
    assert _POLICY_PLACEHOLDER.findall(translated) == _POLICY_PLACEHOLDER.findall(english)
    headings = [line.split(" ")[0] for line in english.splitlines() if line.startswith("#")]
    assert [line.split(" ")[0] for line in translated.splitlines() if line.startswith("#")] == (
        headings
    )


def test_a_german_shop_starts_with_the_german_policy(app, client):
    app.config.update(LOCALE="de_DE", BABEL_DEFAULT_LOCALE="de_DE")
    page = client.get("/privacy").text
    assert "betreibt diesen Online-Shop" in page and '<html lang="de">' in page
    # An English visitor reads the shop's own (German) policy, in an English page.
    english = client.get("/privacy", headers={"Accept-Language": "en"}).text
    assert '<html lang="en">' in english and "betreibt diesen Online-Shop" in english


def test_a_mail_s_language_writes_its_strings_and_amounts_then_the_page_s_again(app):
    """The translations and the locale's name are kept with the locale chosen for the request;
    a mail's forced language is another locale, and the page's comes back after it."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        app.preprocess_request()
        page = (format_money(123456), gettext("Your cart"))
        assert page == ("$1,234.56", "Your cart")
        with mail_language("de"):
            mail = (format_money(123456), gettext("Your cart"))
            assert mail == ("1.234,56\xa0$", "Ihr Warenkorb")
        assert (format_money(123456), gettext("Your cart")) == page
