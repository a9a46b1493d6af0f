"""The page-view log's retention rules (registered with ``jomso.privacy.retention``, applied by
``flask --app app purge``): IP addresses shortened after ANALYTICS_IP_DAYS, rows deleted after
ANALYTICS_KEEP_DAYS."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from jomso.analytics.models import PageView
from jomso.extensions import db
from jomso.privacy.retention import Action, retention_rule

_BATCH = 1000


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


@retention_rule(
    "analytics: page views deleted",
    data=_l("Page views"),
    tables=("page_views",),
    action=Action.DELETE,
    setting="ANALYTICS_KEEP_DAYS",
    starts=_l("after the visit"),
)
def delete_old_page_views(now: datetime) -> int:
    """Delete page views older than ANALYTICS_KEEP_DAYS."""
    cutoff = now - timedelta(days=current_app.config["ANALYTICS_KEEP_DAYS"])
    result = db.session.execute(delete(PageView).where(PageView.created_at < cutoff))
    db.session.commit()
    return result.rowcount


@retention_rule(
    "analytics: IP addresses shortened",
    data=_l("Your IP address in page views (only with analytics consent)"),
    tables=("page_views",),
    action=Action.TRUNCATE,
    setting="ANALYTICS_IP_DAYS",
    starts=_l("after the visit"),
)
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
