"""The server's logs keep the privacy promise: gunicorn, with the shipped gunicorn.conf.py,
writes access lines without the client's address, the query string, the referrer or the user
agent, masks secret tokens in paths, and the shop's own records go to its error log."""

from __future__ import annotations

import re
import time

from tests import services
from tests.deploy.helpers import (
    CUSTOMER,
    client_from,
    post_form,
    server_env,
    shop_files,
    wait_for_lines,
)

SECRET_PATH_TOKEN = "Zq9secretResetToken.abc-42"


def test_access_log_lines_hold_no_address_query_referrer_or_agent(tmp_path, monkeypatch):
    env = server_env(**shop_files(tmp_path, monkeypatch))
    logs = tmp_path / "logs"
    logs.mkdir()
    port = services.free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    process = services.gunicorn(port, env, log_folder=logs)
    try:
        browser = client_from("127.0.0.2")
        answer = browser.get(
            f"{base}/products",
            params={"q": "mug", "email": "visitor@example.com"},
            headers={
                "Referer": "https://elsewhere.example/ask?from=visitor@example.com",
                "User-Agent": "Mozilla/5.0 (VisitorBrowser/77.0; visitor-agent-marker)",
            },
            timeout=60,
        )
        assert answer.status_code == 200
        bad_link = browser.get(f"{base}/account/password-reset/{SECRET_PATH_TOKEN}", timeout=60)
        assert bad_link.status_code == 400  # not a real token, but the path is what counts
        reset = post_form(browser, f"{base}/account/password-reset", {"email": CUSTOMER})
        assert reset.status_code in (200, 302, 303)

        lines = wait_for_lines(logs / "access.log", "/products")
        assert len(lines) == 1, lines
        line = lines[0]
        assert '"GET /products HTTP/1.1" status=200 bytes=' in line
        assert re.search(r" ms=\d+$", line)
        for private in ("127.0.0", "visitor", "mug", "?", "elsewhere", "Mozilla", "email"):
            assert private not in line, (private, line)

        token_lines = wait_for_lines(logs / "access.log", "/account/password-reset/")
        assert token_lines and "/account/password-reset/<token>" in token_lines[0]
        access_log = (logs / "access.log").read_text()
        assert SECRET_PATH_TOKEN not in access_log
        assert "127.0.0" not in access_log and "@" not in access_log

        # The shop's own records (here the sender thread's "mail sent") are in gunicorn's
        # error log, with its time stamp, and without the address the mail went to.
        sent = wait_for_lines(logs / "error.log", "mail sent: id=")
        assert sent and "template=" in sent[0] and sent[0].startswith("[")
        assert CUSTOMER not in (logs / "error.log").read_text()
    finally:
        services.stop(process)
    print(f"gunicorn log test: {time.monotonic() - started:.1f} s")
