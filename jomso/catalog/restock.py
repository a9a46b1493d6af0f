""" "Email me when it is back" on a sold-out variant: the request, its confirmation, and the
one email when the variant is in stock again.

Invariants: an address gets the email only once it is proved to be the asker's: at once for a
signed-in customer asking with the account's confirmed address, otherwise when the link of
the confirmation email (signed, naming the row and a random value stored on it, never the
address) is followed within ``CONFIRM_MAX_AGE``. The address is used for nothing else. When a
variant's stock goes from 0 (or less) to above 0 while it and its product are on sale, each
confirmed request gets one email through the mail queue, in the transaction that restocked it,
and its row is deleted with it: a staff edit, a bulk edit, an import (the ORM's stock changes,
seen at flush) or an order's units put back (``note_restocked``, called by
``orders.transitions``). Unconfirmed rows and confirmed ones still waiting go by the retention
rules (``retention``; the data download and erasure: ``data_rights``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from enum import StrEnum

from flask import current_app, has_app_context
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, selectinload

from jomso.accounts.models import User
from jomso.catalog.models import Product, ProductVariant, RestockRequest
from jomso.database import utcnow
from jomso.extensions import db
from jomso.i18n import current_language, mail_language
from jomso.mail import send_mail
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)

CONFIRM_MAX_AGE = 2 * 24 * 3600  # as long as an unconfirmed request is kept (the default)
RESEND_MINUTES = 10  # asked again sooner: no second email (a fresh link after that)
_RESTOCKED = "jomso.restocked_variants"


class Outcome(StrEnum):
    WAITING = "waiting"  # recorded and confirmed: the email comes when it is back
    CHECK_EMAIL = "check_email"  # a confirmation link was mailed
    IN_STOCK = "in_stock"  # nothing to wait for: it can be bought now


class InvalidLink(Exception):
    """The link was tampered with, has expired, or its request is gone."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt="jomso-restock-confirm",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def confirm_token(request: RestockRequest) -> str:
    return _serializer().dumps({"r": request.id, "n": request.nonce})


def is_waitable(variant: ProductVariant) -> bool:
    """A variant one may wait for: on sale, of a product on sale, sold out."""
    return variant.is_active and variant.product.is_active and variant.stock <= 0


def request_alert(variant: ProductVariant, email: str, user: User | None) -> Outcome:
    """Record ``email`` (normalized) for ``variant``; commits. Confirmed at once when it is
    the signed-in ``user``'s confirmed address, else a confirmation link is mailed (again,
    with a new link, when asked again before confirming, at most every ``RESEND_MINUTES``;
    nothing for an address already confirmed)."""
    if not is_waitable(variant):
        return Outcome.IN_STOCK
    own = user is not None and user.is_confirmed and user.email.lower() == email
    row = db.session.scalar(
        select(RestockRequest).where(
            RestockRequest.variant_id == variant.id, RestockRequest.email == email
        )
    )
    if row is None:
        row = RestockRequest(variant_id=variant.id, email=email, nonce="")
        db.session.add(row)
    row.language = current_language()
    if own:
        row.user_id = user.id
        row.confirmed_at = row.confirmed_at or utcnow()
        db.session.commit()
        log.info("restock request %s confirmed (signed in)", row.id)
        return Outcome.WAITING
    # Whatever the case, a guest reads "check your inbox": the form tells no one who waits.
    if row.confirmed_at is not None or (
        row.nonce and row.created_at > utcnow() - timedelta(minutes=RESEND_MINUTES)
    ):
        db.session.commit()
        return Outcome.CHECK_EMAIL
    row.nonce = secrets.token_hex(16)
    db.session.flush()
    with mail_language(row.language):
        send_mail(
            email,
            _("Confirm: email me when %(name)s is back", name=item_name(variant)),
            "restock_confirm",
            item=item_name(variant),
            link=shop_url_for("catalog.restock_confirm", token=confirm_token(row)),
            days=CONFIRM_MAX_AGE // 86400,
        )
    db.session.commit()
    log.info("restock request %s: confirmation mailed", row.id)
    return Outcome.CHECK_EMAIL


def request_for_token(token: str) -> RestockRequest:
    """The request a confirmation link names; ``InvalidLink`` when the link is bad, expired
    or replaced by a newer one, or the request is gone."""
    try:
        data = _serializer().loads(token, max_age=CONFIRM_MAX_AGE)
        row_id, nonce = int(data["r"]), str(data["n"])
    except (BadData, KeyError, TypeError, ValueError) as error:
        raise InvalidLink from error
    row = db.session.get(RestockRequest, row_id)
    if row is None or not secrets.compare_digest(row.nonce, nonce):
        raise InvalidLink
    return row


def confirm(token: str) -> RestockRequest:
    """Confirm the request the link names (again: no change); commits."""
    row = request_for_token(token)
    if row.confirmed_at is None:
        row.confirmed_at = utcnow()
        db.session.commit()
        log.info("restock request %s confirmed", row.id)
    return row


def item_name(variant: ProductVariant) -> str:
    name = variant.product.name
    return f"{name} ({variant.title})" if variant.title else name


def product_url(variant: ProductVariant) -> str:
    """The product page with this variant chosen."""
    options = {f"option{n}": v for n, v in enumerate(variant.values, start=1)}
    return shop_url_for("catalog.product_detail", slug=variant.product.slug, **options)


# -- Back in stock ---------------------------------------------------------------------------


def note_restocked(session: Session, variant_ids) -> None:
    """These variants went from sold out to in stock in this transaction (by SQL the ORM
    does not see): their waiting requests are told when it commits."""
    session.info.setdefault(_RESTOCKED, set()).update(variant_ids)


@event.listens_for(Session, "before_flush")
def _watch_stock(session: Session, _context, _instances) -> None:
    for instance in session.dirty:
        if not isinstance(instance, ProductVariant):
            continue
        history = inspect(instance).attrs.stock.history
        if history.deleted and history.added:
            before, after = history.deleted[0], history.added[0]
            if before is not None and before <= 0 < (after or 0):
                note_restocked(session, [instance.id])


@event.listens_for(Session, "before_commit")
def _tell_waiting(session: Session) -> None:
    if any(isinstance(instance, ProductVariant) for instance in session.dirty):
        session.flush()  # the stock changes not flushed yet are noted by _watch_stock
    variant_ids = session.info.pop(_RESTOCKED, None)
    if variant_ids and has_app_context():
        tell_back_in_stock(session, sorted(variant_ids))


def tell_back_in_stock(session: Session, variant_ids: list[int]) -> int:
    """Queue the "it is back" email of each confirmed request of these variants that are in
    stock and on sale, and delete those requests (in the caller's transaction)."""
    rows = session.scalars(
        select(RestockRequest)
        .join(ProductVariant, ProductVariant.id == RestockRequest.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(RestockRequest.variant_id.in_(variant_ids))
        .where(RestockRequest.confirmed_at.is_not(None))
        .where(ProductVariant.stock > 0, ProductVariant.is_active, Product.is_active)
        .options(selectinload(RestockRequest.variant).selectinload(ProductVariant.product))
        .order_by(RestockRequest.id)
    ).all()
    for row in rows:
        with mail_language(row.language):
            send_mail(
                row.email,
                _("%(name)s is back in stock", name=item_name(row.variant)),
                "restock_back",
                item=item_name(row.variant),
                link=product_url(row.variant),
            )
        session.delete(row)
    if rows:
        session.flush()
        log.info("back in stock: %d emails queued", len(rows))
    return len(rows)
