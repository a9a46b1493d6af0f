"""Helpers for the deployment tests: a shop database made in-process, the environment that
gunicorn (and the commands) read, and HTTP clients that connect from a chosen loopback address
(Linux answers on all of 127.0.0.0/8), so a test can tell the client's address from the
proxy's."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from tests.accounts.helpers import build_app, dispose_app
from tests.helpers import make_user

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CUSTOMER = "ann@example.com"


def shop_files(tmp_path: Path, monkeypatch, *, products: int = 0) -> dict[str, str]:
    """Make the schema (in the instance folder's default database file), one customer account
    (``CUSTOMER``) and ``products`` demo products with pictures; return the setting that points
    a server at them."""
    instance = (tmp_path / "instance").resolve()
    database = f"sqlite:///{instance / 'jomso.sqlite3'}"  # the default place
    app = build_app(tmp_path, monkeypatch, DATABASE_URL=database)
    try:
        make_user(app, CUSTOMER)
        if products:
            from jomso.catalog.demo import seed_demo

            with app.app_context():
                seed_demo(products, seed=2018)
    finally:
        dispose_app(app)
    return {"JOMSO_INSTANCE_PATH": str(instance)}


def server_env(**settings: str) -> dict[str, str]:
    """This process's environment without any JOMSO_ setting, plus ``settings``; one worker
    (the machine running the tests is shared)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOMSO_")}
    env["JOMSO_WORKERS"] = "1"
    env.update(settings)
    return env


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_from(address: str, verify: str | bool = True) -> requests.Session:
    """A browser-like session whose connections come from ``address`` (127.0.0.2, ...)."""
    session = requests.Session()
    session.trust_env = False  # no proxy, and no CA bundle from the environment over ``verify``
    session.verify = verify
    for scheme in ("http://", "https://"):
        session.mount(scheme, _FromAddress(address))
    return session


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def post_form(session: requests.Session, url: str, data: dict, **kwargs) -> requests.Response:
    """GET the page, then POST its form with the CSRF token, sending the page as the Referer
    (over HTTPS Flask-WTF wants one from the same origin), as a browser would."""
    page = session.get(url, timeout=60)
    token = _CSRF.search(page.text)
    assert token, f"no form on {url}"
    return session.post(
        url,
        data={**data, "csrf_token": token.group(1)},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=60,
        **kwargs,
    )


def wait_for_lines(path: Path, pattern: str, timeout: float = 20) -> list[str]:
    """The lines of a log file containing ``pattern``, once there is one (workers write their
    log lines just after they answer)."""
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text() if path.exists() else ""
        lines = [line for line in text.splitlines() if pattern in line]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines as systemd's EnvironmentFile= reads them (comments and blank lines
    skipped, one pair of enclosing quotes removed)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values
