"""Bulk edit of the staff product list: one change (prices up or down by a percent or an
amount, stock set, on sale or hidden) for the ticked products or every product the list's
filters match.

Invariants: a change is one transaction; it is checked for every product and variant before
anything is written, so a price that would fall below zero or rise to an absurd height
refuses the whole change (nothing half-done). Prices change on the product (the price of its
variants without one of their own) and on every variant that has its own price; compare-at
prices stay. The products' summary columns are refreshed in the same transaction and the
catalog revision follows through its triggers (page_cache), so the shop shows the change at
once. Each change writes one access-log entry (``AuditKind.CATALOG_BULK_EDIT``), shown on
the staff activity feed to the roles that keep the catalog.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from babel.numbers import get_currency_precision
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from jomso.accounts.models import User
from jomso.audit.models import AuditKind
from jomso.audit.services import record_event
from jomso.catalog.admin_forms import MAX_PRICE_UNITS
from jomso.catalog.editing import CatalogError
from jomso.catalog.models import Product, ProductVariant
from jomso.catalog.variants import refresh_summary
from jomso.extensions import db

log = logging.getLogger(__name__)

MAX_PERCENT = Decimal(1000)  # raising a price elevenfold at once is surely a slip


class BulkAction(StrEnum):
    RAISE_PERCENT = "raise_percent"
    LOWER_PERCENT = "lower_percent"
    RAISE_AMOUNT = "raise_amount"
    LOWER_AMOUNT = "lower_amount"
    SET_STOCK = "set_stock"
    ACTIVATE = "activate"
    DEACTIVATE = "deactivate"


PRICE_ACTIONS = frozenset(
    {
        BulkAction.RAISE_PERCENT,
        BulkAction.LOWER_PERCENT,
        BulkAction.RAISE_AMOUNT,
        BulkAction.LOWER_AMOUNT,
    }
)


@dataclass(frozen=True)
class BulkChange:
    """One change: ``percent`` for the percent actions, ``cents`` for the amount actions,
    ``stock`` for setting the stock."""

    action: BulkAction
    percent: Decimal = Decimal(0)
    cents: int = 0
    stock: int = 0

    def new_price(self, cents: int) -> int:
        if self.action is BulkAction.RAISE_PERCENT:
            factor = (Decimal(100) + self.percent) / 100
        elif self.action is BulkAction.LOWER_PERCENT:
            factor = (Decimal(100) - self.percent) / 100
        elif self.action is BulkAction.RAISE_AMOUNT:
            return cents + self.cents
        elif self.action is BulkAction.LOWER_AMOUNT:
            return cents - self.cents
        else:
            return cents
        return int((Decimal(cents) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def describe(self) -> str:
        """For the access log (not translated, like the log's other details)."""
        if self.action in (BulkAction.RAISE_PERCENT, BulkAction.LOWER_PERCENT):
            return f"{self.action} {self.percent}%"
        if self.action in (BulkAction.RAISE_AMOUNT, BulkAction.LOWER_AMOUNT):
            return f"{self.action} {self.cents} cents"
        if self.action is BulkAction.SET_STOCK:
            return f"{self.action} {self.stock}"
        return str(self.action)


@dataclass(frozen=True)
class BulkResult:
    products: int
    variants: int


def ids_matching(conditions: list) -> list[int]:
    """The ids of the products these conditions (``product_editing.staff_filters``) match."""
    return list(db.session.scalars(select(Product.id).where(*conditions).order_by(Product.id)))


def existing_ids(product_ids: list[int]) -> list[int]:
    """Those of these ids that name a product."""
    if not product_ids:
        return []
    return list(db.session.scalars(select(Product.id).where(Product.id.in_(set(product_ids)))))


def counts(product_ids: list[int]) -> BulkResult:
    """How many products and variants a change of these products touches."""
    if not product_ids:
        return BulkResult(0, 0)
    variants = db.session.scalar(
        select(func.count())
        .select_from(ProductVariant)
        .where(ProductVariant.product_id.in_(product_ids))
    )
    return BulkResult(len(set(product_ids)), variants or 0)


def _max_price_cents() -> int:
    """The highest price the product form takes (below ``MAX_PRICE_UNITS``), in cents."""
    precision = get_currency_precision(current_app.config["CURRENCY"])
    return MAX_PRICE_UNITS * 10**precision - 1


def price_problem(change: BulkChange, products: list[Product]) -> CatalogError | None:
    """The refusal of a price change that would take a price below zero (or to zero) or above
    the highest price the product form takes; names the first such product."""
    highest = _max_price_cents()
    for product in products:
        prices = [product.price_cents] + [
            v.price_cents for v in product.variants if v.price_cents is not None
        ]
        for cents in prices:
            new = change.new_price(cents)
            if new <= 0:
                return CatalogError(
                    _(
                        "Nothing was changed: the price of “%(name)s” would fall to zero or "
                        "below. Choose a smaller change or leave that product out.",
                        name=product.name,
                    ),
                    field="value",
                )
            if new > highest:
                return CatalogError(
                    _(
                        "Nothing was changed: the price of “%(name)s” would become too high. "
                        "Please check the change.",
                        name=product.name,
                    ),
                    field="value",
                )
    return None


def apply_change(change: BulkChange, product_ids: list[int], actor: User | None) -> BulkResult:
    """Apply ``change`` to these products in one transaction (see the module's invariants).
    Raises ``CatalogError`` (with nothing written) when a new price would be out of bounds."""
    ids = sorted(set(product_ids))
    products = list(
        db.session.scalars(
            select(Product)
            .where(Product.id.in_(ids))
            .options(selectinload(Product.variants))
            .order_by(Product.id)
        )
    )
    if change.action in PRICE_ACTIONS:
        problem = price_problem(change, products)
        if problem is not None:
            db.session.rollback()
            raise problem
    variants = 0
    for product in products:
        variants += len(product.variants)
        if change.action in PRICE_ACTIONS:
            product.price_cents = change.new_price(product.price_cents)
            for variant in product.variants:
                if variant.price_cents is not None:
                    variant.price_cents = change.new_price(variant.price_cents)
        elif change.action is BulkAction.SET_STOCK:
            for variant in product.variants:
                variant.stock = change.stock
        elif change.action is BulkAction.ACTIVATE:
            product.is_active = True
        elif change.action is BulkAction.DEACTIVATE:
            product.is_active = False
        refresh_summary(product)
    record_event(
        AuditKind.CATALOG_BULK_EDIT,
        actor=actor,
        detail=f"{change.describe()}: {len(products)} products, {variants} variants",
        commit=False,
    )
    db.session.commit()
    log.info("bulk edit %s: %d products, %d variants", change.action, len(products), variants)
    return BulkResult(len(products), variants)
