"""The low-stock email to the catalog staff: every variant on sale that fell to its threshold
(the product's own, else ``LOW_STOCK_THRESHOLD``) or below since it was last named, in one
email, at most once a day.

A variant is named once per fall: ``low_stock_alerted_at`` is set when an email names it and
cleared when its stock is above the threshold again (whatever raised it: a staff edit, a bulk
edit, an import, a cancelled order), so the next fall is told too. The state is read from the
stock itself when ``flask --app app stock-alerts`` runs (the daily ``jomso-stock-alerts``
timer), so checkouts, which take stock with plain SQL, need no hook: a fall by an order and a
fall by an edit are alike. A run within ``MIN_HOURS`` of the last email sends nothing and
leaves the variants waiting for the next one.

The email goes through the mail queue to each active staff account whose roles hold
``MANAGE_CATALOG``, in the shop's default language; it names products, variants and SKUs only
(no personal data).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import ngettext
from sqlalchemy import and_, func, select, update

from jomso.accounts.models import StaffRole, User
from jomso.catalog.models import Product, ProductVariant, StockAlertMailing
from jomso.catalog.stock_levels import low_stock_threshold
from jomso.database import utcnow
from jomso.extensions import db
from jomso.i18n import mail_language
from jomso.mail import send_mail
from jomso.permissions import ROLE_PERMISSIONS, Permission
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)

MIN_HOURS = 23  # "at most once a day", with room for a daily timer that runs a little early


@dataclass(frozen=True)
class LowVariant:
    product_id: int
    product_name: str
    title: str
    sku: str
    stock: int
    threshold: int


@dataclass(frozen=True)
class AlertRun:
    variants: int  # named in the email sent (0: none sent)
    recipients: int
    waiting: int  # low and not named yet (sent too soon, or nobody to tell)
    last_sent_at: datetime | None


def _threshold():
    return func.coalesce(Product.low_stock_threshold, low_stock_threshold())


def _rearm() -> None:
    """Clear the mark of the variants whose stock is above their threshold again."""
    above = (
        select(ProductVariant.id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.low_stock_alerted_at.is_not(None))
        .where(ProductVariant.stock > _threshold())
    )
    db.session.execute(
        update(ProductVariant)
        .where(ProductVariant.id.in_(above.scalar_subquery()))
        .values(low_stock_alerted_at=None)
        .execution_options(synchronize_session=False)
    )


def newly_low() -> list[tuple[ProductVariant, LowVariant]]:
    """The variants on sale (of products on sale) at or below their threshold that no email
    named since they were last above it, by product name."""
    rows = db.session.execute(
        select(ProductVariant, Product.name, _threshold().label("threshold"))
        .join(Product, Product.id == ProductVariant.product_id)
        .where(and_(Product.is_active, ProductVariant.is_active))
        .where(ProductVariant.low_stock_alerted_at.is_(None))
        .where(ProductVariant.stock <= _threshold())
        .order_by(Product.name, Product.id, ProductVariant.position, ProductVariant.id)
    ).all()
    return [
        (
            variant,
            LowVariant(variant.product_id, name, variant.title, variant.sku, variant.stock, limit),
        )
        for variant, name, limit in rows
    ]


def catalog_staff() -> list[User]:
    """The active accounts whose roles let them manage the catalog."""
    roles = [str(r) for r, held in ROLE_PERMISSIONS.items() if Permission.MANAGE_CATALOG in held]
    holders = select(StaffRole.user_id).where(StaffRole.role.in_(roles))
    return list(
        db.session.scalars(select(User).where(User.active, User.id.in_(holders)).order_by(User.id))
    )


def send_low_stock_email(now: datetime | None = None) -> AlertRun:
    """One run (see the module's docstring); commits."""
    now = now or utcnow()
    _rearm()
    last = db.session.scalar(select(func.max(StockAlertMailing.sent_at)))
    low = newly_low()
    if not low or (last is not None and now - last < timedelta(hours=MIN_HOURS)):
        db.session.commit()
        return AlertRun(0, 0, len(low), last)
    recipients = catalog_staff()
    if not recipients:
        db.session.commit()
        log.warning("low-stock email: %d variants low, nobody manages the catalog", len(low))
        return AlertRun(0, 0, len(low), last)
    items = [item for _variant, item in low]
    with mail_language():
        subject = ngettext("Low stock: %(num)d variant", "Low stock: %(num)d variants", len(items))
        for user in recipients:
            send_mail(
                user.email,
                subject,
                "low_stock_staff",
                user=user,
                items=items,
                product_links={
                    item.product_id: shop_url_for(
                        "catalog_admin.product_variants", product_id=item.product_id
                    )
                    for item in items
                },
                list_link=shop_url_for("catalog_admin.product_list", stock="low", sort="stock"),
            )
    for variant, _item in low:
        variant.low_stock_alerted_at = now
    db.session.add(StockAlertMailing(sent_at=now, variants=len(items), recipients=len(recipients)))
    db.session.commit()
    log.info("low-stock email: %d variants, %d recipients", len(items), len(recipients))
    return AlertRun(len(items), len(recipients), 0, now)


def describe(run: AlertRun) -> str:
    """What a run did, for the command line (its output goes to the journal)."""
    if run.variants:
        return f"Low-stock email sent to {run.recipients} staff, naming {run.variants} variants."
    if run.waiting:
        return (
            f"{run.waiting} variants are low; the next email goes out when a day has passed "
            "since the last one and someone manages the catalog."
        )
    return "No variant fell to its low-stock threshold since the last email."
