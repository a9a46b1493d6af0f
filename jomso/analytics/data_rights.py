"""Page views and consent choices in a person's data export and erasure.

A person's rows are those linked to their account, and those carrying a visitor id that was
ever seen with their account or that the subject names (the browser asking for its account's
data, or the one that followed a privacy request's link: see ``DataSubject``). An erasure
deletes all of them: the consent ledger keeps no row for an erased person. Consent choices
about new-product emails are also the subscription's (``jomso/newsletter/data_rights.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from jomso.analytics.models import PageView
from jomso.analytics.writer import flush_page_views as flush
from jomso.consent.models import ConsentRecord
from jomso.extensions import db
from jomso.privacy.registry import DataSubject, register_erasure, register_export_section, row_dict


def _visitor_ids(subject: DataSubject) -> set[str]:
    ids = set(subject.visitor_ids)
    if subject.user is None:
        return ids
    for model in (PageView, ConsentRecord):
        ids |= set(
            db.session.scalars(
                select(model.visitor_id)
                .where(model.user_id == subject.user.id, model.visitor_id.is_not(None))
                .distinct()
            )
        )
    return ids


def _with_all_visitor_ids(subject: DataSubject) -> DataSubject:
    return DataSubject(subject.user, subject.emails, frozenset(_visitor_ids(subject)))


def _mine(model, subject: DataSubject):
    return subject.owns(user=model.user_id, visitor=model.visitor_id)


def _page_views_section(subject: DataSubject) -> list[dict[str, Any]]:
    flush()
    subject = _with_all_visitor_ids(subject)
    views = db.session.scalars(
        select(PageView).where(_mine(PageView, subject)).order_by(PageView.created_at)
    )
    return [row_dict(view) for view in views]


def _consents_section(subject: DataSubject) -> list[dict[str, Any]]:
    subject = _with_all_visitor_ids(subject)
    records = db.session.scalars(
        select(ConsentRecord)
        .where(_mine(ConsentRecord, subject))
        .order_by(ConsentRecord.created_at)
    )
    return [row_dict(record) for record in records]


def _erase(subject: DataSubject) -> None:
    flush()
    subject = _with_all_visitor_ids(subject)  # once: the deletions remove where they were seen
    for model in (PageView, ConsentRecord):
        db.session.execute(
            delete(model).where(_mine(model, subject)).execution_options(synchronize_session=False)
        )


register_export_section("page_views", _page_views_section, tables=("page_views",))
register_export_section("consents", _consents_section, tables=("consent_records",))
register_erasure(_erase)
