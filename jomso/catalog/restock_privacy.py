""" "Email me when it is back" in the privacy registries: how long a request is kept (deleted
once its email is queued; ``purge`` deletes unconfirmed ones after RESTOCK_PENDING_DAYS and
confirmed ones still waiting after RESTOCK_KEEP_DAYS), and a person's requests in their data
export and erasure (those linked to their account, or for one of their proved addresses).
The low-stock emails' record names no one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
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
from jomso.privacy.retention import Action, declare_retention, retention_rule

declare_retention(
    "back in stock: deleted once told",
    data=_l("“Email me when it is back”: your address and the product variant"),
    tables=("restock_requests",),
    action=Action.DELETE,
    period=lambda _config: _("until we email you that it is back (then deleted at once)"),
)


@retention_rule(
    "back in stock: unconfirmed requests deleted",
    data=_l("“Email me when it is back” asked for but never confirmed"),
    tables=("restock_requests",),
    action=Action.DELETE,
    setting="RESTOCK_PENDING_DAYS",
    starts=_l("after the request"),
)
def delete_unconfirmed(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["RESTOCK_PENDING_DAYS"]))
    return _delete(RestockRequest.confirmed_at.is_(None), RestockRequest.created_at < cutoff)


@retention_rule(
    "back in stock: old requests deleted",
    data=_l("“Email me when it is back” still waiting"),
    tables=("restock_requests",),
    action=Action.DELETE,
    setting="RESTOCK_KEEP_DAYS",
    starts=_l("after the request"),
)
def delete_old(now: datetime) -> int:
    cutoff = now - timedelta(days=int(current_app.config["RESTOCK_KEEP_DAYS"]))
    return _delete(RestockRequest.created_at < cutoff)


def _delete(*conditions) -> int:
    result = db.session.execute(
        delete(RestockRequest).where(*conditions).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0


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
