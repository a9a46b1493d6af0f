"""Categories in the back office: the list with product counts, creating and renaming (a
rename keeps the web address), their order in the shop's menu, and deleting an empty one.

Each change commits here; the storefront shows it at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from jomso.catalog.editing import CatalogError, _clean_slug, _move, slug_problem
from jomso.catalog.models import Category, Product
from jomso.extensions import db


def get_category(category_id: int) -> Category | None:
    return db.session.get(Category, category_id)


def all_categories() -> list[Category]:
    """Every category in shop order, empty ones too (for the back office's selects)."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


@dataclass
class CategoryRow:
    category: Category
    products: int  # all of them, hidden ones too
    on_sale: int


def category_rows() -> list[CategoryRow]:
    """Every category in shop order with how many products it holds (one query)."""
    statement = (
        select(
            Category,
            func.count(Product.id),
            func.count(Product.id).filter(Product.is_active),
        )
        .outerjoin(Product, Product.category_id == Category.id)
        .group_by(Category.id)
        .order_by(Category.position, Category.id)
    )
    return [CategoryRow(*row) for row in db.session.execute(statement)]


def category_problems(slug: str = "", category: Category | None = None) -> list[CatalogError]:
    """What ``save_category`` would refuse: a typed slug that is not URL-safe or is another
    category's."""
    exclude = category.id if category is not None else None
    problem = slug_problem(slug, Category.slug, exclude, 140)
    return [problem] if problem is not None else []


def save_category(name: str, slug: str = "", category: Category | None = None) -> Category:
    """Create a category (at the end of the order) or rename one. Its slug stays unless a
    new one is typed; an empty slug on a new category is made from the name."""
    exclude = category.id if category is not None else None
    if category is not None and not slug:
        slug = category.slug  # renaming keeps the address (links to it keep working)
    slug = _clean_slug(slug, name, Category.slug, exclude, 140)
    if category is None:
        last = db.session.scalar(select(func.max(Category.position)))
        category = Category(position=(last if last is not None else -1) + 1)
        db.session.add(category)
    category.name = name
    category.slug = slug
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        message = _("Another category took this web address name just now.")
        raise CatalogError(message, field="slug") from None
    return category


def move_category(category: Category, direction: str) -> bool:
    """Move a category one place up or down in the shop's menu."""
    moved = _move(all_categories(), category, direction)
    db.session.commit()
    return moved


def delete_category(category: Category) -> None:
    """Delete an empty category. One that still holds products (hidden ones included) is
    refused: moving them elsewhere is a decision for a person, not a side effect."""
    count = db.session.scalar(
        select(func.count(Product.id)).where(Product.category_id == category.id)
    )
    if count:
        raise CatalogError(
            ngettext(
                "“%(name)s” still holds %(num)d product. Move it to another category first.",
                "“%(name)s” still holds %(num)d products. Move them to another category first.",
                count,
                name=category.name,
            )
        )
    db.session.delete(category)
    db.session.flush()
    for position, each in enumerate(all_categories()):
        each.position = position
    db.session.commit()
