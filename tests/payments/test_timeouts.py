"""The payment timeouts fit together: Braintree's (10 s) well under gunicorn's worker timeout
(30 s in the shipped gunicorn.conf.py), and the reconciling delay (120 s) longer than both;
settings that break this are refused at start, by the app and by each gunicorn worker."""

from __future__ import annotations

import gc
import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from jomso import create_app, payments
from jomso.config import Defaults, payment_timing_problems
from jomso.gunicorn_hooks import post_worker_init
from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_WORKER_TIMEOUT = 30  # gunicorn.conf.py's `timeout`


def _settings(**changes) -> dict:
    names = ("BRAINTREE_TIMEOUT", "RECONCILE_AFTER_SECONDS")
    return {**{name: getattr(Defaults, name) for name in names}, **changes}


def test_the_defaults_keep_a_stuck_payment_short_of_the_worker_timeout(app):
    assert Defaults.BRAINTREE_TIMEOUT == 10
    assert Defaults.RECONCILE_AFTER_SECONDS == 120
    assert payment_timing_problems(_settings(), SHIPPED_WORKER_TIMEOUT) == []
    assert payments.get_gateway(app).braintree.config.timeout == 10


@pytest.mark.parametrize(
    ("settings", "worker_timeout", "problem"),
    [
        (
            _settings(BRAINTREE_TIMEOUT=15),
            30,
            "gunicorn's worker timeout (30 s) must be more than twice JOMSO_BRAINTREE_TIMEOUT "
            "(15 s), or a worker waiting for Braintree is killed",
        ),
        (
            _settings(BRAINTREE_TIMEOUT=30),
            30,
            "gunicorn's worker timeout (30 s) must be more than twice",
        ),
        (
            _settings(RECONCILE_AFTER_SECONDS=60),
            90,
            "JOMSO_RECONCILE_AFTER_SECONDS (60) must be more than gunicorn's worker timeout (90 s)",
        ),
        (
            _settings(RECONCILE_AFTER_SECONDS=20),
            0,
            "JOMSO_RECONCILE_AFTER_SECONDS (20) must be more than twice "
            "JOMSO_BRAINTREE_TIMEOUT (10)",
        ),
        (_settings(BRAINTREE_TIMEOUT=0), 0, "JOMSO_BRAINTREE_TIMEOUT must be a positive number"),
        (_settings(BRAINTREE_TIMEOUT="soon"), 0, "must be numbers of seconds"),
    ],
)
def test_timeouts_that_do_not_fit_are_named(settings, worker_timeout, problem):
    problems = payment_timing_problems(settings, worker_timeout)
    assert len(problems) == 1
    assert problem in problems[0]


def test_without_a_worker_timeout_only_the_shop_s_own_settings_count():
    assert payment_timing_problems(_settings(BRAINTREE_TIMEOUT=50), 0) == []
    assert payment_timing_problems(_settings(), 0) == []


def test_the_shop_refuses_to_start_when_reconciling_could_overtake_a_payment(tmp_path, monkeypatch):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    refused = r"Refusing to start: JOMSO_RECONCILE_AFTER_SECONDS \(30\) must be more than twice"
    with pytest.raises(RuntimeError, match=refused):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
                "BRAINTREE_TIMEOUT": 15,
                "RECONCILE_AFTER_SECONDS": 30,
            }
        )


def test_a_gunicorn_worker_refuses_to_serve_with_a_timeout_braintree_could_outlast(tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOMSO_")}
    env.update(
        JOMSO_INSTANCE_PATH=str(tmp_path / "instance"),
        JOMSO_DATABASE_URL=f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        JOMSO_SECRET_KEY="test-secret-key",
        JOMSO_ANALYTICS_ENABLED="false",
    )  # BRAINTREE_TIMEOUT is the default, 10 s: a 15 s worker timeout is too short for it
    error_log = tmp_path / "error.log"
    command = [
        sys.executable, "-m", "gunicorn", "--config", "python:jomso.gunicorn_hooks",
        "--workers", "1", "--worker-class", "sync", "--timeout", "15",
        "--bind", f"127.0.0.1:{free_port()}", "--chdir", str(ROOT),
        "--error-logfile", str(error_log), "app:app",
    ]  # fmt: skip
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    process = subprocess.Popen(command, env=env, **quiet)
    try:
        exit_code = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = error_log.read_text()
    assert exit_code == 3, log  # gunicorn's "worker failed to boot"
    assert (
        "RuntimeError: Refusing to serve: gunicorn's worker timeout (15 s) must be more than "
        "twice JOMSO_BRAINTREE_TIMEOUT (10 s)" in log
    )
    assert "Worker failed to boot." in log


def test_the_shipped_gunicorn_conf_fits_the_default_payment_timeouts():
    shipped = runpy.run_path(str(ROOT / "gunicorn.conf.py"))  # as gunicorn reads it
    assert shipped["timeout"] == 30
    assert shipped["post_worker_init"].__module__ == "jomso.gunicorn_hooks"
    defaults = {
        "BRAINTREE_TIMEOUT": Defaults.BRAINTREE_TIMEOUT,
        "RECONCILE_AFTER_SECONDS": Defaults.RECONCILE_AFTER_SECONDS,
    }
    assert payment_timing_problems(defaults, shipped["timeout"]) == []


def test_a_gunicorn_worker_that_serves_keeps_what_it_loaded_out_of_full_collections(app):
    """What a worker loaded lives as long as it does; the garbage collector's full passes
    no longer go through it (60 to 140 ms a pass, every few thousand requests)."""
    assert gc.get_freeze_count() == 0
    worker = SimpleNamespace(wsgi=app, cfg=SimpleNamespace(timeout=30))
    try:
        post_worker_init(worker)
        assert gc.get_freeze_count() > 10_000  # the modules and the app
    finally:
        gc.unfreeze()
