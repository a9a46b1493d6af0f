"""Retention: `flask --app app purge` shortens old IPs and deletes old page views."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from jomso.analytics import retention
from jomso.analytics.models import PageView
from jomso.database import utcnow
from jomso.extensions import db
from tests.consent.helpers import IPV6, add_views


@pytest.mark.parametrize(
    ("ip", "shortened"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("10.1.2.3", "10.1.2.0"),
        (IPV6, "2001:db8:abcd::"),
        ("::ffff:198.51.100.9", "198.51.100.0"),
        ("::1", "::"),
        ("garbage", None),
    ],
)
def test_truncate_ip(ip, shortened):
    assert retention.truncate_ip(ip) == shortened


def _ages(app):
    with app.app_context():
        now = utcnow()
        rows = db.session.scalars(select(PageView).order_by(PageView.id)).all()
        return {
            round((now - v.created_at) / timedelta(days=1)): (v.ip, v.ip_truncated) for v in rows
        }


def test_purge_shortens_and_deletes_by_age(app, runner):
    now = utcnow()
    add_views(
        app,
        {"created_at": now - timedelta(days=1), "ip": "203.0.113.77", "visitor_id": "a" * 22},
        {"created_at": now - timedelta(days=29), "ip": IPV6},
        {"created_at": now - timedelta(days=31), "ip": "203.0.113.78"},
        {"created_at": now - timedelta(days=200), "ip": IPV6},
        {"created_at": now - timedelta(days=394), "ip": None},
        {"created_at": now - timedelta(days=396), "ip": "198.51.100.1"},
        {"created_at": now - timedelta(days=900), "ip": None},
    )
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "analytics: page views deleted: 2" in result.output
    assert "analytics: IP addresses shortened: 2" in result.output
    assert _ages(app) == {
        1: ("203.0.113.77", False),
        29: (IPV6, False),
        31: ("203.0.113.0", True),
        200: ("2001:db8:abcd::", True),
        394: (None, False),
    }

    again = runner.invoke(args=["purge"])
    assert "analytics: page views deleted: 0" in again.output
    assert "analytics: IP addresses shortened: 0" in again.output


def test_purge_follows_the_settings(app, runner):
    app.config.update(ANALYTICS_IP_DAYS=0, ANALYTICS_KEEP_DAYS=10)
    now = utcnow()
    add_views(
        app,
        {"created_at": now - timedelta(minutes=5), "ip": "203.0.113.5"},
        {"created_at": now - timedelta(days=11), "ip": "203.0.113.6"},
    )
    output = runner.invoke(args=["purge"]).output
    assert "page views deleted: 1" in output
    assert "IP addresses shortened: 1" in output
    with app.app_context():
        assert db.session.scalars(select(PageView.ip)).all() == ["203.0.113.0"]


def test_truncation_works_in_batches(app, monkeypatch):
    monkeypatch.setattr(retention, "_BATCH", 3)
    old = utcnow() - timedelta(days=40)
    add_views(app, *({"created_at": old, "ip": f"192.0.2.{n}"} for n in range(1, 8)))
    with app.app_context():
        assert retention.truncate_old_ips(utcnow()) == 7
        assert set(db.session.scalars(select(PageView.ip))) == {"192.0.2.0"}
