"""Helpers for the account tests: drive the real forms, read the links sent by mail."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from sqlalchemy import select

from jomso import create_app
from jomso.accounts.models import Phone, User
from jomso.accounts.validation import normalize_phone
from jomso.cli import init_schema
from jomso.extensions import db
from tests.conftest import csrf_token_from
from tests.mailbox import last_message, link_to

GOOD_PASSWORD = "ochre walrus juggles lanterns"


def build_app(tmp_path, monkeypatch, **settings):
    """An app like the ``app`` fixture's, with some settings changed (rate limits on, a shop
    name...). Pair with ``dispose_app``."""
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'custom.sqlite3'}",
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "shop.test",
            **settings,
        }
    )
    with app.app_context():
        init_schema()
    return app


def dispose_app(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def registration(**overrides) -> dict:
    """A complete, valid registration form."""
    data = {
        "name": "Bea Customer",
        "email": "bea@example.com",
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
        "accept_policy": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_form(client, url, data, page_url=None, **kwargs):
    """GET the page holding the form, then POST ``data`` with its CSRF token."""
    page = client.get(page_url or url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={**data, "csrf_token": csrf_token_from(page.text)}, **kwargs)


def register(client, **overrides):
    return post_form(client, "/account/register", registration(**overrides))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def mailed_path(app, to: str, fragment: str) -> str:
    """The path of the newest link containing ``fragment`` mailed to ``to``."""
    return path_of(link_to(last_message(app, to=to), fragment))


def confirm(client, email="bea@example.com"):
    return client.get(mailed_path(client.application, email, "/account/confirm/"))


def sign_in(client, email="bea@example.com", password=GOOD_PASSWORD, remember=False):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return post_form(client, "/account/login", data)


def sign_out(client):
    page = client.get("/account")
    return client.post("/account/logout", data={"csrf_token": csrf_token_from(page.text)})


def session_id(client) -> str:
    """What the signed session cookie carries for Flask-Login: ``<id>:<version>:<token>``."""
    app = client.application
    with app.test_request_context():
        cookie = client.get_cookie("jomso_session", domain="shop.test").value
        return app.session_interface.get_signing_serializer(app).loads(cookie)["_user_id"]


# What a customer adds after signing up (registration asks for none of it): a phone in the
# profile and an address in the address book. ``registered_customer`` takes these overrides too.
CONTACT = {
    "phone": "(202) 555-0143",
    "other_phones-0": "",
    "line1": "12 Orchard Lane",
    "line2": "Flat 3",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62704",
    "country": "US",
}


def registered_customer(client, **overrides) -> str:
    """Register through the form (which signs in), confirm from the outbox, and add a phone
    and a billing address the way a customer does after signing up (``CONTACT``, changed by
    the overrides of the same names); returns the email."""
    contact = {k: overrides.pop(k) for k in list(overrides) if k in CONTACT}
    email = overrides.get("email", "bea@example.com")
    response = register(client, **overrides)
    assert response.status_code == 200 and "Check your email" in response.text
    assert client.get("/account").status_code == 200, "registering did not sign in"
    confirm(client, email)
    add_contact_details(client, email, overrides.get("name", "Bea Customer"), **contact)
    return email


def add_contact_details(client, email: str, name: str, **overrides) -> None:
    """The signed-in customer's phones (stored directly: the profile form would also send its
    new-product emails choice) and an address, both defaults, through the address book."""
    data = {**CONTACT, **overrides}
    phones = [data.pop("phone"), data.pop("other_phones-0")]
    with client.application.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        numbers = dict.fromkeys(normalize_phone(n, data["country"]) for n in phones if n)
        user.phones = [Phone(number=n, position=i) for i, n in enumerate(numbers)]
        db.session.commit()
    response = post_form(
        client,
        "/account/addresses/new",
        {**data, "name": name, "default_billing": "y", "default_shipping": "y"},
    )
    assert response.status_code == 302, response.text


class _AddressReader(HTMLParser):
    """The address parts of a page (``data-address-part``) in document order: for each
    address form, rows of (field name, label text), the hidden parts left out."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[list[tuple[str, str]]]] = []
        self._depth = 0
        self._row_depth = None  # depth of the open form-row, if any
        self._part = None  # (name, hidden) of the open part
        self._label = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "br", "meta", "link", "img"):
            return
        self._depth += 1
        if "data-address-fields" in a:
            self.forms.append([])
        elif "form-row" in (a.get("class") or "").split() and self.forms:
            self._row_depth = self._depth
            self.forms[-1].append([])
        elif "data-address-part" in a:
            self._part = (a["data-address-part"], "hidden" in a)
        elif tag == "label" and self._part is not None:
            self._label = ""

    def handle_endtag(self, tag):
        if tag in ("input", "br", "meta", "link", "img"):
            return
        if tag == "label" and self._label is not None:
            name, hidden = self._part
            if not hidden:
                if self._row_depth is None:
                    self.forms[-1].append([])
                self.forms[-1][-1].append((name, self._label.strip()))
            self._label, self._part = None, None
        if self._row_depth == self._depth:
            self._row_depth = None
        self._depth -= 1

    def handle_data(self, data):
        if self._label is not None:
            self._label += data


def address_rows(html: str, form: int = 0) -> list[list[tuple[str, str]]]:
    """The visible address fields of the page's ``form``-th address form, row by row, each
    as (field name, label)."""
    reader = _AddressReader()
    reader.feed(html)
    return reader.forms[form]
