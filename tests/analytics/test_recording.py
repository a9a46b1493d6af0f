"""Page views: what is recorded, for which requests, and what never is."""

from __future__ import annotations

import pytest
from flask import g, render_template
from sqlalchemy import select

from jomso.analytics.models import PageView
from jomso.analytics.recording import browser_and_os
from jomso.extensions import db
from tests.catalog.helpers import make_product
from tests.consent.helpers import CHROME_UA, IP, IPV6, choose, cookies_set
from tests.helpers import login, make_user


def _views(app):
    with app.app_context():
        return db.session.scalars(select(PageView).order_by(PageView.id)).all()


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = IP
    return client


def test_path_is_stored_without_query_string(app, client):
    client.get("/products?q=red+shoes&page=2")
    [view] = _views(app)
    assert (view.path, view.status) == ("/products", 200)


def test_browser_and_system_reduced_to_family_and_major(app, client):
    client.get("/", headers={"User-Agent": CHROME_UA})
    [view] = _views(app)
    assert (view.browser_family, view.browser_version) == ("Chrome", "120")
    assert (view.os_family, view.os_version) == ("Windows", "10")


def test_unknown_user_agent_is_other(app):
    assert browser_and_os("zzzz")[0] == "Other"
    assert browser_and_os("") == (None, None, None, None)


@pytest.mark.parametrize(
    ("referrer", "host"),
    [
        ("https://www.Example.org/search?q=secret", "www.example.org"),
        ("http://shop.test/products", None),  # our own pages are not a referring site
        ("android-app://com.example", None),
        ("not a url", None),
    ],
)
def test_referrer_is_an_external_host_only(app, client, referrer, host):
    client.get("/", headers={"Referer": referrer})
    assert _views(app)[-1].referrer_host == host


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/staff/"),
        ("get", "/healthz"),
        ("get", "/static/css/shop.css"),
        ("get", "/no-such-page"),
        ("head", "/"),
        ("post", "/cookies/consent"),
        ("get", "/account"),  # redirects to the login page: the login page view is what counts
    ],
)
def test_requests_that_are_not_recorded(app, client, method, url):
    getattr(client, method)(url).close()
    assert _views(app) == []


def test_staff_pages_are_never_recorded_even_with_consent(app, client):
    make_user(app, email="owner@example.com", roles=["owner"])
    choose(client, "accept")
    login(client, "owner@example.com")
    before = len(_views(app))
    client.get("/staff/")
    client.get("/staff/analytics")
    assert len(_views(app)) == before


def test_product_id_from_the_view_and_private_values_stay_out_of_paths(app, client):
    product_id = make_product(app, "Red lamp", price_cents=1000, sku="L-1")

    @app.get("/test-products/<slug>")
    def _product(slug):
        g.analytics_product_id = product_id
        return render_template("catalog/home.html")

    @app.get("/test-orders/<number>")
    def _order(number):
        return render_template("catalog/home.html")

    @app.get("/test-reset/<token>")
    def _reset(token):
        return render_template("catalog/home.html")

    client.get("/test-products/red-lamp")
    client.get("/test-orders/J-2026-000123")
    client.get("/test-reset/abc.def-secret")
    product, order, reset = _views(app)
    assert (product.path, product.product_id) == ("/test-products/red-lamp", product_id)
    assert order.path == "/test-orders/<number>"
    assert reset.path == "/test-reset/<token>"


def test_error_pages_are_recorded_with_their_status(app, client):
    @app.get("/test-missing/<slug>")
    def _missing(slug):
        from flask import abort

        abort(404)

    client.get("/test-missing/gone")
    [view] = _views(app)
    assert (view.path, view.status, view.product_id) == ("/test-missing/gone", 404, None)


def test_ipv6_address_recorded_with_consent(app, client):
    client.environ_base["REMOTE_ADDR"] = IPV6
    choose(client, "accept")
    client.get("/")
    assert _views(app)[-1].ip == IPV6


def test_analytics_disabled_records_nothing_and_sets_no_visitor_cookie(app, client):
    app.config["ANALYTICS_ENABLED"] = False
    response = choose(client, "accept")
    page = client.get("/")
    assert _views(app) == []
    assert "jomso_vid" not in cookies_set(page)
    assert response.status_code == 303


def test_recording_failure_does_not_break_the_page(app, client, caplog):
    with app.app_context():
        PageView.__table__.drop(db.engine)
    response = client.get("/")
    assert response.status_code == 200
    assert "page views not recorded" in caplog.text
    assert IP not in caplog.text


def test_view_session_is_untouched_by_recording(app, client):
    """The insert runs on its own connection: a view's pending work is neither committed nor
    rolled back by it."""
    from jomso.accounts.models import User

    @app.get("/test-pending")
    def _pending():
        db.session.add(User(email="pending@example.com", password_hash="x"))
        return "<!doctype html><p>pending</p>"

    client.get("/test-pending")
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "pending@example.com")) is None
    assert len(_views(app)) == 1


def test_write_behind_records_from_the_writer_thread(app, client):
    from jomso.analytics.writer import flush_page_views

    app.config["TESTING"] = False  # under TESTING rows are written at once
    try:
        for _ in range(25):
            assert client.get("/products").status_code == 200
        assert flush_page_views()
    finally:
        app.config["TESTING"] = True
    assert len(_views(app)) == 25


def test_a_refused_row_does_not_lose_its_batch(app):
    from jomso.analytics.writer import write_now
    from jomso.database import utcnow

    row = {
        "created_at": utcnow(),
        "path": "/",
        "product_id": None,
        "status": 200,
        "referrer_host": None,
        "browser_family": None,
        "browser_version": None,
        "os_family": None,
        "os_version": None,
        "consented": True,
        "visitor_id": "v" * 22,
        "ip": IP,
        "ip_truncated": False,
        "user_id": None,
    }
    with app.app_context():
        write_now(db.engine, row, {**row, "user_id": 999}, {**row, "path": "/cookies"})
    assert [v.path for v in _views(app)] == ["/", "/cookies"]
