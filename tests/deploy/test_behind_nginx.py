"""The shop as docs/deployment.md sets it up: gunicorn (gunicorn.conf.py) with the example
production config (deploy/jomso.env) behind nginx with the shipped site (deploy/nginx/jomso.conf,
only its ports and paths changed) and a self-signed certificate, driven over HTTPS."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import services
from tests.deploy.helpers import (
    CUSTOMER,
    DEPLOY,
    ROOT,
    client_from,
    post_form,
    read_env_file,
    server_env,
    shop_files,
    wait_for_lines,
)
from tests.mailbox import last_message, link_to

SITE = DEPLOY / "nginx" / "jomso.conf"
YEAR = "max-age=31536000"


def site_for_test(folder: Path, http_port: int, https_port: int, app_port: int) -> str:
    """The shipped site with this test's ports, folders and host name (each change must find
    what it replaces, so the test follows the file)."""
    text = SITE.read_text()
    changes = [
        (r"\n\s*listen \[::\]:80;", ""),
        (r"\n\s*listen \[::\]:443 ssl http2;", ""),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        (r"/etc/letsencrypt/live/shop\.example\.com/", f"{folder}/tls/"),
        (r"shop\.example\.com", "localhost"),
        (r"http://127\.0\.0\.1:8000", f"http://127.0.0.1:{app_port}"),
        (r"/srv/jomso/app/static/", f"{ROOT}/static/"),
        (r"/var/cache/nginx-jomso", f"{folder}/cache"),
        (r"/var/log/nginx/", f"{folder}/logs/"),
        (r"/var/www/html", f"{folder}/acme"),
    ]
    for pattern, replacement in changes:
        text, count = re.subn(pattern, replacement, text)
        assert count, f"{pattern} is no longer in {SITE.name}"
    # What Debian's /etc/nginx/nginx.conf gives every site.
    return "include /etc/nginx/mime.types;\ndefault_type application/octet-stream;\n" + text


def self_signed_certificate(folder: Path) -> Path:
    folder.mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", folder / "privkey.pem", "-out", folder / "fullchain.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    return folder / "fullchain.pem"


@pytest.fixture
def shop_behind_nginx(tmp_path, monkeypatch):
    """(base URL, settings, folder) of the shop served through nginx over HTTPS."""
    settings = read_env_file(DEPLOY / "jomso.env")
    files = shop_files(tmp_path, monkeypatch, products=2)
    http_port, https_port, app_port = (services.free_port() for _ in range(3))
    base = f"https://localhost:{https_port}"
    changed = {
        "JOMSO_INSTANCE_PATH": files["JOMSO_INSTANCE_PATH"],
        "JOMSO_SHOP_URL": base,
        "JOMSO_TRUSTED_HOSTS": "localhost",
        "JOMSO_MAIL_SERVER": "",  # mail goes to the outbox, where the test reads it
        "JOMSO_BACKUP_DIR": str(tmp_path / "backups"),
    }
    assert set(changed) <= set(settings), "the example config lacks a setting"
    settings.update(changed)
    folder = tmp_path / "nginx"
    certificate = self_signed_certificate(folder / "tls")
    (folder / "acme").mkdir()
    logs = tmp_path / "gunicorn"
    logs.mkdir()
    env = server_env(**settings)
    gunicorn = services.gunicorn(app_port, env, log_folder=logs)
    try:
        with services.nginx_server(folder, site_for_test(folder, http_port, https_port, app_port)):
            yield {
                "base": base,
                "http": f"http://localhost:{http_port}",
                "env": env,
                "certificate": str(certificate),
                "nginx_log": folder / "logs" / "jomso-access.log",
                "gunicorn_log": logs / "access.log",
                "instance": Path(files["JOMSO_INSTANCE_PATH"]),
            }
    finally:
        services.stop(gunicorn)


def test_the_shop_behind_nginx_over_https(shop_behind_nginx):
    shop = shop_behind_nginx
    base, started = shop["base"], time.monotonic()
    browser = client_from("127.0.0.2", verify=shop["certificate"])

    # Plain HTTP is sent to HTTPS.
    plain = browser.get(f"{shop['http']}/products?page=2", allow_redirects=False, timeout=30)
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://localhost/products?page=2"

    # HTTPS: HSTS, and the session cookie is Secure (and HttpOnly).
    home = browser.get(f"{base}/", timeout=60)
    assert home.status_code == 200
    assert "max-age=63072000" in home.headers["Strict-Transport-Security"]
    cookie = home.headers["Set-Cookie"]  # the visitor's first page makes their session
    assert cookie.startswith("jomso_session=")
    assert "; Secure" in cookie and "; HttpOnly" in cookie

    # Mail carries https://<the shop's host>/... links (send-mail from the timer sends it).
    reset = post_form(browser, f"{base}/account/password-reset", {"email": CUSTOMER})
    assert reset.status_code in (200, 303)
    sent = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "send-mail"],
        cwd=ROOT, env=shop["env"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert sent.returncode == 0 and "Sent 1" in sent.stdout, sent.stderr

    outbox_of = SimpleNamespace(instance_path=shop["instance"])  # what tests/mailbox.py reads
    link = link_to(last_message(outbox_of, CUSTOMER), "/account/password-reset/")
    assert link.startswith(f"{base}/account/password-reset/")
    assert browser.get(link, timeout=60).status_code == 200

    # The client's address is the one nginx saw, whatever X-Forwarded-For the client sends:
    # five failed sign-ins from 127.0.0.2, each claiming another address, refuse the sixth;
    # 127.0.0.3 is still let in.
    statuses = []
    for n in range(6):
        browser.headers["X-Forwarded-For"] = f"198.51.100.{n}"
        wrong = {"email": CUSTOMER, "password": "not the password"}
        statuses.append(post_form(browser, f"{base}/account/login", wrong).status_code)
    assert statuses == [200] * 5 + [429]
    other = client_from("127.0.0.3", verify=shop["certificate"])
    other.headers["X-Forwarded-For"] = "127.0.0.2"
    answer = post_form(other, f"{base}/account/login", {"email": CUSTOMER, "password": "nope"})
    assert answer.status_code == 200 and "too many" not in answer.text.lower()
    del browser.headers["X-Forwarded-For"]

    # Static files and pictures come from nginx, with a year-long cache.
    stylesheet = re.search(r'href="(/static/css/shop\.css\?v=[0-9a-f]+)"', home.text).group(1)
    css = browser.get(base + stylesheet, timeout=30)
    assert css.status_code == 200 and css.content == (ROOT / "static/css/shop.css").read_bytes()
    assert css.headers["Content-Type"] == "text/css"
    assert YEAR in css.headers["Cache-Control"] and "immutable" in css.headers["Cache-Control"]
    assert "max-age" in css.headers["Strict-Transport-Security"]
    picture = re.search(r'src="(/images/[0-9a-f]{32}-\d+\.webp)"', home.text).group(1)
    for _ in range(3):
        image = browser.get(base + picture, timeout=30)
        assert image.status_code == 200 and image.headers["Content-Type"] == "image/webp"
        assert YEAR in image.headers["Cache-Control"]
        assert "Set-Cookie" not in image.headers
    gunicorn_log = shop["gunicorn_log"]
    assert len(wait_for_lines(gunicorn_log, picture)) == 1  # asked of the shop once
    assert "/static/" not in gunicorn_log.read_text()

    # Bodies: over nginx's limit, nginx refuses with the shop's own "Too large" page; over
    # the page's own (64 KiB here) but within nginx's, the shop refuses.
    headers = {"Referer": f"{base}/account/login", "Content-Type": "application/octet-stream"}
    huge = browser.post(f"{base}/account/login", data=b"x" * (5184 * 1024 + 1), headers=headers)
    assert huge.status_code == 413
    assert "Too large" in huge.text and "Example Shop" in huge.text  # the shop's look
    assert len(wait_for_lines(gunicorn_log, "GET /errors/too-large ")) == 1  # nginx's 413
    large = browser.post(f"{base}/account/login", data=b"x" * (100 * 1024), headers=headers)
    assert large.status_code == 413 and "Too large" in large.text
    assert wait_for_lines(gunicorn_log, '"POST /account/login HTTP/1.0" status=413')  # the shop's
    assert browser.get(f"{base}/readyz", timeout=30).json()["status"] == "ready"

    # Neither log holds a client address, a query string or the token of a mailed link.
    nginx_log = shop["nginx_log"].read_text()
    assert "/account/password-reset/<token>" in nginx_log
    assert nginx_log.count('"POST /account/login HTTP/1.1" status=413') == 2
    for log in (nginx_log, gunicorn_log.read_text()):
        assert "127.0.0." not in log and "198.51.100" not in log and "?" not in log
        assert link.rsplit("/", 1)[1] not in log
    print(f"behind nginx: {time.monotonic() - started:.1f} s of requests")
