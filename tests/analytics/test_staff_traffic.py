"""The staff traffic page: who may see it, what it shows, and what it never shows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jomso.analytics.reports import traffic_report
from jomso.consent.services import record_consent
from jomso.database import utcnow
from jomso.shop_time import local_segments, shop_today
from tests.catalog.helpers import make_product
from tests.consent.helpers import CHROME_UA, IP, IPV6, add_views, choose
from tests.helpers import login, make_user

TABLES = ("daily", "pages", "products", "referrers", "browsers", "systems")
SECRET_VIDS = ("VisitorOneVisitorOne12", "VisitorTwoVisitorTwo34")


def _today(app) -> date:
    with app.app_context():
        return shop_today()


def _staff_client(app, roles, email="staff@example.com"):
    make_user(app, email=email, roles=roles)
    client = app.test_client()
    app.config["ANALYTICS_ENABLED"] = False  # the sign-in page view would change the figures
    login(client, email)
    app.config["ANALYTICS_ENABLED"] = True
    return client


@pytest.mark.parametrize("url", ["/staff/analytics", "/staff/analytics/export.csv"])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        ([], 403),
        (["support"], 403),
        (["orders"], 403),
        (["analyst"], 200),
        (["catalog"], 200),
        (["owner"], 200),
    ],
)
@pytest.mark.parametrize("url", ["/staff/analytics", "/staff/analytics/export.csv"])
def test_permission(app, roles, status, url):
    assert _staff_client(app, roles).get(url).status_code == status


def _seed(app):
    """A week of traffic with known visitors, IPs, a customer and two products."""
    customer = make_user(app, email="customer@example.com", name="Carla Customer")
    lamp_id = make_product(app, "Red lamp", price_cents=1000, sku="L-1")
    make_product(app, "Oak chair", price_cents=9000, sku="C-1")
    with app.app_context():
        record_consent("accept", ip=IP, visitor_id=SECRET_VIDS[0])
        record_consent("accept", ip=IPV6, visitor_id=SECRET_VIDS[1])
        record_consent("decline", ip="198.51.100.23")
    now = utcnow()
    add_views(
        app,
        {
            "created_at": now,
            "path": "/products/red-lamp",
            "product_id": lamp_id,
            "ip": IP,
            "visitor_id": SECRET_VIDS[0],
            "consented": True,
            "user_id": customer,
            "browser_family": "Chrome",
            "browser_version": "120",
            "os_family": "Windows",
            "referrer_host": "www.example.org",
        },
        {
            "created_at": now,
            "path": "/products/red-lamp",
            "ip": IPV6,
            "visitor_id": SECRET_VIDS[1],
            "consented": True,
            "browser_family": "Firefox",
        },
        {
            "created_at": now - timedelta(days=1),
            "path": "/products/oak-chair",
            "browser_family": "Firefox",
        },
        {"created_at": now - timedelta(days=1), "path": "/products/gone", "status": 404},
        {"created_at": now - timedelta(days=2), "path": "/", "browser_family": "Safari"},
        {
            "created_at": now - timedelta(days=2),
            "path": "/",
            "ip": "192.0.2.0",
            "ip_truncated": True,
            "visitor_id": SECRET_VIDS[0],
            "consented": True,
        },
        {"created_at": now - timedelta(days=60), "path": "/old-page"},
    )


def test_figures_for_an_analyst(app):
    _seed(app)
    client = _staff_client(app, ["analyst"])
    html = client.get("/staff/analytics").text
    assert "<svg" in html and 'class="chart-bar"' in html
    assert "Red lamp" in html and "Oak chair" in html  # by product id and by slug
    assert "/products/red-lamp" in html
    assert "/products/gone" not in html  # not-found pages are not "top pages"
    assert "/old-page" not in html  # outside the last 30 days
    assert "www.example.org" in html
    assert "Firefox" in html and "Chrome" in html
    assert "66.7%" in html  # 2 of 3 consent choices were accepts

    with app.app_context():
        report = traffic_report(_today(app) - timedelta(days=29), _today(app))
    assert report.total_views == 6
    assert report.unique_visitors == 2
    assert report.top_products == [("Red lamp", 2), ("Oak chair", 1)]
    assert report.days[-1].views == 2 and report.days[-1].visitors == 2


def test_no_ip_visitor_id_or_account_reaches_staff(app):
    _seed(app)
    client = _staff_client(app, ["owner"])
    bodies = [client.get("/staff/analytics").text]
    bodies += [client.get(f"/staff/analytics/export.csv?table={table}").text for table in TABLES]
    secrets = [
        IP,
        IPV6,
        "2001:db8",
        "192.0.2.0",
        "198.51.100",
        *SECRET_VIDS,
        "customer@example.com",
        "Carla Customer",
    ]
    for body in bodies:
        for secret in secrets:
            assert secret.lower() not in body.lower()


def test_csv_downloads(app):
    _seed(app)
    client = _staff_client(app, ["catalog"])
    today = _today(app)
    response = client.get(
        f"/staff/analytics/export.csv?table=daily&start={today - timedelta(days=6)}&end={today}"
    )
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for spreadsheets
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert rows[0] == ["date", "page views", "unique visitors", "page views with consent"]
    assert len(rows) == 1 + 7
    assert rows[-1] == [today.isoformat(), "2", "2", "2"]
    assert sum(int(r[1]) for r in rows[1:]) == 6

    products = client.get("/staff/analytics/export.csv?table=products").text
    assert "Red lamp,2" in products
    assert client.get("/staff/analytics/export.csv?table=visitors").status_code == 404


def test_csv_cells_cannot_run_as_formulas(app):
    make_product(app, "=HYPERLINK(1)", price_cents=1, sku="X")
    add_views(app, {"created_at": utcnow(), "path": "/products/hyperlink-1"})
    body = _staff_client(app, ["analyst"]).get("/staff/analytics/export.csv?table=products").text
    assert "'=HYPERLINK(1)" in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=yesterday&end=2026-01-01", "We could not read those dates"),
        ("start=2026-03-10&end=2026-03-01", "The end date is before the start date."),
        ("start=2020-01-01&end=2026-01-01", "Choose at most 800 days."),
    ],
)
def test_bad_dates_say_so_and_show_the_last_30_days(app, query, message):
    client = _staff_client(app, ["analyst"])
    html = client.get(f"/staff/analytics?{query}").text
    assert message in html
    today = _today(app)
    with app.test_request_context():
        from flask_babel import format_date

        assert format_date(today - timedelta(days=29)) in html
    if "yesterday" in query:
        assert 'value="yesterday"' in html  # what was typed comes back


def test_date_range_filter(app):
    _seed(app)
    client = _staff_client(app, ["analyst"])
    today = _today(app)
    start = today - timedelta(days=70)
    end = today - timedelta(days=50)
    html = client.get(f"/staff/analytics?start={start}&end={end}").text
    assert "/old-page" in html
    assert "Red lamp" not in html


def test_days_follow_the_shop_time_zone_across_daylight_saving(app):
    berlin = ZoneInfo("Europe/Berlin")
    # Clocks went forward in Berlin at 01:00 UTC on 29 March 2026.
    segments = local_segments(date(2026, 3, 28), date(2026, 3, 30), berlin)
    assert [(s[0].isoformat(), s[2]) for s in segments] == [
        ("2026-03-27T23:00:00+00:00", 60),
        ("2026-03-29T01:00:00+00:00", 120),
    ]
    assert segments[-1][1] == datetime(2026, 3, 30, 22, tzinfo=UTC)

    app.config["TIMEZONE"] = "Europe/Berlin"
    add_views(
        app,
        {"created_at": datetime(2026, 3, 28, 23, 30, tzinfo=UTC)},  # 00:30 on the 29th, CET
        {"created_at": datetime(2026, 3, 29, 22, 30, tzinfo=UTC)},  # 00:30 on the 30th, CEST
        {"created_at": datetime(2026, 3, 29, 21, 30, tzinfo=UTC)},  # 23:30 on the 29th, CEST
    )
    with app.app_context():
        report = traffic_report(date(2026, 3, 28), date(2026, 3, 30))
    assert [(d.day.day, d.views) for d in report.days] == [(28, 0), (29, 2), (30, 1)]


def test_consent_share_counts_real_choices(app):
    client = app.test_client()
    choose(client, "accept", headers={"User-Agent": CHROME_UA})
    other = app.test_client()
    choose(other, "decline")
    third = app.test_client()
    choose(third, "decline")
    html = _staff_client(app, ["analyst"]).get("/staff/analytics").text
    assert "33.3%" in html
    assert "1 accepted, 2 declined in this range" in html
