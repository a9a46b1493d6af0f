"""Starting the shop: what production refuses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jomso import create_app

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "ENV": "production",
    "SHOP_URL": "https://shop.example.com",
    "SESSION_COOKIE_SECURE": True,
    "ALLOW_DEMO_PAYMENTS": True,
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
