"""Today's sales on the dashboard, against the same weekday last week."""

from __future__ import annotations

from datetime import timedelta

from jomso.shop_time import day_start, shop_now
from tests.orders.factories import make_order
from tests.staff.helpers import staff_client
from tests.staff.test_dashboard_cards import cards_on


def test_today_against_the_same_weekday_last_week(app):
    with app.app_context():
        now = shop_now()
        midnight, next_midnight = day_start(now.date()), day_start(now.date() + timedelta(days=1))
    weekday = now.strftime("%A")
    earlier_today = midnight + (now - midnight) / 2
    later_in_the_day = now + (next_midnight - now) / 2
    week = timedelta(days=7)
    make_order(app, created_at=earlier_today, lines=[(None, 1, 3000)])
    make_order(app, created_at=now - timedelta(seconds=1), lines=[(None, 1, 1500)])
    make_order(app, status="cancelled", created_at=earlier_today, lines=[(None, 1, 9900)])
    make_order(app, created_at=earlier_today - week, lines=[(None, 1, 3000)])
    make_order(app, created_at=later_in_the_day - week, lines=[(None, 2, 1000)])  # not by then
    make_order(app, created_at=midnight - week - timedelta(seconds=1), lines=[(None, 1, 700)])

    card = cards_on(staff_client(app, "analyst").get("/staff/").text)["sales_today"]
    assert '<p class="stat-value">$45.00</p>' in card
    assert "2 orders so far today" in card
    assert f"Last {weekday} by this time: $30.00" in card
    assert '<span class="change-up">+50%</span>' in card
    assert f"All of last {weekday}: $50.00, 2 orders" in card
    assert 'href="/staff/sales?period=today"' in card and 'href="/staff/sales?period=7d"' in card


def test_a_quiet_day_shows_no_change(app):
    card = cards_on(staff_client(app, "catalog").get("/staff/").text)["sales_today"]
    assert '<p class="stat-value">$0.00</p>' in card
    assert "change-" not in card
