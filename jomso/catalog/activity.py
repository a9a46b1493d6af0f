"""New products on the staff activity feed (for the roles that keep the catalog)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from jomso.activity import ActivityEvent
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
