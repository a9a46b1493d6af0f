"""``flask --app app doctor`` (jomso/doctor/): every production check with OK, WARN or FAIL, and
exit status 1 on any FAIL. Run through the app's own CLI runner on real files and databases."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update

from jomso import create_app
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import OutgoingMail, send_mail
from jomso.schema import head_revision
from tests import services

# The newest migration: what init-db migrates to and doctor expects.

READY = {
    "ENV": "production",
    "SHOP_URL": "https://shop.lantern-crafts.net",
    "TRUSTED_HOSTS": ["shop.lantern-crafts.net"],
    "SHOP_EMAIL": "orders@lantern-crafts.net",
    "SHOP_ADDRESS": "Lantern Crafts, 4 Mill Lane, Bristol BS1 4DJ",
    "SESSION_COOKIE_SECURE": True,
    "PROXY_FIX": 1,
    "MAIL_SERVER": "smtp.lantern-crafts.net",
    "MAIL_USERNAME": "shop",
    "MAIL_PASSWORD": "smtp-password-not-shown",
    "MAIL_DELIVERY": "cron",
    "BRAINTREE_ENVIRONMENT": "production",
    "BRAINTREE_MERCHANT_ID": "merchant42",
    "BRAINTREE_PUBLIC_KEY": "public-key",
    "BRAINTREE_PRIVATE_KEY": "braintree-private-key-not-shown",
}


def head(app) -> str:
    """The newest migration this code knows."""
    with app.app_context():
        return head_revision()


def backup_name(when: datetime) -> str:
    return f"jomso-backup-{when.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"


@pytest.fixture
def make_shop(tmp_path, monkeypatch, sqlite_schema_file):
    """An app on a copy of the migrated schema, with ``READY``'s settings changed by the
    arguments, and a backup folder holding one backup made an hour ago."""
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / backup_name(datetime.now(UTC) - timedelta(hours=1))).write_bytes(b"archive")
    apps = []

    def make(**changes):
        monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
        database = tmp_path / "shop.sqlite3"
        if not database.exists():
            shutil.copyfile(sqlite_schema_file, database)
        settings = {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{database}",
            "BACKUP_DIR": str(backups),
            **READY,
            **changes,
        }
        app = create_app({k: v for k, v in settings.items() if v is not None})
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def doctor(app) -> tuple[int, list[tuple[str, str, str]]]:
    """The exit code and the (status, area, message) of each line but the summary."""
    result = app.test_cli_runner().invoke(args=["doctor"])
    lines = result.output.strip().splitlines()
    rows = []
    for line in lines[:-1]:
        status, area, message = line.split(maxsplit=2)
        rows.append((status, area, message))
    assert lines[-1].endswith("OK"), lines[-1]  # the summary: "N FAIL, N WARN, N OK"
    return result.exit_code, rows


def statuses(rows, area: str) -> list[str]:
    return [status for status, where, _message in rows if where == area]


def test_a_shop_ready_for_production_passes_every_check(make_shop):
    app = make_shop()
    code, rows = doctor(app)
    assert code == 0
    assert {status for status, _area, _message in rows} == {"OK"}
    areas = [area for _status, area, _message in rows]
    for area in ("settings", "instance", "https", "mail", "payments", "backups", "database"):
        assert area in areas
    messages = dict((area, message) for _status, area, message in rows)
    assert messages["payments"] == "Braintree production, merchant merchant42"
    assert f"schema at {head(app)}" in messages["database"]
    assert "hours old" in messages["backups"]
    output = " ".join(message for _s, _a, message in rows)
    assert "not-shown" not in output  # no password, no key


def test_a_development_shop_fails_with_what_to_set(make_shop):
    code, rows = doctor(
        make_shop(
            ENV="development",
            SHOP_URL=None,
            SESSION_COOKIE_SECURE=False,
            MAIL_SERVER=None,
            BRAINTREE_MERCHANT_ID=None,
            BACKUP_DIR=None,
            TRUSTED_HOSTS=None,
            PROXY_FIX=0,
        )
    )
    assert code == 1
    settings_failed = " ".join(m for s, a, m in rows if (s, a) == ("FAIL", "settings"))
    for what_to_set in ("JOMSO_ENV=production", "JOMSO_SHOP_URL", "SESSION_COOKIE_SECURE"):
        assert what_to_set in settings_failed
    assert "WARN" in statuses(rows, "settings")  # TRUSTED_HOSTS
    assert statuses(rows, "https") == ["FAIL", "WARN"]  # no SHOP_URL, PROXY_FIX 0
    assert "FAIL" in statuses(rows, "mail")
    assert statuses(rows, "payments") == ["FAIL"]
    assert statuses(rows, "backups") == ["FAIL"]  # none in instance/backups
    assert statuses(rows, "database") == ["OK"]


def test_plain_http_sandbox_and_allowed_demo_payments(make_shop):
    plain = make_shop(SHOP_URL="http://shop.lantern-crafts.net", ALLOW_INSECURE_COOKIES=True)
    code, rows = doctor(plain)
    assert code == 1 and statuses(rows, "https") == ["FAIL"]
    assert "WARN" in statuses(rows, "settings")
    code, rows = doctor(make_shop(BRAINTREE_ENVIRONMENT="sandbox"))
    assert code == 0 and statuses(rows, "payments") == ["WARN"]
    code, rows = doctor(make_shop(BRAINTREE_MERCHANT_ID=None, ALLOW_DEMO_PAYMENTS=True))
    assert code == 0 and statuses(rows, "payments") == ["WARN"]


def test_an_instance_folder_or_secret_open_to_others_fails(make_shop):
    app = make_shop()
    instance = Path(app.instance_path)
    secret = instance / "secret_key"
    secret.write_text("x")
    os.chmod(secret, 0o600)
    assert doctor(app)[0] == 0
    os.chmod(secret, 0o640)
    code, rows = doctor(app)
    assert code == 1
    assert any("secret_key (0640)" in m for s, a, m in rows if (s, a) == ("FAIL", "instance"))
    os.chmod(secret, 0o600)
    os.chmod(instance, 0o755)  # noqa: S103  (the mistake doctor must catch)
    code, rows = doctor(app)
    assert code == 1 and statuses(rows, "instance") == ["FAIL"]
    os.chmod(instance, 0o750)  # noqa: S103
    code, rows = doctor(app)
    assert code == 0 and statuses(rows, "instance") == ["WARN"]
    os.chmod(instance, 0o700)
    (instance / "orders.csv").write_text("exported")
    os.chmod(instance / "orders.csv", 0o644)
    code, rows = doctor(app)
    assert code == 1 and any("orders.csv (0644)" in m for _s, _a, m in rows)


def test_backups_must_be_less_than_a_day_old(make_shop, tmp_path):
    backups = tmp_path / "backups"
    for old in backups.iterdir():
        old.unlink()
    app = make_shop()
    code, rows = doctor(app)
    assert code == 1 and any("no backup in" in m for s, a, m in rows if a == "backups")
    (backups / backup_name(datetime.now(UTC) - timedelta(hours=30))).write_bytes(b"old")
    (backups / "jomso-backup-notes.txt").write_text("not a backup")
    code, rows = doctor(app)
    assert code == 1
    assert any("is 30 hours old" in m for s, a, m in rows if (s, a) == ("FAIL", "backups"))
    (backups / backup_name(datetime.now(UTC) - timedelta(minutes=5))).write_bytes(b"new")
    code, rows = doctor(app)
    assert code == 0 and statuses(rows, "backups") == ["OK"]
    code, rows = doctor(make_shop(BACKUP_DIR=str(tmp_path / "nowhere")))
    assert code == 1 and any("no backup in" in m for _s, _a, m in rows)


def test_mail_nobody_sends_fails(make_shop):
    app = make_shop()
    with app.test_request_context():
        send_mail("ann@example.com", "Hello", "account_deleted")
        db.session.commit()
        db.session.execute(
            update(OutgoingMail).values(next_attempt_at=utcnow() - timedelta(minutes=45))
        )
        db.session.commit()
    code, rows = doctor(app)
    assert code == 1
    failed = [m for s, a, m in rows if (s, a) == ("FAIL", "mail")]
    assert failed and "45 minutes" in failed[0] and "jomso-mail.timer" in failed[0]


def test_a_schema_behind_the_code_fails_until_init_db(make_shop):
    app = make_shop()
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '0002'"))
        db.session.commit()
    code, rows = doctor(app)
    assert code == 1
    assert any(
        f"schema at 0002, this version needs {head(app)}" in m
        for s, a, m in rows
        if (s, a) == ("FAIL", "database")
    )
    with app.app_context():
        newest = {"head": head_revision()}
        db.session.execute(text("UPDATE alembic_version SET version_num = :head"), newest)
        db.session.commit()
    assert doctor(app)[0] == 0


def test_redis_is_checked_when_set(make_shop, redis_url):
    code, rows = doctor(make_shop(REDIS_URL=redis_url))
    assert code == 0 and ("OK", "redis", "answers") in rows
    closed = f"redis://:redis-password@127.0.0.1:{services.free_port()}/0"
    code, rows = doctor(make_shop(REDIS_URL=closed))
    assert code == 1 and ("FAIL", "redis", "no answer (ConnectionError)") in rows


def test_before_init_db_the_database_fails_and_every_other_check_still_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    settings = {"TESTING": True, "SECRET_KEY": "x", **READY}
    app = create_app({**settings, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    code, rows = doctor(app)
    assert code == 1
    assert (
        "FAIL",
        "database",
        f"sqlite:///{tmp_path / 'empty.sqlite3'}: no schema, this version needs "
        f"{head(app)}: run flask --app app init-db",
    ) in rows
    assert "FAIL" in statuses(rows, "mail")  # its queue cannot be read
    for area in ("settings", "instance", "https", "payments", "redis"):
        assert statuses(rows, area) == ["OK"], area
    with app.app_context():
        db.engine.dispose()


def test_values_left_from_the_example_config_fail(make_shop):
    code, rows = doctor(
        make_shop(
            TRUSTED_HOSTS=["shop.example.com"],
            MAIL_PASSWORD="change-me",
            BRAINTREE_PRIVATE_KEY="your_private_key",
            SHOP_EMAIL="orders@example.com",
        )
    )
    assert code == 1
    assert (
        "FAIL",
        "settings",
        "still the example's values: JOMSO_SHOP_EMAIL, JOMSO_TRUSTED_HOSTS, "
        "JOMSO_MAIL_PASSWORD, JOMSO_BRAINTREE_PRIVATE_KEY: put the shop's own",
    ) in rows
    assert "change-me" not in str(rows) and "your_private_key" not in str(rows)
