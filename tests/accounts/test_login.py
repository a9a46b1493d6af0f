"""Signing in and out: session renewal, the cart carried over, remember me, server-side session
records (a copied cookie dies at sign-out), signals, safe redirects."""

from __future__ import annotations

import pytest
from flask_login import user_logged_in
from sqlalchemy import select

from jomso.accounts import user_sessions
from jomso.accounts.models import User, UserSession
from jomso.accounts.signals import login_failed
from jomso.extensions import db
from tests.accounts.helpers import build_app, dispose_app, post_form, session_id, sign_in, sign_out
from tests.conftest import csrf_token_from
from tests.helpers import PASSWORD, login, make_user

# Flask-Login 0.6.3 computes the remember cookie's expiry with datetime.utcnow().
remember_cookie_warning = pytest.mark.filterwarnings(
    "ignore:datetime.datetime.utcnow:DeprecationWarning"
)


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _session_rows(app, user_id) -> list[UserSession]:
    with app.app_context():
        return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)))


def test_sign_in_renews_the_session_but_keeps_the_cart(app, client):
    from tests.catalog.helpers import add_to_cart, make_product

    make_user(app)
    product_id = make_product(app, "Blue Mug")
    add_to_cart(client, product_id, quantity=2)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    response = login(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    with client.session_transaction() as session:
        assert "planted" not in session
    cart = client.get("/cart").text
    assert "Blue Mug" in cart
    assert 'value="2"' in cart


def test_sign_in_sends_user_logged_in_for_the_cart(app, client):
    user_id = make_user(app)
    seen = []

    def listener(sender, user, **extra):
        seen.append(user.id)

    with user_logged_in.connected_to(listener, app):
        login(client)
    assert seen == [user_id]


def test_failed_sign_in_sends_login_failed_with_the_account_or_none(app, client):
    user_id = make_user(app)
    seen = []

    def listener(sender, user, **extra):
        seen.append(user.id if user is not None else None)

    with login_failed.connected_to(listener, app):
        login(client, password="not the password")
        login(client, email="nobody@example.com")
    assert seen == [user_id, None]


def test_unknown_email_and_wrong_password_get_the_same_answer(app, client):
    make_user(app)
    wrong_password = login(client, password="not the password at all")
    unknown = login(client, email="nobody@example.com", password="not the password at all")
    assert wrong_password.status_code == unknown.status_code == 200
    strip = lambda r, email: r.text.replace(csrf_token_from(r.text), "T").replace(email, "E")  # noqa: E731
    assert strip(wrong_password, "ann@example.com") == strip(unknown, "nobody@example.com")
    assert "The email or password is not right." in unknown.text


def test_unknown_email_does_the_same_argon2_work_as_a_wrong_password(app, client, monkeypatch):
    """Both answers verify one Argon2 hash (a dummy one for an unknown email), so their time
    does not tell which addresses have accounts. Counted, not timed: timings on a shared
    machine make flaky tests. The real verification runs; the wrapper only counts it."""
    from jomso.accounts import passwords

    make_user(app)
    calls = []

    class CountingHasher:
        def __init__(self, real):
            self._real = real

        def verify(self, password_hash, password):
            calls.append(password_hash)
            return self._real.verify(password_hash, password)

        def __getattr__(self, name):
            return getattr(self._real, name)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher(passwords._hasher))
    login(client, email="ann@example.com", password="not the password at all")
    login(client, email="nobody@example.com", password="not the password at all")
    assert len(calls) == 2
    assert all(h.startswith("$argon2id$") for h in calls)
    assert calls[1] == passwords._DUMMY_HASH


def test_disabled_account_cannot_sign_in_and_gets_the_same_answer(app, client):
    user_id = make_user(app)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    response = login(client)
    assert response.status_code == 200
    assert "The email or password is not right." in response.text


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account/profile", "/account/profile"),
        ("/products?q=tea", "/products?q=tea"),
        ("https://evil.example/", "/account"),
        ("//evil.example/path", "/account"),
        ("/\\evil.example", "/account"),
        ("javascript:alert(1)", "/account"),
    ],
)
def test_only_safe_next_targets_are_followed(app, client, target, expected):
    make_user(app)
    page = client.get("/account/login", query_string={"next": target})
    response = client.post(
        "/account/login",
        query_string={"next": target},
        data={
            "email": "ann@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token_from(page.text),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_protected_page_sends_to_sign_in_and_back(app, client):
    make_user(app)
    response = client.get("/account/addresses")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")
    follow = client.get(response.headers["Location"])
    assert "Please sign in to see this page." in follow.text
    response = client.post(
        response.headers["Location"],
        data={
            "email": "ann@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token_from(follow.text),
        },
    )
    assert response.headers["Location"] == "/account/addresses"


def test_staff_land_on_the_staff_dashboard(app, client):
    make_user(app, email="owner@example.com", roles=["owner"])
    response = login(client, email="owner@example.com")
    assert response.headers["Location"] == "/staff/"


def test_signed_in_visitor_sees_who_is_signed_in_on_the_sign_in_page(app, client):
    make_user(app)
    login(client)
    page = client.get("/account/login")
    assert page.status_code == 200
    assert "You are signed in as ann@example.com" in page.text
    assert 'name="csrf_token"' in page.text


def test_end_all_sessions_can_join_the_callers_transaction(app, client):
    user_id = make_user(app)
    login(client)
    with app.app_context():
        user = db.session.get(User, user_id)
        user_sessions.end_all_sessions(user, commit=False)
        user.active = False
        db.session.rollback()  # the caller's change failed: the sessions stay
    assert _signed_in(client)


def test_logout_is_a_post_with_csrf(app, client):
    make_user(app)
    login(client)
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 400  # no CSRF token
    assert _signed_in(client)
    response = sign_out(client)
    assert response.status_code == 302
    assert not _signed_in(client)
    assert "You are signed out." in client.get("/").text


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client):
    user_id = make_user(app)
    login(client)
    stolen = client.get_cookie("jomso_session", domain="shop.test").value
    assert len(_session_rows(app, user_id)) == 1
    sign_out(client)
    assert _session_rows(app, user_id) == []
    thief = app.test_client()
    thief.set_cookie("jomso_session", stolen, domain="shop.test")
    assert not _signed_in(thief)


def test_session_table_stores_only_a_hash_of_the_token(app, client):
    user_id = make_user(app)
    login(client)
    user_part, version, token = session_id(client).split(":")
    assert (int(user_part), version) == (user_id, "1")
    [row] = _session_rows(app, user_id)
    assert token not in row.token_hash
    assert len(token) >= 40


@remember_cookie_warning
def test_remember_me_survives_closing_the_browser_until_sign_out(app, client):
    user_id = make_user(app)
    page = client.get("/account/login")
    client.post(
        "/account/login",
        data={
            "email": "ann@example.com",
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": csrf_token_from(page.text),
        },
    )
    remember = client.get_cookie("jomso_remember", domain="shop.test")
    assert remember is not None
    [row] = _session_rows(app, user_id)
    assert row.remember
    assert (row.expires_at - row.created_at).days == 30

    client.delete_cookie("jomso_session", domain="shop.test")  # the browser was closed
    assert _signed_in(client)

    copied = remember.value
    sign_out(client)
    assert client.get_cookie("jomso_remember", domain="shop.test") is None
    thief = app.test_client()
    thief.set_cookie("jomso_remember", copied, domain="shop.test")
    assert not _signed_in(thief)


def test_a_guest_is_sent_the_session_cookie_once_not_again_on_each_page(client):
    first = client.get("/")
    assert first.headers["Set-Cookie"].startswith("jomso_session=")
    for path in ("/account/login", "/products", "/cart", "/account/login"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path


@remember_cookie_warning
def test_the_remember_cookie_is_secure_whenever_the_session_cookie_is(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, SESSION_COOKIE_SECURE=True)
    try:
        make_user(app)
        client = app.test_client()
        https = {"base_url": "https://shop.test", "headers": {"Referer": "https://shop.test/"}}
        page = client.get("/account/login", **https)
        data = {"email": "ann@example.com", "password": PASSWORD, "remember": "y"}
        response = client.post(
            "/account/login", data={**data, "csrf_token": csrf_token_from(page.text)}, **https
        )
        assert response.status_code == 302
        cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
        assert "; Secure" in cookies["jomso_session"]
        assert "; Secure" in cookies["jomso_remember"]
    finally:
        dispose_app(app)


def test_expired_session_rows_no_longer_sign_in(app, client):
    user_id = make_user(app)
    login(client)
    with app.app_context():
        row = db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)).one()
        row.expires_at = row.created_at
        db.session.commit()
    assert not _signed_in(client)
    with app.app_context():
        assert user_sessions.purge_expired_sessions() == 1


def test_end_all_sessions_signs_out_every_device(app, client):
    user_id = make_user(app)
    other = app.test_client()
    login(client)
    login(other)
    assert len(_session_rows(app, user_id)) == 2
    with app.app_context():
        user_sessions.end_all_sessions(db.session.get(User, user_id))
    assert not _signed_in(client)
    assert not _signed_in(other)
    assert _session_rows(app, user_id) == []


def test_bumping_session_version_still_ends_every_session(app, client):
    user_id = make_user(app)
    login(client)
    with app.app_context():
        db.session.get(User, user_id).session_version += 1
        db.session.commit()
    assert not _signed_in(client)


def test_signed_in_devices_page_ends_one_or_all_other_sessions(app, client):
    user_id = make_user(app)
    laptop, phone = app.test_client(), app.test_client()
    login(client)
    login(laptop)
    login(phone)
    page = client.get("/account/sessions")
    assert page.status_code == 200
    assert page.text.count("This device") == 1
    assert page.text.count(">Sign out</button>") == 2 + 1  # two other devices, plus the side nav

    rows = _session_rows(app, user_id)
    laptop_token = session_id(laptop).split(":")[2]
    laptop_row = next(r for r in rows if r.token_hash == user_sessions._token_hash(laptop_token))
    response = client.post(
        f"/account/sessions/{laptop_row.id}/end", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert response.status_code == 302
    assert not _signed_in(laptop)
    assert _signed_in(phone) and _signed_in(client)

    page = client.get("/account/sessions")
    client.post("/account/sessions/end-others", data={"csrf_token": csrf_token_from(page.text)})
    assert not _signed_in(phone)
    assert _signed_in(client)
    assert len(_session_rows(app, user_id)) == 1


def test_another_customers_session_cannot_be_ended(app, client):
    make_user(app)
    other_id = make_user(app, email="other@example.com")
    other = app.test_client()
    login(other, email="other@example.com")
    [other_row] = _session_rows(app, other_id)
    login(client)
    page = client.get("/account/sessions")
    response = client.post(
        f"/account/sessions/{other_row.id}/end", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert response.status_code == 404
    assert _signed_in(other)


def test_sign_in_form_keeps_the_email_and_asks_for_missing_fields(client):
    response = post_form(client, "/account/login", {"email": "", "password": ""})
    assert response.status_code == 200
    assert 'id="email-error">Enter your email address.' in response.text
    assert 'id="password-error">Enter your password.' in response.text
    response = sign_in(client, email="ann@example.com", password="secret words here")
    assert 'value="ann@example.com"' in response.text
    assert "secret words here" not in response.text
