"""Every string goes through gettext: extracting, translating and compiling a catalog changes
what the shop shows, and money follows the shop's locale and currency."""

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from jomso import create_app
from jomso.cli import init_schema
from jomso.extensions import babel
from tests.catalog.helpers import make_product

ROOT = Path(__file__).resolve().parents[1]


def _pybabel(*args: str) -> None:
    CommandLineInterface().run([sys.argv[0], "-q", *args])


def test_a_german_catalog_translates_the_shop(tmp_path, monkeypatch):
    pot = tmp_path / "messages.pot"
    monkeypatch.chdir(ROOT)
    _pybabel(
        "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
        "--ignore-dirs", ".venv migrations tests", "-o", str(pot), ".",
    )  # fmt: skip
    with pot.open("rb") as fh:
        catalog = read_po(fh)
    ids = {message.id for message in catalog if message.id}
    assert len(ids) > 1000
    assert {"Add to cart", "Cookies and your privacy", "Checkout"} <= ids

    translations = tmp_path / "translations"
    _pybabel("init", "-i", str(pot), "-d", str(translations), "-l", "de")
    po_path = translations / "de" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        german = read_po(fh)
    german["Add to cart"].string = "In den Warenkorb"
    with po_path.open("wb") as fh:
        write_po(fh, german)
    _pybabel("compile", "-d", str(translations))

    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'de.sqlite3'}",
            "LOCALE": "de_DE",
            "CURRENCY": "EUR",
            "BABEL_TRANSLATION_DIRECTORIES": str(translations),
        }
    )
    with app.app_context():
        init_schema()
    make_product(app, "Blue Mug", price_cents=1250)
    # Flask-Babel caches catalogs by locale for the process; other tests' apps use "de" too.
    with app.app_context():
        babel.domain_instance.cache.clear()
    try:
        page = app.test_client().get("/products/blue-mug").text
    finally:
        with app.app_context():
            babel.domain_instance.cache.clear()
    assert "In den Warenkorb" in page
    assert "12,50\xa0€" in page
