"""Page views and consent choices in a customer's data export and account deletion.

A customer's rows are those linked to their account and those carrying a visitor id that was
ever seen with their account or is in the browser asking (its ``jomso_vid`` cookie).
Deleting the account deletes all of them: the consent ledger keeps no row for a deleted
account.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import delete, or_, select

from jomso.accounts.models import User
from jomso.analytics.models import PageView
from jomso.analytics.writer import flush_page_views as flush
from jomso.consent.cookies import VISITOR_COOKIE
from jomso.consent.models import ConsentRecord
from jomso.extensions import db
from jomso.privacy.registry import register_erasure, register_export_section, row_dict


def _visitor_ids(user: User) -> set[str]:
    ids = set(
        db.session.scalars(
            select(PageView.visitor_id)
            .where(PageView.user_id == user.id, PageView.visitor_id.is_not(None))
            .distinct()
        )
    )
    ids |= set(
        db.session.scalars(
            select(ConsentRecord.visitor_id)
            .where(ConsentRecord.user_id == user.id, ConsentRecord.visitor_id.is_not(None))
            .distinct()
        )
    )
    if has_request_context() and request.cookies.get(VISITOR_COOKIE):
        ids.add(request.cookies[VISITOR_COOKIE])
    return ids


def _mine(model, user: User, visitor_ids: set[str]):
    return or_(model.user_id == user.id, model.visitor_id.in_(visitor_ids))


def _page_views_section(user: User) -> list[dict[str, Any]]:
    flush()
    visitor_ids = _visitor_ids(user)
    views = db.session.scalars(
        select(PageView).where(_mine(PageView, user, visitor_ids)).order_by(PageView.created_at)
    )
    return [row_dict(view) for view in views]


def _consents_section(user: User) -> list[dict[str, Any]]:
    visitor_ids = _visitor_ids(user)
    records = db.session.scalars(
        select(ConsentRecord)
        .where(_mine(ConsentRecord, user, visitor_ids))
        .order_by(ConsentRecord.created_at)
    )
    return [row_dict(record) for record in records]


def _erase(user: User) -> None:
    flush()
    visitor_ids = _visitor_ids(user)
    for model in (PageView, ConsentRecord):
        db.session.execute(
            delete(model)
            .where(_mine(model, user, visitor_ids))
            .execution_options(synchronize_session=False)
        )


register_export_section("page_views", _page_views_section, tables=("page_views",))
register_export_section("consents", _consents_section, tables=("consent_records",))
register_erasure(_erase)
