"""The sales page: who may open it, what each figure adds up for a period, the shop's days in
its time zone, the periods and the wrong ones, and the CSV downloads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jomso.database import utcnow
from jomso.extensions import db
from jomso.shop_time import shop_today
from tests.catalog.helpers import make_product
from tests.consent.helpers import add_views
from tests.orders.factories import make_order
from tests.sales.helpers import figures, local, read_csv, section, table_rows
from tests.staff.helpers import staff_client

MARCH = "start=2026-03-01&end=2026-03-31"


def _today(app) -> date:
    with app.app_context():
        return shop_today()


def _category(app, name: str) -> int:
    from jomso.catalog.models import Category

    with app.app_context():
        category = Category(name=name, slug=name.lower())
        db.session.add(category)
        db.session.commit()
        return category.id


def _march(app):
    """Orders of March 2026 in every status, products in two categories and none, three
    countries, and refunds made, failed and refused."""
    mugs = _category(app, "Mugs")
    lamps = _category(app, "Lamps")
    mug = make_product(app, "Blue Mug", price_cents=1000, category_id=mugs)
    lamp = make_product(app, "Red Lamp", price_cents=5000, category_id=lamps)
    loose = make_product(app, "Loose Tea", price_cents=400)
    at = lambda day, hour=12: local("UTC", 2026, 3, day, hour)  # noqa: E731
    make_order(app, created_at=at(2), lines=[(mug, 3, 1000)], shipping_cents=500)  # 3500
    make_order(
        app, status="delivered", created_at=at(2, 18), lines=[(lamp, 1, 5000)], country="DE"
    )  # 5000
    make_order(
        app,
        status="refunded",
        created_at=at(10),
        lines=[(mug, 1, 1000), (loose, 5, 400)],
        country="FR",
        refunds=[(3000, at(12), "settled")],
    )  # 3000, refunded on the 12th
    make_order(
        app,
        status="partly_refunded",
        created_at=at(20),
        lines=[(lamp, 2, 5000)],
        refunds=[(1000, at(21), "settled"), (700, at(22), "failed")],
    )  # 10000, 10.00 back on the 21st, the 7.00 refund failed
    for status in ("pending_payment", "payment_failed", "payment_unknown", "cancelled"):
        make_order(app, status=status, created_at=at(15), lines=[(mug, 9, 1000)])
    make_order(app, created_at=local("UTC", 2026, 4, 1, 1), lines=[(mug, 1, 1000)])  # April


def test_the_figures_of_a_month_add_up(app):
    _march(app)
    html = staff_client(app, "analyst").get(f"/staff/sales?{MARCH}").text
    assert figures(html) == {
        "gross": "$215.00",
        "refunds": "$40.00",
        "net": "$175.00",
        "orders": "4",
        "average": "$53.75",
        "conversion": "\N{EN DASH}",
        "discounts": "$0.00",  # no order used a code
    }
    assert "12 units" in html
    assert "2 refunds made in this period" in html
    assert "shipping included: $5.00 of it" in html


def test_refunds_count_on_the_day_they_were_made(app):
    _march(app)
    client = staff_client(app, "analyst")
    before = figures(client.get("/staff/sales?start=2026-03-01&end=2026-03-11").text)
    assert before["refunds"] == "$0.00" and before["gross"] == "$115.00"
    after = figures(client.get("/staff/sales?start=2026-03-12&end=2026-03-31").text)
    assert after["refunds"] == "$40.00" and after["gross"] == "$100.00"
    assert after["net"] == "$60.00"


def test_best_sellers_categories_and_countries(app):
    _march(app)
    html = staff_client(app, "catalog").get(f"/staff/sales?{MARCH}").text
    assert table_rows(section(html, "best-units")) == [
        ["Loose Tea", "5", "$20.00"],
        ["Blue Mug", "4", "$40.00"],
        ["Red Lamp", "3", "$150.00"],
    ]
    assert [r[0] for r in table_rows(section(html, "best-revenue"))] == [
        "Red Lamp",
        "Blue Mug",
        "Loose Tea",
    ]
    assert table_rows(section(html, "by-category")) == [
        ["Lamps", "3", "$150.00"],
        ["Mugs", "4", "$40.00"],
        ["No category", "5", "$20.00"],
    ]
    assert table_rows(section(html, "by-country")) == [
        ["United States", "2", "$135.00"],
        ["Germany", "1", "$50.00"],
        ["France", "1", "$30.00"],
    ]


def test_the_chart_and_the_table_per_day_week_or_month(app):
    _march(app)
    client = staff_client(app, "analyst")
    html = client.get(f"/staff/sales?{MARCH}").text
    assert html.count('<rect class="chart-bar"') == 2 * 31  # sales and orders, per day
    assert "<title>Mar 2, 2026: $85.00</title>" in html
    assert "<title>Mar 2, 2026: 2 orders</title>" in html

    weekly = client.get(f"/staff/sales?{MARCH}&by=week").text
    assert "Gross sales per week" in weekly
    rows = table_rows(section(weekly.replace("<details", "<section"), "sales-series"))
    # en_US weeks start on Sunday: Mar 1 is a Sunday, so five weeks and a day
    assert [r[:3] for r in rows][-2:] == [
        ["Mar 8, 2026", "Mar 14, 2026", "1"],
        ["Mar 1, 2026", "Mar 7, 2026", "2"],
    ]
    assert len(rows) == 5

    year = client.get("/staff/sales?start=2025-12-01&end=2026-04-30").text
    assert "Gross sales per week" in year  # five months: weeks by default
    monthly = client.get("/staff/sales?start=2025-12-01&end=2026-04-30&by=month").text
    assert monthly.count('<rect class="chart-bar"') == 2 * 5
    assert "Mar 2026" in monthly


def test_a_day_is_the_shops_local_day(app):
    """Berlin is UTC+1 in winter and UTC+2 from March 29: an order at 23:30 local on the 1st
    is stored at 22:30 UTC on the 1st and counts on the 1st; one at 00:30 local on the 2nd is
    stored on the 1st in UTC and counts on the 2nd. The same holds on the day the clocks go
    forward, and for the refund of that day."""
    app.config["TIMEZONE"] = "Europe/Berlin"
    tz = "Europe/Berlin"
    make_order(app, created_at=local(tz, 2026, 3, 1, 23, 30), lines=[(None, 1, 1000)])
    make_order(app, created_at=local(tz, 2026, 3, 2, 0, 30), lines=[(None, 1, 2000)])
    make_order(
        app,
        created_at=local(tz, 2026, 3, 29, 23, 30),
        lines=[(None, 1, 4000)],
        refunds=[(500, local(tz, 2026, 3, 29, 23, 45), "settled")],
    )
    make_order(app, created_at=local(tz, 2026, 3, 30, 0, 15), lines=[(None, 1, 8000)])
    assert local(tz, 2026, 3, 1, 23, 30).day == 1 and local(tz, 2026, 3, 2, 0, 30).day == 1

    client = staff_client(app, "analyst")
    for query, gross in [
        ("start=2026-03-01&end=2026-03-01", "$10.00"),
        ("start=2026-03-02&end=2026-03-02", "$20.00"),
        ("start=2026-03-29&end=2026-03-29", "$40.00"),
        ("start=2026-03-30&end=2026-03-30", "$80.00"),
    ]:
        assert figures(client.get(f"/staff/sales?{query}").text)["gross"] == gross, query
    day_29 = figures(client.get("/staff/sales?start=2026-03-29&end=2026-03-29").text)
    assert day_29["refunds"] == "$5.00"

    rows = read_csv(client.get(f"/staff/sales/export.csv?table=series&{MARCH}&by=day"))
    by_day = {row[0]: row for row in rows[1:]}
    assert by_day["2026-03-01"][4] == "10.00" and by_day["2026-03-02"][4] == "20.00"
    assert by_day["2026-03-29"][4] == "40.00" and by_day["2026-03-30"][4] == "80.00"


def test_changing_the_time_zone_moves_the_days(app):
    make_order(app, created_at=local("UTC", 2026, 3, 1, 23, 30), lines=[(None, 1, 1000)])
    client = staff_client(app, "analyst")
    assert figures(client.get("/staff/sales?start=2026-03-01&end=2026-03-01").text)["orders"] == "1"
    app.config["TIMEZONE"] = "Asia/Tokyo"  # 08:30 on the 2nd there
    assert figures(client.get("/staff/sales?start=2026-03-01&end=2026-03-01").text)["orders"] == "0"
    assert figures(client.get("/staff/sales?start=2026-03-02&end=2026-03-02").text)["orders"] == "1"


def test_today_is_counted_as_it_stands(app):
    today = _today(app)
    make_order(app, created_at=utcnow() - timedelta(minutes=5), lines=[(None, 2, 750)])
    client = staff_client(app, "analyst")
    html = client.get("/staff/sales?period=today").text
    assert figures(html)["gross"] == "$15.00"
    assert "figures are up to this moment." in html
    assert today.strftime("%Y") in html
    make_order(app, created_at=utcnow(), lines=[(None, 1, 500)])
    assert figures(client.get("/staff/sales?period=today").text)["gross"] == "$20.00"


@pytest.mark.parametrize(
    ("preset", "days"),
    [("today", 1), ("7d", 7), ("30d", 30), ("month", None), ("last_month", None), ("year", None)],
)
def test_every_preset(app, preset, days):
    today = _today(app)
    html = staff_client(app, "analyst").get(f"/staff/sales?period={preset}").text
    starts = {
        "month": today.replace(day=1),
        "last_month": (today.replace(day=1) - timedelta(days=1)).replace(day=1),
        "year": today.replace(month=1, day=1),
    }
    start = starts.get(preset) or today - timedelta(days=days - 1)
    end = today.replace(day=1) - timedelta(days=1) if preset == "last_month" else today
    rows = read_csv(
        staff_client(app, "owner").get(
            f"/staff/sales/export.csv?table=series&period={preset}&by=day"
        )
    )
    assert rows[1][0] == start.isoformat() and rows[-1][1] == end.isoformat()
    assert '<strong aria-current="true">' in html


@pytest.mark.parametrize(
    ("query", "field_error", "notice"),
    [
        (
            "start=2026-03-10&end=2026-03-01",
            "The end date is before the start date.",
            "wrong way round",
        ),
        (
            "start=2026-03-01&end=2999-01-01",
            "Choose a date up to today",
            "No sales lie in the future",
        ),
        ("start=1999-12-31&end=2000-01-02", "Choose a date from the year 2000 on.", "too long ago"),
        ("start=2020-01-01&end=2026-01-01", "Choose at most 1100 days.", "too long"),
        ("start=yesterday&end=2026-01-01", "Not a valid date value.", "could not read that period"),
        ("period=forever", "Not a valid choice.", "could not read that period"),
    ],
)
def test_wrong_periods_say_so_keep_what_was_typed_and_show_the_last_30_days(
    app, query, field_error, notice
):
    today = _today(app)
    response = staff_client(app, "analyst").get(f"/staff/sales?{query}")
    assert response.status_code == 200
    html = response.text
    assert field_error in html
    assert notice in html and 'role="alert"' in html
    assert "so this shows the last 30 days" in html
    period = html.split('id="sales-period">')[1].split("<")[0]
    assert period.endswith(f"{today.day}, {today.year}")
    if "start=" in query:
        typed = query.split("start=")[1].split("&")[0]
        assert f'value="{typed}"' in html


def test_conversion_counts_only_visitors_who_accepted(app):
    at = local("UTC", 2026, 3, 5)
    views = []
    for visitor in ("v1", "v2", "v3", "v4"):
        views.append({"created_at": at, "path": "/", "consented": True, "visitor_id": visitor})
    views += [
        {"created_at": at, "path": "/checkout", "consented": True, "visitor_id": "v1"},
        {"created_at": at, "path": "/checkout", "consented": True, "visitor_id": "v2"},
        {"created_at": at, "path": "/orders/<number>", "consented": True, "visitor_id": "v1"},
        {"created_at": at, "path": "/orders/<number>", "consented": True, "visitor_id": "v1"},
        # a visitor who declined leaves no id and is not counted, whatever they did
        {"created_at": at, "path": "/orders/<number>", "consented": False},
        {"created_at": at, "path": "/", "consented": False},
        # the same visitor on another day is another visit
        {"created_at": at + timedelta(days=1), "path": "/", "consented": True, "visitor_id": "v1"},
    ]
    add_views(app, *views)
    html = staff_client(app, "analyst").get(f"/staff/sales?{MARCH}").text
    assert figures(html)["conversion"] == "20%"
    assert (
        "Only visitors who accepted analytics cookies: 1 of 5 visits opened an order, 2 reached"
        " the checkout." in html
    )


def test_csv_of_every_table_figures_only(app):
    _march(app)
    make_product(app, "=HYPERLINK(1)", price_cents=100)
    from jomso.catalog.models import Product

    with app.app_context():
        formula = db.session.query(Product).filter_by(name="=HYPERLINK(1)").one().id
    make_order(
        app, created_at=local("UTC", 2026, 3, 3), lines=[(formula, 1, 100)], name="Zed Secret"
    )
    client = staff_client(app, "analyst")
    page = client.get(f"/staff/sales?{MARCH}").text
    tables = {}
    for table in ("summary", "series", "products", "categories", "countries"):
        assert f"table={table}" in page
        tables[table] = read_csv(client.get(f"/staff/sales/export.csv?table={table}&{MARCH}"))
    summary = dict(tables["summary"][1:])
    assert summary["gross sales"] == "216.00" and summary["net sales"] == "176.00"
    assert summary["orders"] == "5" and summary["units"] == "13"
    assert tables["products"][0] == ["product", "units", "revenue (USD)"]
    assert ["'=HYPERLINK(1)", "1", "1.00"] in tables["products"]
    assert ["Lamps", "3", "150.00"] in tables["categories"]
    assert ["DE", "Germany", "1", "50.00"] in tables["countries"]
    assert len(tables["series"]) == 1 + 31
    everything = page + repr(tables)
    for private in ("Olga", "olga@example.com", "Zed Secret", "Harbour", "J"):
        if private == "J":  # no order number either
            assert not any(
                cell.startswith("J") and len(cell) == 9
                for t in tables.values()
                for r in t
                for cell in r
            )
        else:
            assert private not in everything
    assert client.get("/staff/sales/export.csv?table=customers").status_code == 404


@pytest.mark.parametrize("role", ["owner", "catalog", "analyst"])
def test_roles_with_figures_see_the_page_and_its_menu_line(app, role):
    client = staff_client(app, role)
    assert client.get("/staff/sales").status_code == 200
    assert 'href="/staff/sales"' in client.get("/staff/").text


@pytest.mark.parametrize("role", ["orders", "support"])
def test_other_roles_neither_see_nor_open_it(app, role):
    client = staff_client(app, role)
    assert client.get("/staff/sales").status_code == 403
    assert client.get("/staff/sales/export.csv").status_code == 403
    assert 'href="/staff/sales' not in client.get("/staff/").text
