"""New products and bulk edits on the staff activity feed (for the roles that keep the
catalog)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from jomso.activity import ActivityEvent
from jomso.audit.models import AccessLogEntry, AuditKind
from jomso.catalog.models import Product
from jomso.extensions import db
from jomso.permissions import Permission


def recent_product_events(since: datetime, limit: int) -> list[ActivityEvent]:
    products = db.session.scalars(
        select(Product)
        .where(Product.created_at >= since)
        .order_by(Product.created_at.desc())
        .limit(limit)
    )
    return [
        ActivityEvent(
            at=product.created_at,
            kind="product_added",
            text=_(
                "Product added: %(name)s (%(sku)s).",
                name=product.name,
                sku=product.variant_text.split(" ", 1)[0],
            ),
            permission=Permission.MANAGE_CATALOG,
            url=url_for("catalog_admin.product_edit", product_id=product.id),
        )
        for product in products
    ]


def recent_bulk_edits(since: datetime, limit: int) -> list[ActivityEvent]:
    """Bulk edits of the product list, from their access-log entries (no personal data)."""
    entries = db.session.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.kind == str(AuditKind.CATALOG_BULK_EDIT))
        .where(AccessLogEntry.created_at >= since)
        .order_by(AccessLogEntry.id.desc())
        .limit(limit)
    )
    return [
        ActivityEvent(
            at=entry.created_at,
            kind=entry.kind,
            text=_("Products changed in bulk: %(detail)s.", detail=entry.detail),
            permission=Permission.MANAGE_CATALOG,
            url=url_for("catalog_admin.product_list"),
            who=entry.actor_label,
        )
        for entry in entries
    ]
