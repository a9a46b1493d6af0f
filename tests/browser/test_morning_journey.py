"""The owner's morning: the dashboard says what waits and what sold today, and the sales page
gives the week's figures with its chart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from jomso.database import utcnow
from jomso.shop_time import day_start, shop_now
from tests.browser.conftest import screenshot
from tests.catalog.helpers import make_product
from tests.helpers import PASSWORD, make_user
from tests.orders.factories import make_order


def _sign_in(page, email):
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _week_of_orders(app) -> None:
    """Six orders this week (one cancelled, so five count), one from last month."""
    with app.app_context():
        midnight = day_start(shop_now().date())
    now = utcnow()
    mug = make_product(app, "Blue Mug", price_cents=1200, stock=40)
    lamp = make_product(app, "Red Lamp", price_cents=4500, stock=3)
    make_order(app, status="delivered", created_at=now - timedelta(days=5), lines=[(mug, 2, 1200)])
    make_order(
        app, status="shipped", created_at=now - timedelta(days=3), lines=[(lamp, 1, 4500)],
        country="DE",
    )  # fmt: skip
    make_order(app, status="processing", created_at=now - timedelta(days=1), lines=[(mug, 1, 1200)])
    make_order(
        app, status="paid", created_at=midnight + (now - midnight) / 2, lines=[(mug, 3, 1200)]
    )
    make_order(app, status="paid", created_at=now - timedelta(minutes=1), lines=[(lamp, 2, 4500)])
    make_order(app, status="cancelled", created_at=now - timedelta(days=2), lines=[(lamp, 9, 4500)])
    make_order(app, status="delivered", created_at=now - timedelta(days=40), lines=[(mug, 9, 1200)])


def test_the_owner_reads_the_morning_and_the_weeks_sales(app, page):
    make_user(app, "olga@example.com", name="Olga Owner", roles=["owner"])
    _week_of_orders(app)
    _sign_in(page, "olga@example.com")
    page.wait_for_url("**/staff/")

    sales_card = page.locator('[data-card="sales_today"]')
    expect(sales_card.get_by_role("heading", name="Today's sales")).to_be_visible()
    expect(sales_card.get_by_text("$126.00")).to_be_visible()  # 3 mugs and 2 lamps today
    expect(sales_card.get_by_text("2 orders so far today")).to_be_visible()
    to_ship = page.locator('[data-card="orders_to_ship"]')
    expect(to_ship.get_by_text("2 paid, 1 being prepared")).to_be_visible()
    expect(
        page.locator('[data-card="low_stock"]').get_by_role("link", name="Red Lamp")
    ).to_be_visible()
    screenshot(page, "staff-dashboard-morning")

    sales_card.get_by_role("link", name="The last 7 days").click()
    page.wait_for_url("**/staff/sales?period=7d")
    expect(page.get_by_role("heading", name="Sales", exact=True)).to_be_visible()
    figures = {
        name: page.locator(f'[data-figure="{name}"] .stat-value').inner_text()
        for name in ("gross", "refunds", "net", "orders", "average")
    }
    assert figures == {
        "gross": "$207.00",
        "refunds": "$0.00",
        "net": "$207.00",
        "orders": "5",
        "average": "$41.40",
    }
    chart = page.get_by_role("img", name="Gross sales per day")
    expect(chart).to_be_visible()
    assert chart.locator("rect.chart-bar").count() == 7
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 80
    best = page.locator("#best-revenue")
    assert best.get_by_role("row").nth(1).inner_text().split("\t")[0] == "Red Lamp"
    expect(page.locator("#by-country").get_by_text("Germany")).to_be_visible()
    expect(page.get_by_text("Only visitors who accepted analytics cookies")).to_be_visible()
    screenshot(page, "staff-sales-week")

    with page.expect_download() as download:
        page.get_by_role("link", name="Every product sold").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")  # the byte order mark spreadsheets look for
    text = text.removeprefix("\ufeff")
    assert text.splitlines()[0] == "product,units,revenue (USD)"
    assert "Red Lamp,3,135.00" in text
