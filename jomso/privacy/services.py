"""The privacy policy: its versions, how they are shown, and which version each account accepted.

The shop ships a first version (``initial_policy.md``), stored as version 1 the first time the
policy is needed. Placeholders such as ``{{ shop_name }}`` or ``{{ analytics_ip_days }}`` are
filled in from the settings when the page is shown, so the text stays true when they change.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import nh3
from flask import current_app, g
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from jomso.accounts import tokens
from jomso.accounts.models import User
from jomso.accounts.session_values import MISSING, register_session_value, session_value
from jomso.extensions import db
from jomso.i18n import default_language
from jomso.privacy.models import PolicyAcceptance, PolicyVersion
from jomso.shop_time import shop_today

log = logging.getLogger(__name__)

INITIAL_POLICY = Path(__file__).with_name("initial_policy.md")


def initial_policy_text() -> str:
    """The shipped first version in the shop's default language (``initial_policy.de.md``),
    else in English. The policy is one legal text per shop, in its language: the owner reviews
    it and publishes its later versions."""
    translated = INITIAL_POLICY.with_suffix(f".{default_language()}.md")
    path = translated if translated.is_file() else INITIAL_POLICY
    return path.read_text(encoding="utf-8")


_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def ensure_initial_policy() -> PolicyVersion:
    """Store the shipped first version when there is no version yet; returns the latest."""
    latest = db.session.scalar(select(PolicyVersion).order_by(PolicyVersion.version.desc()))
    if latest is not None:
        return latest
    first = PolicyVersion(
        version=1,
        body=initial_policy_text(),
        summary=_("First version."),
        effective_date=shop_today(),
    )
    db.session.add(first)
    try:
        db.session.commit()
    except IntegrityError:  # another request stored it first
        db.session.rollback()
        return db.session.scalar(select(PolicyVersion).order_by(PolicyVersion.version.desc()))
    log.info("privacy policy version 1 stored")
    return first


def current_policy() -> PolicyVersion:
    """The version in effect today (the newest whose effective date has come)."""
    cached = g.get("_current_policy")
    if cached is not None:
        return cached
    # One statement on every signed-in page: a version in effect means one is stored.
    policy = db.session.scalar(
        select(PolicyVersion)
        .where(PolicyVersion.effective_date <= shop_today())
        .order_by(PolicyVersion.version.desc())
        .limit(1)
    )
    if policy is None:  # none stored yet, or every version takes effect later: the first one
        ensure_initial_policy()
        policy = db.session.scalar(select(PolicyVersion).order_by(PolicyVersion.version))
    g._current_policy = policy
    return policy


def policy_versions() -> list[PolicyVersion]:
    """Every version, newest first."""
    ensure_initial_policy()
    return list(db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.version.desc())))


def get_version(version: int) -> PolicyVersion | None:
    return db.session.scalar(select(PolicyVersion).where(PolicyVersion.version == version))


def publish_policy(
    body: str, summary: str, user: User | None = None, effective_date: date | None = None
) -> PolicyVersion:
    """Add a new version (Markdown ``body``) taking effect on ``effective_date`` (today)."""
    if not body.strip():
        raise ValueError("the policy text is empty")
    ensure_initial_policy()
    number = (db.session.scalar(select(func.max(PolicyVersion.version))) or 0) + 1
    policy = PolicyVersion(
        version=number,
        body=body,
        summary=summary.strip(),
        effective_date=effective_date or shop_today(),
        created_by=user.id if user is not None else None,
    )
    db.session.add(policy)
    db.session.commit()
    g.pop("_current_policy", None)
    log.info("privacy policy version %s published", number)
    return policy


def render_policy(policy: PolicyVersion) -> Markup:
    """The version as sanitised HTML, with the settings filled in."""
    html = nh3.clean(_markdown.render(policy.body))
    values = _placeholder_values()

    def fill(match: re.Match) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return Markup(_PLACEHOLDER.sub(fill, html))  # noqa: S704 - sanitised above; values escaped


def _placeholder_values() -> dict[str, Markup]:
    config = current_app.config
    email = escape(config["SHOP_EMAIL"])
    email_link = Markup('<a href="mailto:{0}">{0}</a>').format(email)
    lines = [Markup("<strong>{}</strong>").format(config["SHOP_NAME"])]
    lines += [escape(line.strip()) for line in config["SHOP_ADDRESS"].splitlines() if line.strip()]
    lines.append(email_link)
    remember = config["REMEMBER_COOKIE_DURATION"]
    session_lifetime = config["PERMANENT_SESSION_LIFETIME"]
    values = {
        "shop_name": config["SHOP_NAME"],
        "shop_email": email_link,
        "shop_address": ", ".join(
            line.strip() for line in config["SHOP_ADDRESS"].splitlines() if line.strip()
        ),
        "shop_contact": Markup("<br>").join(lines),
        "analytics_ip_days": config["ANALYTICS_IP_DAYS"],
        "analytics_keep_days": config["ANALYTICS_KEEP_DAYS"],
        "consent_max_age_days": config["CONSENT_MAX_AGE_DAYS"],
        "session_cookie": config["SESSION_COOKIE_NAME"],
        "remember_cookie": config["REMEMBER_COOKIE_NAME"],
        "session_days": _days(session_lifetime),
        "remember_days": _days(remember),
        "confirm_link_days": tokens.MAX_AGE[tokens.CONFIRM_EMAIL] // 86400,
        "reset_link_minutes": tokens.MAX_AGE[tokens.PASSWORD_RESET] // 60,
        "enquiry_keep_days": config["ENQUIRY_KEEP_DAYS"],
        "newsletter_pending_days": config["NEWSLETTER_PENDING_DAYS"],
    }
    return {key: escape(value) for key, value in values.items()}


def _days(seconds) -> int:
    total = seconds.total_seconds() if hasattr(seconds, "total_seconds") else seconds
    return int(total) // 86400


# -- Acceptances -------------------------------------------------------------------------------


def add_acceptance(user: User, source: str) -> PolicyAcceptance:
    """Record that ``user`` accepts the current version now (no commit: the caller's
    transaction, e.g. the registration, owns it)."""
    acceptance = PolicyAcceptance(
        user_id=user.id, policy_version=current_policy().version, source=source
    )
    db.session.add(acceptance)
    return acceptance


def acknowledge_policy(user: User) -> None:
    """The customer read the changed policy and dismissed the notice."""
    add_acceptance(user, source="notice")
    db.session.commit()


def accepted_version(user: User) -> int | None:
    """The newest version ``user`` accepted, or None."""
    accepted = session_value("accepted_policy", user.id)
    if accepted is not MISSING:  # read with the signed-in customer's session
        return accepted
    return db.session.scalar(_accepted(user.id))


def _accepted(user_id):
    return select(func.max(PolicyAcceptance.policy_version)).where(
        PolicyAcceptance.user_id == user_id
    )


# The policy notice on every signed-in page reads this with the session (one statement).
register_session_value("accepted_policy", lambda user_id: _accepted(user_id).scalar_subquery())
# And the version in force today (the shop's day, a value given at each execution), so a
# customer who accepted it costs no statement for the notice.
register_session_value(
    "policy_in_force",
    lambda _user_id: select(func.max(PolicyVersion.version))
    .where(PolicyVersion.effective_date <= bindparam("policy_today", callable_=shop_today))
    .scalar_subquery(),
)


def acceptances(user: User) -> list[PolicyAcceptance]:
    return list(
        db.session.scalars(
            select(PolicyAcceptance)
            .where(PolicyAcceptance.user_id == user.id)
            .order_by(PolicyAcceptance.accepted_at)
        )
    )


def changed_policy_for(user: User) -> PolicyVersion | None:
    """The current version when ``user`` accepted an older one (accounts that never accepted
    one, such as staff made from the command line, are not asked)."""
    accepted = accepted_version(user)
    if accepted is None:
        return None
    in_force = session_value("policy_in_force", user.id)
    if in_force is not MISSING and (in_force or 0) <= accepted:
        return None  # read with the session: they accepted the version in force, no query
    policy = current_policy()
    return policy if policy.version > accepted else None
