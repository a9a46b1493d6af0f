"""Creating and editing discount codes, and the staff list with each code's uses.

Codes are never deleted (orders name them): staff deactivate them. A code is unique by its
lookalike-folded key (``codes.lookup_key``), so two codes never read alike.
"""

from __future__ import annotations

from sqlalchemy import select

from jomso.catalog.models import Category, Product
from jomso.discounts import codes, usage
from jomso.discounts.models import DiscountCode, DiscountKind
from jomso.extensions import db
from jomso.form_checks import Problem

MAX_PERCENT = 100
MAX_USES = 1_000_000
MAX_AMOUNT_CENTS = 100_000_000  # a million in the shop's currency: anything above is a typo


def category_choices() -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in db.session.scalars(select(Category).order_by(Category.name))]


def _slugs(text: str | None) -> list[str]:
    return [s.strip() for s in (text or "").replace("\n", ",").split(",") if s.strip()]


def problems(form, code: DiscountCode | None) -> list[Problem]:
    """What is wrong with the form beyond its fields' own checks: every problem at once."""
    found: list[Problem] = []
    shown = codes.normalise(form.code.data)
    if form.code.data and not codes.well_formed(shown):
        found.append(("code", _msg("letters")))
    elif shown:
        key = codes.lookup_key(shown)
        other = db.session.scalar(select(DiscountCode).where(DiscountCode.lookup_key == key))
        if other is not None and (code is None or other.id != code.id):
            found.append(("code", _msg("taken", other=other.code)))
    kind = form.kind.data
    if kind == DiscountKind.PERCENT:
        percent = form.percent.data
        if percent is None or not 1 <= percent <= MAX_PERCENT:
            found.append(("percent", _msg("percent")))
    elif kind == DiscountKind.AMOUNT:
        if form.amount.data is None:
            if not form.amount.errors:
                found.append(("amount", _msg("amount")))
        elif form.amount.data > MAX_AMOUNT_CENTS:
            found.append(("amount", _msg("absurd")))
    if form.min_subtotal.data is not None and form.min_subtotal.data > MAX_AMOUNT_CENTS:
        found.append(("min_subtotal", _msg("absurd")))
    if form.starts_on.data and form.ends_on.data and form.ends_on.data < form.starts_on.data:
        found.append(("ends_on", _msg("dates")))
    for name in ("usage_limit", "per_customer_limit"):
        value = getattr(form, name).data
        if value is not None and not 1 <= value <= MAX_USES:
            found.append((name, _msg("uses")))
    slugs = _slugs(form.products.data)
    if slugs:
        known = set(db.session.scalars(select(Product.slug).where(Product.slug.in_(slugs))))
        unknown = [s for s in slugs if s not in known]
        if unknown:
            found.append(("products", _msg("products", names=", ".join(unknown))))
    return found


def _msg(kind: str, **values) -> str:
    from flask_babel import gettext as _

    from jomso.i18n import format_money

    messages = {
        "letters": lambda: _("Use letters, digits, - and _ only (spaces are dropped)."),
        "taken": lambda: _(
            "The code %(other)s reads the same (case, spaces and O/0, I/1/L do not count): "
            "choose another.",
            other=values["other"],
        ),
        "percent": lambda: _("Enter a whole percent from 1 to 100."),
        "amount": lambda: _("Enter the amount off."),
        "absurd": lambda: _(
            "That is more than %(max)s: please check the amount.",
            max=format_money(MAX_AMOUNT_CENTS),
        ),
        "dates": lambda: _("The last day cannot be before the first."),
        "uses": lambda: _("Enter a whole number from 1 to 1,000,000, or leave it empty."),
        "products": lambda: _("No product has these addresses: %(names)s.", names=values["names"]),
    }
    return messages[kind]()


def save(form, code: DiscountCode | None) -> DiscountCode:
    """Create or update the code from a valid form. Commits."""
    if code is None:
        code = DiscountCode()
        db.session.add(code)
    code.code = codes.normalise(form.code.data)
    code.lookup_key = codes.lookup_key(code.code)
    code.kind = form.kind.data
    if code.kind == DiscountKind.PERCENT:
        code.value = form.percent.data
    elif code.kind == DiscountKind.AMOUNT:
        code.value = form.amount.data
    else:
        code.value = 0
    code.min_subtotal_cents = form.min_subtotal.data
    code.starts_on = form.starts_on.data
    code.ends_on = form.ends_on.data
    code.usage_limit = form.usage_limit.data
    code.per_customer_limit = form.per_customer_limit.data
    code.is_active = bool(form.is_active.data)
    chosen = form.categories.data or []
    code.categories = (
        list(db.session.scalars(select(Category).where(Category.id.in_(chosen)))) if chosen else []
    )
    slugs = _slugs(form.products.data)
    code.products = (
        list(db.session.scalars(select(Product).where(Product.slug.in_(slugs)))) if slugs else []
    )
    db.session.commit()
    return code


def form_data(code: DiscountCode) -> dict:
    return {
        "code": code.code,
        "kind": code.kind,
        "percent": code.value if code.kind == DiscountKind.PERCENT else None,
        "amount": code.value if code.kind == DiscountKind.AMOUNT else None,
        "min_subtotal": code.min_subtotal_cents,
        "starts_on": code.starts_on,
        "ends_on": code.ends_on,
        "usage_limit": code.usage_limit,
        "per_customer_limit": code.per_customer_limit,
        "categories": [c.id for c in code.categories],
        "products": ", ".join(p.slug for p in code.products),
        "is_active": code.is_active,
    }


def set_active(code: DiscountCode, active: bool) -> None:
    code.is_active = active
    db.session.commit()


def codes_with_uses() -> list[tuple[DiscountCode, int]]:
    """Every code, newest first, with how many orders used it."""
    found = db.session.scalars(select(DiscountCode).order_by(DiscountCode.id.desc())).all()
    return [(code, usage.count(code.id).total) for code in found]
