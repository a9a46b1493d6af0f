"""The rate-limit counters (jomso/ratelimits.py): by default a SQLite file in the instance folder
that every worker on the machine shares, so a limit holds whichever worker answers.

The last test serves the shop with a real gunicorn (2 sync workers) and drives it over HTTP.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis
import requests

from jomso.extensions import limiter
from jomso.ratelimits import SQLiteStorage, describe
from jomso.redis_store import close_client, limits_uri
from tests.accounts.helpers import build_app, dispose_app
from tests.conftest import csrf_token_from
from tests.services import (
    ACCESS_LOG_FORMAT,
    HeldWorker,
    free_port,
    gunicorn,
    logged_requests,
    wait_until_every_worker_answers,
)

ROOT = Path(__file__).resolve().parent.parent


def _rows(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM counters").fetchone()[0]


def test_two_storages_on_one_file_count_together(tmp_path):
    uri = f"sqlite://{tmp_path / 'ratelimits.sqlite3'}"
    first, second = SQLiteStorage(uri), SQLiteStorage(uri)
    assert first.incr("client:a", 60) == 1
    assert second.incr("client:a", 60) == 2
    assert first.get("client:a") == 2
    assert second.get("client:b") == 0
    assert time.time() < first.get_expiry("client:a") <= time.time() + 60


_INCREMENTS = """
import sys
from jomso.ratelimits import SQLiteStorage
storage = SQLiteStorage(sys.argv[1])
for _ in range(int(sys.argv[2])):
    storage.incr("shared", 3600)
"""


def test_increments_from_two_processes_at_once_are_all_counted(tmp_path):
    uri = f"sqlite://{tmp_path / 'ratelimits.sqlite3'}"
    processes = [
        subprocess.Popen([sys.executable, "-c", _INCREMENTS, uri, "300"], cwd=ROOT)
        for _ in range(2)
    ]
    for process in processes:
        assert process.wait(timeout=120) == 0
    assert SQLiteStorage(uri).get("shared") == 600


def _first_hits_at_once(uri: str, workers: int) -> list[Exception]:
    """Each of ``workers`` threads, with a storage of its own, counts one hit at the same
    moment; the errors they met."""
    storages = [SQLiteStorage(uri) for _ in range(workers)]
    start = threading.Barrier(workers)
    failures: list[Exception] = []

    def first_hit(storage: SQLiteStorage) -> None:
        start.wait()
        try:
            storage.incr("client:a", 60)
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=first_hit, args=(each,)) for each in storages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_workers_that_set_up_a_new_file_at_the_same_moment_all_count(tmp_path):
    """Every worker's first hit after a deploy may come at once: setting up the new file (WAL,
    the table) was then refused as "database is locked", in about one try in seven."""
    for attempt in range(40):
        uri = f"sqlite://{tmp_path / f'ratelimits{attempt}.sqlite3'}"
        assert _first_hits_at_once(uri, 4) == [], attempt
        assert SQLiteStorage(uri).get("client:a") == 4


def test_expired_counters_start_again_and_are_deleted(tmp_path):
    path = tmp_path / "ratelimits.sqlite3"
    storage = SQLiteStorage(f"sqlite://{path}", cleanup_interval=0)
    storage.incr("old", 0.05, amount=3)
    storage.incr("kept", 3600)
    time.sleep(0.1)
    assert storage.get("old") == 0
    # The next increment deletes expired counters (here: every time, cleanup_interval=0).
    storage.incr("new", 3600)
    assert _rows(path) == 2
    assert storage.incr("old", 3600) == 1  # a new window, counted from zero
    assert storage.remove_expired(now=time.time() + 7200) == 3
    assert _rows(path) == 0


def test_the_operator_is_told_where_the_counters_are(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, RATELIMIT_ENABLED=True)
    dispose_app(app)
    instance = (tmp_path / "instance").resolve()
    assert app.config["RATELIMIT_STORAGE_URI"] == f"sqlite://{instance}/ratelimits.sqlite3"
    assert describe(app.config) == (
        f"rate limits: shared file {instance}/ratelimits.sqlite3 (all workers on this machine)"
    )
    on = {"RATELIMIT_ENABLED": True}
    redis = "redis://:s3cret@cache.internal:6379/2"
    assert describe({**on, "RATELIMIT_STORAGE_URI": redis}) == (
        "rate limits: redis://cache.internal:6379/2 (shared by every server that uses it)"
    )
    assert "each worker counts alone" in describe({**on, "RATELIMIT_STORAGE_URI": "memory://"})
    assert describe({"RATELIMIT_ENABLED": False}) == "rate limits: off"


def test_a_limit_on_every_request_set_by_the_operator_holds(tmp_path, monkeypatch):
    # The shop's own limits are each on a view; one for every request (Flask-Limiter's
    # RATELIMIT_DEFAULT) is checked before every request, as Flask-Limiter does.
    app = build_app(tmp_path, monkeypatch, RATELIMIT_ENABLED=True)
    client = app.test_client()
    assert {client.get("/products").status_code for _ in range(5)} == {200}
    dispose_app(app)
    app = build_app(tmp_path, monkeypatch, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="3/minute")
    try:
        client = app.test_client()
        statuses = [client.get("/products").status_code for _ in range(4)]
    finally:
        dispose_app(app)
        limiter.limit_manager.set_default_limits([])  # Flask-Limiter keeps it for later apps
    assert statuses == [200] * 3 + [429]


# -- Redis (REDIS_URL): one count for every server ---------------------------------------------


def test_with_redis_the_counters_are_in_redis_and_a_limit_holds(tmp_path, monkeypatch, redis_url):
    app = build_app(tmp_path, monkeypatch, RATELIMIT_ENABLED=True, REDIS_URL=redis_url)
    try:
        assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
        assert describe(app.config) == (
            f"rate limits: {redis_url} (shared by every server that uses it)"
        )
        client = app.test_client()
        page = client.get("/account/login")
        form = {
            "email": "nobody@example.com",
            "password": "not the password",
            "csrf_token": csrf_token_from(page.text),
        }
        statuses = [client.post("/account/login", data=form).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        counters = redis.Redis.from_url(redis_url)
        assert counters.keys("LIMITS*")  # the limits library's keys: the counts are there
        counters.close()
    finally:
        close_client(app)
        dispose_app(app)


_WITHOUT_REDIS = """
import json, sys
from jomso import create_app
from jomso.cli import init_schema
from tests.conftest import csrf_token_from
app = create_app({"SECRET_KEY": "k", "REDIS_URL": sys.argv[1], "RATELIMIT_ENABLED": True,
                  "MAIL_DELIVERY": "cron"})
with app.app_context():
    init_schema()
client = app.test_client()
form = {"email": "rita@example.com", "password": "not the password",
        "csrf_token": csrf_token_from(client.get("/account/login").text)}
print(json.dumps([client.post("/account/login", data=form).status_code for _ in range(6)]))
"""


def test_while_redis_does_not_answer_each_worker_counts_alone(tmp_path):
    """Not an error page on every limited form (the checkout among them): the limits hold, in
    each worker's memory, until Redis answers again. In a process of its own: the limiter
    remembers that its storage is down."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOMSO_")}
    env["JOMSO_INSTANCE_PATH"] = str(tmp_path / "instance")
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_REDIS, nobody],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert json.loads(result.stdout.splitlines()[-1]) == [200] * 5 + [429]
    assert "falling back to in-memory storage" in result.stderr


def test_a_storage_named_for_the_rate_limits_wins_over_redis(tmp_path, monkeypatch, redis_url):
    named = f"sqlite://{tmp_path / 'limits.sqlite3'}"
    app = build_app(
        tmp_path, monkeypatch, RATELIMIT_ENABLED=True, REDIS_URL=redis_url,
        RATELIMIT_STORAGE_URI=named,
    )  # fmt: skip
    dispose_app(app)
    assert app.config["RATELIMIT_STORAGE_URI"] == named


def test_a_redis_socket_is_named_as_the_limits_library_names_it():
    assert (
        limits_uri("unix:///run/redis/redis.sock?db=2") == "redis+unix:///run/redis/redis.sock?db=2"
    )
    assert limits_uri("rediss://:pw@cache:6380/1") == "rediss://:pw@cache:6380/1"


# -- two gunicorn workers -------------------------------------------------------------------------


def _answers(access_log: Path, method: str, path: str) -> list[tuple[str, str]]:
    """(worker pid, status) of each logged request for ``method path``."""
    logged = logged_requests(access_log)
    return [(pid, status) for pid, m, p, status in logged if (m, p) == (method, path)]


def _answers_after(access_log: Path, logged: int, count: int) -> list[tuple[str, str]]:
    """The ``count`` sign-in answers logged after the first ``logged`` (a worker writes its
    log line just after it answers)."""
    deadline = time.monotonic() + 10
    while len(answers := _answers(access_log, "POST", "/account/login")) < logged + count:
        assert time.monotonic() < deadline, "gunicorn did not log the sign-ins"
        time.sleep(0.05)
    return answers[logged : logged + count]


def test_with_two_gunicorn_workers_the_sixth_failed_sign_in_in_a_minute_is_refused(
    tmp_path, monkeypatch
):
    """Six wrong passwords for one account from one address: three answered by one worker,
    three by the other (each time the other is held busy), and the sixth is refused."""
    dispose_app(build_app(tmp_path, monkeypatch))  # the schema, in tmp_path/custom.sqlite3
    instance = (tmp_path / "instance").resolve()
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOMSO_")}
    env.update(
        JOMSO_INSTANCE_PATH=str(instance),
        JOMSO_DATABASE_URL=f"sqlite:///{tmp_path / 'custom.sqlite3'}",
        JOMSO_SECRET_KEY="test-secret-key",
        JOMSO_PROXY_FIX="1",  # the address is the X-Forwarded-For one
        JOMSO_ANALYTICS_ENABLED="false",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    access_log = tmp_path / "access.log"
    process = gunicorn(
        port, env, "--workers", "2", "--worker-class", "sync", "--log-level", "info",
        "--access-logformat", ACCESS_LOG_FORMAT, log_folder=tmp_path,
    )  # fmt: skip
    try:
        wait_until_every_worker_answers(port, 2, access_log, process)
        browser = requests.Session()
        browser.headers["X-Forwarded-For"] = "203.0.113.10"
        logged = len(_answers(access_log, "POST", "/account/login"))
        first = HeldWorker(port)  # one worker busy: the other answers the first three
        try:
            page = browser.get(f"{base}/account/login", timeout=30)
            form = {
                "email": "rita@example.com",
                "password": "not the password",
                "csrf_token": csrf_token_from(page.text),
            }
            answers = [browser.post(f"{base}/account/login", data=form, timeout=60)]
            answers += [browser.post(f"{base}/account/login", data=form, timeout=60)]
            answers += [browser.post(f"{base}/account/login", data=form, timeout=60)]
            second = HeldWorker(port)  # taken by the worker that answered them
        finally:
            assert first.release() == b"HTTP/1.1 200 OK"
        try:
            for _ in range(3):
                answers.append(browser.post(f"{base}/account/login", data=form, timeout=60))
        finally:
            assert second.release() == b"HTTP/1.1 200 OK"
        assert [answer.status_code for answer in answers] == [200] * 5 + [429]
        assert "too many failed sign-ins" in answers[-1].text
        assert int(answers[-1].headers["Retry-After"]) > 0
        workers = [pid for pid, _ in _answers_after(access_log, logged, 6)]
        assert len(set(workers[:3])) == len(set(workers[3:])) == 1
        assert workers[0] != workers[3]  # the count was shared: the other worker refused
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    started = (tmp_path / "error.log").read_text()
    line = f"rate limits: shared file {instance}/ratelimits.sqlite3 (all workers on this machine)"
    assert started.count(line) == 2  # each worker says where its counters are
