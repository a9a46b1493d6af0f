"""Cookie consent: the banner, the settings page, the consent cookie, the ledger and GPC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from jomso.analytics.models import PageView
from jomso.consent.models import ConsentRecord
from jomso.consent.services import hash_ip, record_consent
from jomso.extensions import db
from tests.consent.helpers import (
    ESSENTIAL,
    IP,
    banner_token,
    choose,
    choose_in_settings,
    consent_cookie,
    cookies_set,
    is_deletion,
)
from tests.helpers import login, make_user, stored_bytes

GPC = {"Sec-GPC": "1"}


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = IP
    return client


def _views(app):
    with app.app_context():
        return db.session.scalars(select(PageView).order_by(PageView.id)).all()


def _records(app):
    with app.app_context():
        return db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()


def _database_text(app) -> str:
    """Everything stored (``tests.helpers.stored_bytes``), as text."""
    return stored_bytes(app).decode("utf-8", "replace")


def test_first_visit_shows_banner_and_sets_only_the_session_cookie(app, client):
    response = client.get("/")
    assert response.status_code == 200
    assert set(cookies_set(response)) == {"jomso_session"}
    html = response.text
    assert 'action="/cookies/consent"' in html
    assert '<button type="submit" class="consent-button" name="choice" value="accept">' in html
    assert '<button type="submit" class="consent-button" name="choice" value="decline">' in html
    assert 'href="/cookies"' in html
    [view] = _views(app)
    assert (view.ip, view.visitor_id, view.user_id, view.consented) == (None, None, None, False)
    assert _records(app) == []
    assert IP not in _database_text(app)


def test_session_cookie_is_a_browser_session_cookie(client):
    header = cookies_set(client.get("/"))["jomso_session"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Expires" not in header and "Max-Age" not in header


def test_decline_sets_only_essential_cookies_and_stores_no_ip(app, client):
    response = choose(client, "decline", page="/products?q=lamp")
    assert response.status_code == 303
    assert response.headers["Location"] == "/products?q=lamp"
    assert set(cookies_set(response)) <= ESSENTIAL
    assert "jomso_consent" in cookies_set(response)

    page = client.get("/")
    assert "cookie-banner" not in page.text
    assert "Analytics cookies are off" in page.text
    assert set(cookies_set(page)) <= ESSENTIAL
    for view in _views(app):
        assert (view.ip, view.visitor_id, view.consented) == (None, None, False)

    [record] = _records(app)
    assert (record.choice, record.scope, record.source) == ("decline", "analytics", "banner")
    assert record.policy_version == 1
    assert record.visitor_id is None
    with app.app_context():
        assert record.ip_hash == hash_ip(IP)
    assert len(record.ip_hash) == 64
    assert IP not in _database_text(app)


def test_returning_visitor_with_a_choice_gets_no_cookie_but_the_essential_session(app):
    """Once the choice is made there is no banner, and browsing sets no cookie but the
    essential session cookie (the footer's subscribe form carries a CSRF token)."""
    today = datetime.now(UTC).date()
    for choice in ("decline", "accept"):
        client = app.test_client()
        consent_cookie(client, choice, today - timedelta(days=3))
        if choice == "accept":
            client.set_cookie("jomso_vid", "A" * 22, domain="shop.test")
        for page in ("/", "/products", "/products?q=lamp"):
            response = client.get(page)
            assert response.status_code == 200
            assert set(cookies_set(response)) <= {"jomso_session"}, (choice, page)


def test_policy_version_is_recorded_in_cookie_and_ledger(app, client, monkeypatch):
    import jomso.consent.views as views

    monkeypatch.setattr(views, "current_policy_version", lambda: 7)
    response = choose(client, "accept")
    assert cookies_set(response)["jomso_consent"].startswith("jomso_consent=accept.7.")
    assert _records(app)[-1].policy_version == 7


def test_accept_sets_visitor_cookie_and_records_ip(app, client):
    response = choose(client, "accept")
    cookies = cookies_set(response)
    assert "jomso_vid" in cookies
    vid = cookies["jomso_vid"].split(";")[0].split("=", 1)[1]
    assert "HttpOnly" in cookies["jomso_vid"] and "SameSite=Lax" in cookies["jomso_vid"]
    max_age = int(cookies["jomso_vid"].split("Max-Age=")[1].split(";")[0])
    assert 181 * 86400 < max_age <= 182 * 86400

    client.get("/products")
    view = _views(app)[-1]
    assert (view.visitor_id, view.ip, view.consented) == (vid, IP, True)
    [record] = _records(app)
    assert (record.choice, record.visitor_id, record.policy_version) == ("accept", vid, 1)
    with app.app_context():
        assert record.ip_hash == hash_ip(IP)
    assert IP not in record.ip_hash


def test_consented_visitor_without_cookie_gets_a_new_visitor_id(app, client):
    choose(client, "accept")
    client.delete_cookie("jomso_vid", domain="shop.test")
    response = client.get("/")
    assert "jomso_vid" in cookies_set(response)
    assert _views(app)[-1].visitor_id is not None


def test_signed_in_customer_is_linked_only_with_consent(app, client):
    user_id = make_user(app)
    login(client)
    choose(client, "decline")
    client.get("/")
    assert _views(app)[-1].user_id is None
    choose_in_settings(client, "accept")
    client.get("/")
    assert _views(app)[-1].user_id == user_id
    assert _records(app)[-1].user_id == user_id


def test_gpc_banner_says_it_is_a_decline(client):
    html = client.get("/", headers=GPC).text
    assert "Your browser's Global Privacy Control signal is on, so we treat it as a decline" in html
    assert 'value="accept"' not in html
    assert 'href="/cookies"' in html


def test_gpc_wins_over_an_accept(app, client):
    response = choose(client, "accept", headers=GPC)
    assert "jomso_vid" not in cookies_set(response)
    assert _records(app)[-1].choice == "accept"  # what the visitor pressed is on the record
    client.get("/products", headers=GPC)
    for view in _views(app):
        assert (view.ip, view.visitor_id, view.consented) == (None, None, False)
    assert IP not in _database_text(app)


def test_gpc_deletes_an_existing_visitor_cookie(app, client):
    choose(client, "accept")
    response = client.get("/", headers=GPC)
    assert is_deletion(cookies_set(response)["jomso_vid"])
    assert _views(app)[-1].visitor_id is None
    assert "Global Privacy Control" in client.get("/cookies", headers=GPC).text


def test_gpc_ok_button_records_a_decline_from_gpc(app, client):
    html = client.get("/", headers=GPC).text
    response = client.post(
        "/cookies/consent",
        data={"csrf_token": banner_token(html), "choice": "decline", "source": "gpc", "next": "/"},
        headers=GPC,
    )
    assert response.status_code == 303
    assert (_records(app)[-1].choice, _records(app)[-1].source) == ("decline", "gpc")
    assert "cookie-banner" not in client.get("/", headers=GPC).text


def test_every_choice_made_while_gpc_is_on_records_the_signal(app, client):
    """Whatever the scope or the page: the ledger says which choices came with GPC on, so an
    accept it outweighed is not mistaken for consent. The export shows it too."""
    from tests.contact.helpers import subscribe_from_footer

    make_user(app, "gwen@example.com")
    login(client, "gwen@example.com")
    choose(client, "accept")
    choose_in_settings(client, "accept", headers=GPC)
    choose_in_settings(client, "decline", headers=GPC)
    subscribe_from_footer(client, "gwen@example.com", **GPC)
    assert [(r.choice, r.scope, r.source, r.gpc) for r in _records(app)] == [
        ("accept", "analytics", "banner", False),
        ("accept", "analytics", "settings", True),
        ("decline", "analytics", "settings", True),
        ("accept", "newsletter", "footer", True),
    ]
    export = client.get("/account/export").get_json()
    assert [c["gpc"] for c in export["consents"]] == [False, True, True, True]


def test_withdrawal_on_settings_page_deletes_visitor_cookie(app, client):
    choose(client, "accept")
    vid = client.get_cookie("jomso_vid", domain="shop.test").value
    page = client.get("/cookies")
    assert "You accepted analytics cookies" in page.text
    assert "cookie-banner" not in page.text
    response = choose_in_settings(client, "decline")
    assert response.headers["Location"] == "/cookies"
    assert is_deletion(cookies_set(response)["jomso_vid"])
    assert client.get_cookie("jomso_vid", domain="shop.test") is None
    record = _records(app)[-1]
    assert (record.choice, record.source, record.visitor_id) == ("decline", "settings", vid)
    assert "You declined analytics cookies" in client.get("/cookies").text


@pytest.mark.parametrize(
    "data",
    [
        {"choice": "maybe"},
        {"choice": ""},
        {},
        {"choice": "accept", "source": "somewhere"},
    ],
)
def test_bad_choice_is_refused_and_nothing_recorded(app, client, data):
    token = banner_token(client.get("/").text)
    response = client.post("/cookies/consent", data={"csrf_token": token, **data})
    assert response.status_code == 400
    assert "jomso_consent" not in cookies_set(response)
    assert _records(app) == []


def test_missing_or_wrong_csrf_token_is_refused(app, client):
    client.get("/")
    for token in (None, "forged"):
        data = {"choice": "accept", "next": "/"}
        if token:
            data["csrf_token"] = token
        response = client.post("/cookies/consent", data=data)
        assert response.status_code == 400
        assert "This form has expired" in response.text
        assert not {"jomso_consent", "jomso_vid"} & set(cookies_set(response))
    assert _records(app) == []


def test_unsafe_next_goes_to_settings(client):
    response = choose(client, "decline", next="https://evil.example/")
    assert response.headers["Location"] == "/cookies"


def test_choice_is_asked_again_after_consent_max_age(app, client):
    today = datetime.now(UTC).date()
    consent_cookie(client, "accept", today - timedelta(days=181))
    assert "cookie-banner" not in client.get("/").text
    consent_cookie(client, "accept", today - timedelta(days=182))
    response = client.get("/")
    assert "cookie-banner" in response.text
    assert is_deletion(cookies_set(response)["jomso_vid"])  # the visitor id goes with it
    assert _views(app)[-1].consented is False


def test_forged_consent_cookie_counts_as_no_choice(app, client):
    client.set_cookie("jomso_consent", "accept.1.2030-01-01.forged", domain="shop.test")
    response = client.get("/")
    assert "cookie-banner" in response.text
    assert "jomso_vid" not in cookies_set(response)


def test_script_gets_json_instead_of_redirect(app, client):
    token = banner_token(client.get("/").text)
    response = client.post(
        "/cookies/consent",
        data={"csrf_token": token, "choice": "accept", "next": "/"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json == {"choice": "accept"}
    assert "jomso_vid" in cookies_set(response)
    assert "Thank you" not in client.get("/").text  # no flash left for the next page


def test_settings_page_describes_every_cookie(client):
    html = client.get("/cookies").text
    assert "You have not made a choice yet" in html
    for name in ("jomso_session", "jomso_consent", "jomso_remember", "jomso_vid"):
        assert f"<code>{name}</code>" in html
    assert "Until you close your browser" in html
    assert "182 days, then we ask again" in html
    assert "Only with your consent" in html
    assert "shortened after 30 days" in html and "deleted after 395 days" in html


def test_no_banner_on_staff_pages(app, client):
    make_user(app, email="owner@example.com", roles=["owner"])
    login(client, "owner@example.com")
    assert "cookie-banner" not in client.get("/staff/").text
    assert "cookie-banner" in client.get("/").text


def test_head_request_sets_no_cookie_and_records_nothing(app, client):
    response = client.head("/")
    assert "jomso_vid" not in cookies_set(response)
    assert _views(app) == []


def test_record_consent_service_for_other_scopes(app):
    user_id = make_user(app)
    with app.app_context():
        from jomso.accounts.models import User

        user = db.session.get(User, user_id)
        record = record_consent("accept", scope="newsletter", source="contact_form", user=user)
        assert (record.scope, record.user_id, record.ip_hash) == ("newsletter", user_id, None)
        with pytest.raises(ValueError):
            record_consent("perhaps", scope="newsletter", source="contact_form")
        with pytest.raises(ValueError):
            record_consent("accept", scope="newsletter", source="nowhere")


def test_ledger_is_append_only(app):
    with app.app_context():
        record = record_consent("accept", ip="198.51.100.1")
        record.choice = "decline"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()


def test_ip_hash_is_keyed_and_normalised(app):
    with app.app_context():
        assert hash_ip("2001:DB8::1") == hash_ip("2001:db8:0::1")
        assert hash_ip("not an ip") is None
        first = hash_ip(IP)
    app.config["SECRET_KEY"] = "another key"
    with app.app_context():
        assert hash_ip(IP) != first
