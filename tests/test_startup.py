"""Starting the shop: what production refuses, and the private instance folder."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from jomso import create_app
from jomso.cli import init_schema
from jomso.extensions import db
from tests.accounts.helpers import register
from tests.catalog.helpers import make_product
from tests.orders.helpers import buy, order_number

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "ENV": "production",
    "SHOP_URL": "https://shop.example.com",
    "SESSION_COOKIE_SECURE": True,
    "ALLOW_DEMO_PAYMENTS": True,
    "SHOP_ADDRESS": "4 Harbour Row\nPortsmouth PO1 2AB",
    "SHOP_EMAIL": "privacy@teakettle.example",
}


@pytest.fixture(autouse=True)
def _own_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))


def _app(tmp_path, **settings):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}",
            **settings,
        }
    )


# -- Production ---------------------------------------------------------------------------------


def test_production_refuses_to_start_without_the_shop_url(tmp_path):
    with pytest.raises(RuntimeError, match="Refusing to start in production: JOMSO_SHOP_URL"):
        _app(tmp_path, **{**PRODUCTION, "SHOP_URL": ""})


def test_production_refuses_to_start_with_insecure_cookies(tmp_path):
    with pytest.raises(RuntimeError, match="JOMSO_SESSION_COOKIE_SECURE and JOMSO_REMEMBER_"):
        _app(tmp_path, **{**PRODUCTION, "SESSION_COOKIE_SECURE": False})


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"SHOP_ADDRESS": ""}, "JOMSO_SHOP_ADDRESS (the postal address) not set"),
        ({"SHOP_ADDRESS": "  \n "}, "JOMSO_SHOP_ADDRESS (the postal address) not set"),
        ({"SHOP_EMAIL": "shop@example.com"}, "JOMSO_SHOP_EMAIL (the contact address) not set"),
        ({"SHOP_EMAIL": ""}, "JOMSO_SHOP_EMAIL (the contact address) not set"),
    ],
)
def test_production_refuses_to_start_without_the_controllers_address_and_contact(
    tmp_path, settings, named
):
    with pytest.raises(RuntimeError, match="Refusing to start in production") as refused:
        _app(tmp_path, **{**PRODUCTION, **settings})
    assert named in str(refused.value)
    assert "who is responsible for customers' data" in str(refused.value)


def test_production_with_insecure_cookies_allowed_starts(tmp_path):
    app = _app(tmp_path, **{**PRODUCTION, "SESSION_COOKIE_SECURE": False},
               ALLOW_INSECURE_COOKIES=True)  # fmt: skip
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_production_with_its_settings_starts_with_both_cookies_secure(tmp_path):
    app = _app(tmp_path, **PRODUCTION)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_the_remember_cookie_setting_cannot_weaken_the_session_cookies(tmp_path):
    app = _app(tmp_path, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=False)
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_a_production_command_without_the_shop_url_exits_with_the_reason(tmp_path):
    env = {
        **os.environ,
        "JOMSO_INSTANCE_PATH": str(tmp_path / "instance"),
        "JOMSO_ENV": "production",
        "JOMSO_SESSION_COOKIE_SECURE": "true",
        "JOMSO_ALLOW_DEMO_PAYMENTS": "true",
        "JOMSO_SHOP_ADDRESS": "4 Harbour Row, Portsmouth PO1 2AB",
        "JOMSO_SHOP_EMAIL": "privacy@teakettle.example",
    }
    env.pop("JOMSO_SHOP_URL", None)
    env.pop("JOMSO_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "init-db"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Refusing to start in production: JOMSO_SHOP_URL is not set" in result.stderr
    assert not (tmp_path / "instance" / "jomso.sqlite3").exists()


# -- The instance folder ------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask():
    """The umask a shell usually leaves (022), whatever earlier tests set; put back after."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_everything_the_shop_writes_is_private_to_its_user(tmp_path, usual_umask):
    instance = tmp_path / "instance"
    app = create_app({"TESTING": True, "SERVER_NAME": "shop.test", "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            init_schema()  # the database in the instance folder, the generated secret key
        client = app.test_client()
        assert register(client).status_code == 200  # a confirmation mail in the outbox
        make_product(app, "Picture Frame", images=1)  # a picture stored
        order_number(buy(app, client)[0])  # a demo payment in the offline gateway's store
        made = {path.relative_to(instance).as_posix(): path for path in instance.rglob("*")}
        for name in ("jomso.sqlite3", "jomso.sqlite3-wal", "jomso.sqlite3-shm", "secret_key",
                     "offline-braintree.json", "outbox", "images"):  # fmt: skip
            assert name in made, sorted(made)
        assert any(name.endswith(".eml") for name in made)
        assert any(name.endswith(".webp") for name in made)
        assert _mode(instance) == 0o700
        opened = {name: oct(_mode(p)) for name, p in made.items() if _mode(p) & 0o077}
        assert opened == {}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_an_instance_folder_open_to_others_is_made_private(tmp_path, usual_umask):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    assert _mode(instance) == 0o755
    _app(tmp_path)
    assert _mode(instance) == 0o700
