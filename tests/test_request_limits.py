"""Small bodies by default: a large or many-field body gets the "Too large" page (413) at once,
before the shop reads it, on every page; only the views that declare it take more (the
picture upload, whose test is in tests/catalog/test_admin_images.py)."""

from __future__ import annotations

import io
import os
import socket
import time

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from jomso.request_limits import DRAIN_MAX_BYTES
from tests.accounts.helpers import build_app, dispose_app
from tests.conftest import csrf_token_from
from tests.helpers import login, make_user
from tests.services import free_port, gunicorn, stop

TWO_MB = 2 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"
URLS = ["/contact", "/account/login", "/webhooks/braintree"]


class SentBody(io.BytesIO):
    """A request body as a client sends it, noting how far the shop read into it."""

    read_bytes = 0

    def _noted(self, result):
        self.read_bytes = max(self.read_bytes, self.tell())
        return result

    def read(self, size=-1):
        return self._noted(super().read(size))

    def read1(self, size=-1):
        return self._noted(super().read1(size))

    def readinto(self, buffer):
        return self._noted(super().readinto(buffer))

    def readline(self, size=-1):
        return self._noted(super().readline(size))


def many_fields(size: int) -> bytes:
    """A URL-encoded body of ``size`` bytes made of short fields (the costly kind to parse)."""
    body = b"&".join(b"f%d=v" % i for i in range(size // 6))
    return body[:size]


@pytest.fixture
def client(client):
    """A client of a shop that has served a page: the timings leave out compiling the layout."""
    assert client.get("/").status_code == 200
    return client


def assert_too_large_page(response):
    assert response.status_code == 413
    assert "Too large" in response.text and "larger than the shop accepts" in response.text
    assert '<main id="main"' in response.text  # the shop's page, not a bare error


@pytest.mark.parametrize("url", URLS)
def test_a_two_megabyte_form_gets_413_without_being_parsed(client, url):
    body = SentBody(many_fields(TWO_MB))
    started = time.perf_counter()
    response = client.post(url, input_stream=body, content_type=FORM)  # Content-Length: 2 MB
    elapsed = time.perf_counter() - started
    assert_too_large_page(response)
    assert elapsed < 1.0
    # Refused from its Content-Length, then read to its end and dropped, unparsed: a proxy
    # still sending it must not have the connection reset under it (the test below).
    assert body.read_bytes == TWO_MB


def test_a_body_larger_than_any_proxy_sends_is_not_read_at_all(client):
    body = SentBody(b"x" * (DRAIN_MAX_BYTES + 1))
    response = client.post("/contact", input_stream=body, content_type=FORM)
    assert_too_large_page(response)
    assert body.read_bytes == 0


def test_under_gunicorn_a_refused_body_is_read_so_the_sender_gets_the_page(tmp_path, monkeypatch):
    """A sync worker closes the connection after its answer: closed with the body unread, the
    connection is reset and a sender still sending (nginx, passing a body on) gets no answer.
    7 MiB does not fit in the sockets' buffers, so sending only ends if the shop reads it."""
    dispose_app(build_app(tmp_path, monkeypatch))
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOMSO_")}
    env.update(
        JOMSO_INSTANCE_PATH=str((tmp_path / "instance").resolve()),
        JOMSO_DATABASE_URL=f"sqlite:///{tmp_path / 'custom.sqlite3'}",
        JOMSO_SECRET_KEY="test-secret-key",
    )
    port = free_port()
    process = gunicorn(port, env, "--workers", "1")
    try:
        size = 7 * 1024 * 1024
        head = (
            f"POST /contact HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {FORM}\r\n"
            f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
            connection.sendall(head.encode() + b"x" * size)  # reset here without the fix
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
    finally:
        stop(process)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"Too large" in answer


@pytest.mark.parametrize("url", URLS)
def test_a_chunked_body_is_cut_off_at_the_cap(client, url):
    """No Content-Length (``Transfer-Encoding: chunked``, from a server that ends the stream
    itself, as gunicorn does): reading stops soon after the cap."""
    body = SentBody(many_fields(TWO_MB))
    started = time.perf_counter()
    response = client.post(
        url,
        input_stream=body,
        content_type=FORM,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    elapsed = time.perf_counter() - started
    assert_too_large_page(response)
    assert elapsed < 1.0
    assert body.read_bytes <= 2 * client.application.config["MAX_CONTENT_LENGTH"]


def test_the_default_caps_are_small(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024
    assert app.config["MAX_FORM_PARTS"] == 200


def test_more_fields_than_allowed_get_413_even_in_a_small_body(client):
    token = csrf_token_from(client.get("/contact").text)
    fields = [("csrf_token", token), *((f"f{i}", "") for i in range(200))]
    small = "&".join(f"{name}={value}" for name, value in fields)
    assert len(small) < 4096
    assert_too_large_page(client.post("/contact", data=small, content_type=FORM))

    boundary, multipart = encode_multipart(MultiDict(fields))
    response = client.post(
        "/contact", data=multipart, content_type=f'multipart/form-data; boundary="{boundary}"'
    )
    assert_too_large_page(response)


def test_a_form_within_the_caps_is_read(client):
    token = csrf_token_from(client.get("/account/login").text)
    fields = {"csrf_token": token, "email": "nobody@example.com", "password": "x" * 1000}
    fields.update({f"extra{i}": "" for i in range(150)})
    response = client.post("/account/login", data=fields)
    assert response.status_code == 200  # the form came back: wrong email or password
    assert "Too large" not in response.text


def test_larger_allowances_are_only_for_the_staff_who_may_use_them(app, client):
    """The picture upload and the policy editor take large bodies from the staff members who
    may use them (tests/catalog has the upload); anyone else, signed in or not, meets the
    shop-wide cap there too."""
    body = b"body=" + b"x" * (200 * 1024)
    urls = ["/staff/products/1/images", "/staff/policy/new", "/staff/products/new"]
    for url in urls:
        assert_too_large_page(client.post(url, data=body, content_type=FORM))
    make_user(app, "cora@example.com")  # a customer
    make_user(app, "cat@staff.example.org", roles=["catalog"])  # not the policy's owner
    for email, refused in [("cora@example.com", urls), ("cat@staff.example.org", urls[1:2])]:
        signed_in = app.test_client()
        assert login(signed_in, email).status_code == 302
        for url in refused:
            response = signed_in.post(url, data=body, content_type=FORM)
            assert response.status_code == 413, (email, url)


def test_the_webhook_takes_a_real_notification(app, client):
    from jomso import payments

    with app.app_context():
        notification = payments.sample_webhook("check", "")
    response = client.post("/webhooks/braintree", data=notification)
    assert response.status_code == 200
