"""Retention rules, applied by ``flask --app app purge``.

A rule is a function ``rule(now) -> int`` that removes or reduces data past its time, commits,
and returns how many rows it touched. Any domain registers its own with
``register_retention_rule(name, rule)``; the analytics rules below are the first.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from jomso.analytics.models import PageView
from jomso.extensions import db

RetentionRule = Callable[[datetime], int]
_RULES: dict[str, RetentionRule] = {}
_BATCH = 1000


def register_retention_rule(name: str, rule: RetentionRule) -> RetentionRule:
    """Add (or replace) the rule called ``name``; returns it, so it works as a decorator."""
    _RULES[name] = rule
    return rule


def retention_rule(name: str) -> Callable[[RetentionRule], RetentionRule]:
    """Decorator form: ``@retention_rule("enquiries-closed")``."""
    return lambda rule: register_retention_rule(name, rule)


def run_retention_rules(now: datetime) -> dict[str, int]:
    """Apply every registered rule, in registration order; rows touched per rule."""
    return {name: rule(now) for name, rule in _RULES.items()}


def truncate_ip(ip: str) -> str | None:
    """Zero the last octet of an IPv4 address and the last 80 bits of an IPv6 address (an
    IPv4 address inside IPv6 is treated as IPv4). None for anything that is not an address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address.compressed


@retention_rule("analytics: page views deleted")
def delete_old_page_views(now: datetime) -> int:
    """Delete page views older than ANALYTICS_KEEP_DAYS."""
    cutoff = now - timedelta(days=current_app.config["ANALYTICS_KEEP_DAYS"])
    result = db.session.execute(delete(PageView).where(PageView.created_at < cutoff))
    db.session.commit()
    return result.rowcount


@retention_rule("analytics: IP addresses shortened")
def truncate_old_ips(now: datetime) -> int:
    """Shorten the IP of page views older than ANALYTICS_IP_DAYS."""
    cutoff = now - timedelta(days=current_app.config["ANALYTICS_IP_DAYS"])
    done = 0
    while True:
        rows = db.session.execute(
            select(PageView.id, PageView.ip)
            .where(
                PageView.ip.is_not(None),
                PageView.ip_truncated.is_(False),
                PageView.created_at < cutoff,
            )
            .limit(_BATCH)
        ).all()
        if not rows:
            return done
        db.session.execute(
            update(PageView),
            [{"id": row.id, "ip": truncate_ip(row.ip), "ip_truncated": True} for row in rows],
        )
        db.session.commit()
        done += len(rows)
