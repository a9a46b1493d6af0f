"""The files in deploy/ hold together: the systemd units load and run commands the shop has,
on the schedules docs/deployment.md gives; the example config has every production setting
(doctor passes with it); the logrotate rules rotate a running gunicorn's logs."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
import requests

from jomso import create_app
from jomso.cli import init_schema
from jomso.extensions import db
from tests import services
from tests.deploy.helpers import DEPLOY, ROOT, read_env_file, server_env, wait_for_lines

UNITS = DEPLOY / "systemd"
APP = "/srv/jomso/app"
VENV_BIN = f"{APP}/.venv/bin/"


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys keep their case
    parser.read_string(path.read_text().replace("\\\n", " "))
    return parser


def exec_start(path: Path) -> list[str]:
    return unit(path)["Service"]["ExecStart"].split()


def test_the_units_load_without_a_warning(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    for path in UNITS.iterdir():
        text = path.read_text().replace(VENV_BIN, f"{Path(sys.executable).parent}/")
        (tmp_path / path.name).write_text(text.replace(APP, str(ROOT)))
    check = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(tmp_path.iterdir())],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert check.returncode == 0 and check.stderr.strip() == "", check.stderr


def test_the_timers_run_the_shops_commands_on_schedule(tmp_path, monkeypatch):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    commands = create_app({"TESTING": True, "SECRET_KEY": "x"}).cli.commands
    expected = {  # timer -> (command, seconds between runs)
        "jomso-purge.timer": ("purge", 24 * 3600),
        "jomso-backup.timer": ("backup", 24 * 3600),
        "jomso-reconcile.timer": ("reconcile-payments", 60),
        "jomso-mail.timer": ("send-mail", 60),
        "jomso-announcements.timer": ("send-announcements", 300),
        "jomso-stock-alerts.timer": ("stock-alerts", 24 * 3600),
    }
    assert sorted(path.name for path in UNITS.glob("*.timer")) == sorted(expected)
    for timer, (command, interval) in expected.items():
        service = UNITS / timer.replace(".timer", ".service")
        words = exec_start(service)
        assert words[:3] == [f"{VENV_BIN}flask", "--app", "app"] and words[3] == command
        assert command in commands
        settings = unit(service)["Service"]
        assert settings["User"] == "jomso" and settings["WorkingDirectory"] == APP
        assert settings["EnvironmentFile"] == "/etc/jomso/jomso.env"
        calendar = unit(UNITS / timer)["Timer"]["OnCalendar"]
        if shutil.which("systemd-analyze"):
            assert _seconds_between_runs(calendar) == interval, timer


def _seconds_between_runs(calendar: str) -> int:
    shown = subprocess.run(
        ["systemd-analyze", "calendar", "--iterations=3", calendar],
        capture_output=True, text=True, check=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
    ).stdout  # fmt: skip
    times = [
        datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
        for stamp in re.findall(r"(?:elapse|Iter\. #\d+): \w+ (\S+ \S+)", shown)
    ]
    assert len(times) == 3, shown
    gaps = {int((later - earlier).total_seconds()) for earlier, later in pairwise(times)}
    assert len(gaps) == 1, shown
    return gaps.pop()


def test_gunicorn_unit_logs_where_logrotate_rotates():
    words = exec_start(UNITS / "jomso.service")
    assert words[0] == f"{VENV_BIN}gunicorn" and words[-1] == "app:app"
    options = dict(zip(words[1:-1:2], words[2:-1:2], strict=True))
    rules = (DEPLOY / "logrotate" / "jomso").read_text()
    assert rules.count(options["--access-logfile"]) == 1
    assert rules.count(options["--error-logfile"]) == 1
    assert options["--pid"] in rules
    service = unit(UNITS / "jomso.service")["Service"]
    assert service["Type"] == "notify" and service["UMask"] == "0077"
    assert service["StateDirectory"] == "jomso"  # /var/lib/jomso, the instance folder
    assert read_env_file(DEPLOY / "jomso.env")["JOMSO_INSTANCE_PATH"] == "/var/lib/jomso"


def test_the_example_config_reads_the_same_in_systemd_and_the_shell():
    settings = read_env_file(DEPLOY / "jomso.env")
    shell = subprocess.run(
        ["sh", "-c", 'set -a; . "$1"; env', "sh", DEPLOY / "jomso.env"],
        capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"},
    ).stdout  # fmt: skip
    from_shell = dict(line.split("=", 1) for line in shell.splitlines() if "=" in line)
    assert {k: v for k, v in from_shell.items() if k.startswith("JOMSO_")} == settings
    assert settings["JOMSO_ENV"] == "production"
    assert settings["JOMSO_MAIL_DELIVERY"] == "cron"
    subprocess.run(["sh", "-n", DEPLOY / "jomso"], check=True)


def _example_settings(tmp_path: Path, filled_in: bool) -> dict[str, str]:
    """The example config with its folders moved into ``tmp_path`` (and a backup made two hours
    ago there); ``filled_in``: its example values replaced, as an owner does."""
    settings = read_env_file(DEPLOY / "jomso.env")
    backups = tmp_path / "backups"
    backups.mkdir()
    stamp = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y%m%dT%H%M%SZ")
    (backups / f"jomso-backup-{stamp}.tar.gz").write_bytes(b"archive")
    settings.update(JOMSO_INSTANCE_PATH=str(tmp_path / "instance"), JOMSO_BACKUP_DIR=str(backups))
    if filled_in:
        for name, value in settings.items():
            value = value.replace("example.com", "lantern-crafts.net")
            settings[name] = re.sub(r"^your_|^change-me$", "real-value-", value)
    return settings


def test_the_example_config_lacks_nothing_but_the_shops_own_values(tmp_path, monkeypatch):
    for name, value in _example_settings(tmp_path, filled_in=False).items():
        monkeypatch.setenv(name, value)
    app = create_app()
    with app.app_context():
        init_schema()
    result = app.test_cli_runner().invoke(args=["doctor"])
    failed = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert failed == [
        "FAIL  settings  still the example's values: JOMSO_SHOP_URL, JOMSO_SHOP_EMAIL, "
        "JOMSO_TRUSTED_HOSTS, JOMSO_MAIL_SERVER, JOMSO_MAIL_USERNAME, JOMSO_MAIL_PASSWORD, "
        "JOMSO_BRAINTREE_MERCHANT_ID, JOMSO_BRAINTREE_PUBLIC_KEY, "
        "JOMSO_BRAINTREE_PRIVATE_KEY: put the shop's own"
    ]
    assert result.output.strip().endswith("1 FAIL, 0 WARN, 8 OK")
    with app.app_context():
        db.engine.dispose()


def test_doctor_passes_with_the_example_config_filled_in(tmp_path):
    """Through the command line, as the jomso command runs it: init-db, then doctor."""
    env = server_env(**_example_settings(tmp_path, filled_in=True))

    def flask(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip

    assert flask("init-db").returncode == 0
    doctor = flask("doctor")
    assert doctor.returncode == 0, doctor.stdout
    lines = doctor.stdout.strip().splitlines()
    assert all(line.startswith("OK ") for line in lines[:-1]), doctor.stdout
    assert lines[-1] == f"0 FAIL, 0 WARN, {len(lines) - 1} OK"
    assert "real-value-" in doctor.stdout  # the merchant id is shown; no key, no password
    assert "real-value-private_key" not in doctor.stdout


def test_logrotate_rotates_the_logs_of_a_running_gunicorn(tmp_path, monkeypatch):
    if shutil.which("logrotate") is None:
        pytest.skip("logrotate is not installed")
    from tests.deploy.helpers import shop_files

    env = server_env(**shop_files(tmp_path, monkeypatch))
    logs, pid = tmp_path / "logs", tmp_path / "gunicorn.pid"
    logs.mkdir()
    rules = (DEPLOY / "logrotate" / "jomso").read_text()
    for old, new in [
        ("/var/log/jomso/", f"{logs}/"),
        ("/run/jomso/gunicorn.pid", str(pid)),
        ("su jomso jomso", "su root root"),
        ("0600 jomso jomso", "0600 root root"),
    ]:
        assert old in rules
        rules = rules.replace(old, new)
    (tmp_path / "logrotate.conf").write_text(rules)
    port = services.free_port()
    process = services.gunicorn(port, env, "--pid", str(pid), log_folder=logs)
    try:
        assert requests.get(f"http://127.0.0.1:{port}/healthz?before", timeout=60).ok
        assert wait_for_lines(logs / "access.log", "/healthz")
        subprocess.run(
            ["logrotate", "--force", "--state", tmp_path / "state", tmp_path / "logrotate.conf"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        assert "/healthz" in (logs / "access.log.1").read_text()
        assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=60).ok
        assert wait_for_lines(logs / "access.log", "/readyz"), "gunicorn kept the old file"
        assert "/healthz" not in (logs / "access.log").read_text()
        assert "/readyz" not in (logs / "access.log.1").read_text()
    finally:
        services.stop(process)
