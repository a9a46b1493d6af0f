"""The catalog's part of a person's data download and erasure: their "email me when it is
back" requests (those linked to their account, or for one of their proved addresses). The
low-stock emails' record names no one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from jomso.catalog.models import ProductVariant, RestockRequest
from jomso.extensions import db
from jomso.privacy.registry import (
    DataSubject,
    declare_not_exported,
    declare_not_personal,
    register_erasure,
    register_export_section,
    row_dict,
)


def subject_requests(subject: DataSubject) -> list[RestockRequest]:
    condition = subject.owns(user=RestockRequest.user_id, email=RestockRequest.email)
    return list(
        db.session.scalars(
            select(RestockRequest)
            .where(condition)
            .options(selectinload(RestockRequest.variant).selectinload(ProductVariant.product))
            .order_by(RestockRequest.id)
        )
    )


def _export(subject: DataSubject) -> list[dict[str, Any]]:
    return [
        row_dict(row, product=row.variant.product.name, variant=row.variant.title)
        for row in subject_requests(subject)
    ]


def _erase(subject: DataSubject) -> None:
    for row in subject_requests(subject):
        db.session.delete(row)
    db.session.flush()


declare_not_exported("restock_requests.nonce", "a random value signed into the emailed link")
declare_not_personal(
    "stock_alert_mailings", "when a low-stock email went to the catalog staff, and its counts"
)
register_export_section("back_in_stock", _export, tables=("restock_requests",))
register_erasure(_erase)
