"""Test helpers shared by every domain's tests: make accounts, sign in through the real form,
count the SQL statements a request runs, read a page's forms as a browser would send them."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import event, text

from jomso.accounts.registration import create_user
from jomso.extensions import db

PASSWORD = "correct horse battery staple"


def make_user(app, email="ann@example.com", password=PASSWORD, name="Ann Example", roles=()):
    """Create an account; returns its id."""
    with app.app_context():
        return create_user(email, password, name=name, roles=roles).id


def login(client, email="ann@example.com", password=PASSWORD, follow=False):
    """Sign in through the login form, CSRF token included, as a browser would."""
    from tests.conftest import csrf_token_from

    page = client.get("/account/login")
    return client.post(
        "/account/login",
        data={"email": email, "password": password, "csrf_token": csrf_token_from(page.text)},
        follow_redirects=follow,
    )


@contextmanager
def counting_statements(app):
    """Collects the SQL statements the app's engine runs inside the ``with`` block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def stored_bytes(app) -> bytes:
    """Everything the shop's database holds, to look for what must never be stored in it.
    SQLite: the bytes of the database file and its WAL (deleted rows included: secure_delete
    overwrites them). PostgreSQL: the text of every row of every table."""
    with app.app_context():
        engine = db.engine
        db.session.remove()
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        files = (path, Path(f"{path}-wal"))
        return b"".join(file.read_bytes() for file in files if file.exists())
    with engine.connect() as connection:
        tables = connection.scalars(
            text(
                "SELECT quote_ident(table_name) FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        ).all()
        rows = [
            row
            for table in tables
            for row in connection.scalars(text(f"SELECT t::text FROM {table} AS t"))  # noqa: S608
        ]
    assert rows, "the database holds nothing"
    return "\n".join(rows).encode()


@dataclass
class PageForm:
    """A ``<form>`` of a page: where it posts, what a browser would send as it stands (hidden
    and filled inputs, ticked boxes, chosen options, text areas), and the landmarks around it
    (``main``, ``footer``, ``header``, ``nav``)."""

    action: str
    method: str
    landmarks: tuple[str, ...]
    fields: dict[str, str] = field(default_factory=dict)


class _FormReader(HTMLParser):
    LANDMARKS = frozenset({"main", "footer", "header", "nav"})
    NOT_SENT = frozenset({"submit", "button", "reset", "image", "file"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._open: list[str] = []  # landmark elements we are inside
        self._form: PageForm | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag in self.LANDMARKS:
            self._open.append(tag)
        elif tag == "form":
            self._form = PageForm(
                action=a.get("action", ""),
                method=a.get("method", "get").lower(),
                landmarks=tuple(self._open),
            )
            self.forms.append(self._form)
        elif self._form is None or ("name" not in a and tag != "option"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in self.NOT_SENT or (kind in ("checkbox", "radio") and "checked" not in a):
                return
            self._form.fields[a["name"]] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields[a["name"]] = ""
        elif tag == "select":
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._form.fields[self._select] = value

    def handle_endtag(self, tag):
        if tag in self.LANDMARKS and self._open and self._open[-1] == tag:
            self._open.pop()
        elif tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            if self._select not in self._form.fields and self._first_option is not None:
                self._form.fields[self._select] = self._first_option
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None and self._form is not None:
            self._form.fields[self._textarea] += data


def forms_on(html: str) -> list[PageForm]:
    """The page's forms, in document order, each with the fields a browser would send."""
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def set_standard_shipping(app, price_cents=495, free_from_cents=5000):
    """The one method a new shop starts with (migration 0014: "Everywhere", "Standard
    shipping"), at another rate; ``free_from_cents=None``: never free."""
    from sqlalchemy import select

    from jomso.catalog.page_cache import raise_revision
    from jomso.shipping.models import MethodKind, ShippingMethod

    with app.app_context():
        method = db.session.scalar(
            select(ShippingMethod).where(ShippingMethod.name == "Standard shipping")
        )
        method.kind = MethodKind.FLAT if free_from_cents is None else MethodKind.FREE_ABOVE
        method.price_cents = price_cents
        method.free_from_cents = free_from_cents
        raise_revision()  # as shipping.editing does: the prices read the methods per revision
        db.session.commit()
