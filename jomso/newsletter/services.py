"""The subscriber list: asking for new-product emails, confirming, unsubscribing.

Every way in (registration, the account profile, the contact form, the footer form) calls
``subscribe``; it records the choice in the consent ledger and starts the double opt-in.
Answers never depend on whether an address was already on the list: the caller shows the same
page whatever happened, and only the mailbox learns more.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jomso.accounts.models import User
from jomso.consent.services import record_consent
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import send_mail
from jomso.newsletter import tokens
from jomso.newsletter.models import Subscriber, SubscriberSource, SubscriberStatus
from jomso.privacy.registry import DataSubject
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)

SCOPE = "newsletter"  # the consent ledger's name for this purpose
# A pending address asking again within this time gets no second message (no mail bombing
# someone else's inbox through the forms).
RESEND_AFTER = timedelta(minutes=10)
# Where a withdrawal through the link in an email is recorded in the consent ledger.
EMAIL_LINK_SOURCE = "email_link"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_subscriber(email: str) -> Subscriber | None:
    return db.session.scalar(select(Subscriber).where(Subscriber.email == normalize_email(email)))


def subscribe(
    email: str,
    source: SubscriberSource | str,
    *,
    user: User | None = None,
    product_id: int | None = None,
) -> Subscriber:
    """Someone asked for new-product emails at ``email``: record it and start the double opt-in.

    A new or unsubscribed address becomes ``pending`` and gets a confirmation link; a pending
    one gets a fresh link (at most one per ``RESEND_AFTER``); a confirmed one gets nothing more.
    ``user`` links the row to the account asking (pass it only when the address is theirs).
    Commits. The choice goes into the consent ledger whatever the row's state.
    """
    email = normalize_email(email)
    now = utcnow()
    subscriber = find_subscriber(email)
    due = False
    if subscriber is None:
        subscriber = Subscriber(
            email=email,
            source=str(source),
            source_product_id=product_id,
            unsubscribe_key=tokens.new_secret(),
        )
        db.session.add(subscriber)
        due = True
    elif subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        subscriber.status = SubscriberStatus.PENDING
        subscriber.source = str(source)
        subscriber.source_product_id = product_id
        subscriber.confirmed_at = None
        subscriber.unsubscribed_at = None
        due = True
    elif subscriber.status == SubscriberStatus.PENDING:
        last = subscriber.confirmation_sent_at
        due = last is None or now - last >= RESEND_AFTER
    if user is not None and subscriber.user_id is None:
        subscriber.user_id = user.id
    if due:
        subscriber.confirm_nonce = tokens.new_secret()
        subscriber.confirmation_sent_at = now
    try:
        db.session.flush()  # the link carries the row's id
        if due:
            _send_confirmation(subscriber)
        db.session.commit()
    except IntegrityError:  # another request added the address a moment ago
        db.session.rollback()
        return subscribe(email, source, user=user, product_id=product_id)
    record_consent(
        "accept", scope=SCOPE, source=str(source), user=user, subscriber_id=subscriber.id
    )
    log.info("subscriber %s asked (%s), link sent: %s", subscriber.id, source, due)
    return subscriber


def _send_confirmation(subscriber: Subscriber) -> bool:
    token = tokens.confirm_token(subscriber.id, subscriber.confirm_nonce)
    return send_mail(
        subscriber.email,
        _("Please confirm: emails about our new products"),
        "newsletter_confirm",
        link=shop_url_for("newsletter.confirm", token=token),
        days=tokens.CONFIRM_MAX_AGE // 86400,
    )


def subscriber_for_confirm_token(token: str) -> Subscriber:
    """The subscriber a confirmation link is for, while the link still applies.

    Raises ``tokens.InvalidLink`` for a tampered or expired link, one replaced by a newer
    link, or one for an address that has unsubscribed since (it never re-subscribes anyone).
    """
    subscriber_id, nonce = tokens.read_confirm_token(token)
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or not tokens.same(subscriber.confirm_nonce, nonce):
        raise tokens.InvalidLink
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        raise tokens.InvalidLink
    return subscriber


def confirm(token: str) -> tuple[Subscriber, bool]:
    """Follow a confirmation link: (the subscriber, whether this confirmed it now). Raises
    ``tokens.InvalidLink`` as ``subscriber_for_confirm_token`` does."""
    subscriber = subscriber_for_confirm_token(token)
    if subscriber.status == SubscriberStatus.CONFIRMED:
        return subscriber, False
    subscriber.status = SubscriberStatus.CONFIRMED
    subscriber.confirmed_at = utcnow()
    db.session.commit()
    log.info("subscriber %s confirmed", subscriber.id)
    return subscriber, True


def subscriber_for_unsubscribe_token(token: str) -> Subscriber:
    """The subscriber an unsubscribe link names; raises ``tokens.InvalidLink`` otherwise."""
    subscriber_id, key = tokens.read_unsubscribe_token(token)
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or not tokens.same(subscriber.unsubscribe_key, key):
        raise tokens.InvalidLink
    return subscriber


def unsubscribe_link(subscriber: Subscriber) -> str:
    token = tokens.unsubscribe_token(subscriber.id, subscriber.unsubscribe_key)
    return shop_url_for("newsletter.unsubscribe", token=token)


def unsubscribe(subscriber: Subscriber, source: str = EMAIL_LINK_SOURCE) -> bool:
    """Stop all new-product emails to this subscriber; False when they had already stopped.

    The row stays (as ``unsubscribed``) so the record of what was sent keeps its recipients
    until the account is deleted; the withdrawal goes into the consent ledger.
    """
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return False
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.unsubscribed_at = utcnow()
    subscriber.confirm_nonce = None  # an unused confirmation link must not re-subscribe
    db.session.commit()
    record_consent(
        "decline",
        scope=SCOPE,
        source=source,
        user=subscriber_user(subscriber),
        subscriber_id=subscriber.id,
    )
    log.info("subscriber %s unsubscribed (%s)", subscriber.id, source)
    return True


def subscriber_user(subscriber: Subscriber) -> User | None:
    return db.session.get(User, subscriber.user_id) if subscriber.user_id else None


# -- The account's side ---------------------------------------------------------------------


def subject_subscriptions(subject: DataSubject) -> list[Subscriber]:
    """A person's rows: linked to their account, or for one of their proved addresses (the
    account's once confirmed, a privacy request's)."""
    condition = subject.owns(user=Subscriber.user_id, email=Subscriber.email)
    return list(db.session.scalars(select(Subscriber).where(condition).order_by(Subscriber.id)))


def account_subscriptions(user: User) -> list[Subscriber]:
    """Rows that are this account's: linked to it, or (once the account's address is confirmed)
    for that address."""
    return subject_subscriptions(DataSubject.of_account(user))


def subscription_for(user: User) -> Subscriber | None:
    """The account's row for its current address, else any row linked to it."""
    rows = account_subscriptions(user)
    own = [row for row in rows if row.email == normalize_email(user.email)]
    return (own or rows or [None])[0]


def set_account_subscription(user: User, wanted: bool) -> None:
    """The profile page's box: ticking starts the double opt-in for the account's address,
    unticking stops every row of the account."""
    current = subscription_for(user)
    if wanted:
        if current is None or not current.is_active:
            subscribe(user.email, SubscriberSource.ACCOUNT, user=user)
        return
    for row in account_subscriptions(user):
        unsubscribe(row, source="account")


def follow_email_change(user: User, new_email: str) -> None:
    """The account moved to ``new_email`` (proved by its link): its subscription moves along.
    Call before the account's address changes, inside the caller's transaction (no commit)."""
    row = subscription_for(user)
    if row is None:
        return
    new_email = normalize_email(new_email)
    clash = find_subscriber(new_email)
    if clash is not None and clash.id != row.id:
        db.session.delete(clash)  # the same person (they proved the new address): one row
        db.session.flush()
    row.email = new_email
    row.user_id = user.id
