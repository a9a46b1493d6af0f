"""The app's logs keep the promise "no personal data in logs", whatever shape the data comes in:
request lines with emails, phone numbers and names in the path or the query string (plain,
percent-encoded once or twice, ``+`` for a space, mixed case), tracebacks whose messages carry
them, and database errors about a customer's row. Served by a real server (Werkzeug's, which
writes a line per request like any server) and captured as written."""

from __future__ import annotations

import http.client
import logging
import re
import threading

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from jomso.extensions import db
from tests.accounts.helpers import register

# What a customer might type, and every fragment of it that must not reach a log.
EMAIL = "Alice.Leak@Example.com"
PHONE = "+1 (202) 555-0143"
NAME = "Annabel Harbourside"
FRAGMENTS = ("alice", "555", "0143", "annabel", "harbourside", "ocean drive")

# (request target, what stays of it in the log)
REQUESTS = [
    ("/products?q=alice.leak%40example.com", "/products?q=<redacted>"),
    ("/products?q=ALICE.LEAK%40Example.COM&sort=name", "/products?q=<redacted>&sort=name"),
    ("/products?q=%2B1%20%28202%29%20555-0143", "/products?q=<redacted>"),
    ("/products?q=%2b1+202+555+0143&page=2", "/products?q=<redacted>&page=2"),
    ("/products?category=alice.leak%40example.com", "/products?category=<email>"),
    ("/products?category=%2B1+202+555+0143", "/products?category=<number>"),
    ("/products/alice.leak%40example.com", "/products/<email>"),
    ("/products/alice+leak@example.com", "/products/<email>"),
    ("/products?category=alice%2Bleak%40example.com", "/products?category=<email>"),
    ("/products/%2B12025550143", "/products/<number>"),
    ("/products/%28202%29%20555-0143", "/products/<number>"),
    (
        "/account/login?next=%2Fstaff%2Fcustomers%3Fq%3Dalice.leak%2540example.com",
        "/account/login?next=/staff/customers?q=<redacted>",
    ),
    ("/staff/customers?q=Annabel+Harbourside", "/staff/customers?q=<redacted>"),
    (
        "/checkout?email=alice.leak%40example.com&billing-name=Annabel+Harbourside"
        "&billing-line1=7+Ocean+Drive&phone=%2B1+202+555+0143",
        "/checkout?email=<redacted>&billing-name=<redacted>&billing-line1=<redacted>"
        "&phone=<redacted>",
    ),
]


@pytest.fixture
def served(app):
    """The app behind a real HTTP server on loopback; yields a function that GETs a target."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def get(target: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        try:
            connection.request("GET", target, headers={"Host": "shop.test"})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    yield get
    server.shutdown()
    thread.join(timeout=10)


def _leaks(logged: str) -> list[str]:
    lowered = logged.lower()
    return [fragment for fragment in FRAGMENTS if fragment in lowered]


def test_request_lines_hold_no_email_phone_or_name_in_any_encoding(served, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    for target, _kept in REQUESTS:
        assert served(target) < 500, target
    # Without the colours the server adds on a terminal.
    lines = [
        re.sub(r"\x1b\[[\d;]*m", "", r.getMessage()) for r in caplog.records if r.name == "werkzeug"
    ]
    logged = "\n".join(lines)
    for _target, kept in REQUESTS:  # every request is still there, readable
        assert f'"GET {kept} HTTP/1.1"' in logged, (kept, logged)
    assert _leaks(logged) == [], logged


def test_a_traceback_holds_no_email_or_phone_from_the_exception(app, client, caplog):
    """Whatever code raises with a customer's details in the message, the 500 handler's log
    entry keeps the traceback (the operator needs it) without them."""

    def find_customer():
        try:
            raise KeyError(EMAIL)
        except KeyError as missing:
            raise LookupError(f"no account for {EMAIL.replace('@', '%40')} or {PHONE}") from missing

    app.add_url_rule("/find-customer", view_func=find_customer)
    response = client.get("/find-customer")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    logged = caplog.text
    assert "unhandled error on GET /find-customer" in logged
    assert "Traceback (most recent call last)" in logged
    assert "KeyError: '<email>'" in logged
    assert "LookupError: no account for <email> or <number>" in logged
    assert _leaks(logged) == [], logged


def test_a_database_error_about_a_customer_logs_none_of_their_values(app, client, caplog):
    """Registration hits a broken database while storing the account: the error is logged
    with its SQL but without the values, which no pattern could recognise as personal."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("CREATE TABLE broken (value TEXT)"))
            db.session.execute(
                text(
                    "CREATE TRIGGER users_broken BEFORE INSERT ON users "
                    "BEGIN INSERT INTO broken VALUES (NEW.name); END"
                )
            )
            db.session.execute(text("DROP TABLE broken"))
            error = ("OperationalError", "no such table: main.broken")
        else:
            db.session.execute(
                text(
                    "CREATE FUNCTION users_broken() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'accounts are broken'; END $$ LANGUAGE plpgsql"
                )
            )
            db.session.execute(
                text(
                    "CREATE TRIGGER users_broken BEFORE INSERT ON users "
                    "FOR EACH ROW EXECUTE FUNCTION users_broken()"
                )
            )
            error = ("RaiseException", "accounts are broken")
        db.session.commit()
    response = register(client, name=NAME, email=EMAIL)
    assert response.status_code == 500, response.text
    logged = caplog.text
    assert error[0] in logged and error[1] in logged
    assert "INSERT INTO users" in logged
    assert "SQL parameters hidden" in logged
    assert _leaks(logged) == [], logged
