"""The application skeleton: settings, secret key, health, errors, headers."""

import os
import stat

import pytest

from jomso import create_app


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_unknown_url_gets_shop_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert b"Back to the shop" in response.data


def test_security_headers(client):
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/healthz", base_url="https://shop.test")
    assert "max-age" in secure.headers["Strict-Transport-Security"]


def test_secret_key_generated_once_with_private_mode(tmp_path, monkeypatch):
    instance = tmp_path / "elsewhere"
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("JOMSO_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    first = create_app()
    key_file = instance / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    second = create_app()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert first.instance_path == str(instance)


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text('SHOP_NAME = "From File"\nCURRENCY = "EUR"\n')
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("JOMSO_SHOP_NAME", "From Env")
    monkeypatch.setenv("JOMSO_PRODUCTS_PER_PAGE", "30")
    app = create_app()
    assert app.config["SHOP_NAME"] == "From Env"
    assert app.config["CURRENCY"] == "EUR"
    assert app.config["PRODUCTS_PER_PAGE"] == 30
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("inst/jomso.sqlite3")


@pytest.mark.sqlite_only(reason="the connection settings jomso.database gives SQLite")
def test_sqlite_pragmas(app):
    from sqlalchemy import text

    from jomso.extensions import db

    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_init_db_is_idempotent(runner):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output


def test_logs_redact_personal_and_payment_data(caplog):
    import logging

    from jomso.logging_setup import init_logging

    init_logging(create_app({"TESTING": True, "SECRET_KEY": "x"}))
    logging.getLogger("jomso.test").warning(
        "mail to %s card %s nonce %s", "ann@example.com", "4111 1111 1111 1111", "fake-valid-nonce"
    )
    text = caplog.text
    assert "ann@example.com" not in text
    assert "4111" not in text
    assert "fake-valid-nonce" not in text


def test_hooks_and_views_run_as_they_are_and_a_coroutine_still_goes_to_flask(app):
    """``jomso.Shop.ensure_sync`` hands back a plain function or method without asking
    ``inspect``; a coroutine function is still Flask's to run (wrapped, or refused without
    Flask's async extra), never called as if it were a plain function."""

    def plain():
        return "plain"

    async def coroutine():
        return "coroutine"

    assert app.ensure_sync(plain) is plain
    bound = app.url_build_error_handlers.append  # a built-in: Flask's own path
    assert app.ensure_sync(bound) is bound
    method = app.make_response
    assert app.ensure_sync(method) is method
    try:
        wrapped = app.ensure_sync(coroutine)
    except RuntimeError as error:  # Flask without asgiref
        assert "async" in str(error)
    else:
        assert wrapped is not coroutine
