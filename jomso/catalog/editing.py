"""What every back-office change to the catalog shares: the refusal it raises
(``CatalogError``), web address names (slugs) made from text and kept unique, and moving an
item one place within a positioned list.

The changes themselves live in ``product_editing``, ``picture_editing`` and
``category_editing`` (used by jomso/catalog/staff_views.py). Each change commits there; the
storefront shows it at once (the search index follows the products table through its
triggers, see search.py). The demo catalog names its products with ``slugify`` too.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import select

from jomso.extensions import db


class CatalogError(Exception):
    """A change the catalog refuses (a taken SKU, a category that still holds products);
    ``field`` names the form field the message belongs beside (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def slugify(text: str, max_length: int = 200) -> str:
    """A URL slug: lower-case ASCII words and dashes ("Crème Brûlée Set" → "creme-brulee-set")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def _taken(column, value: str, exclude_id: int | None) -> bool:
    model = column.class_
    statement = select(model.id).where(column == value)
    if exclude_id is not None:
        statement = statement.where(model.id != exclude_id)
    return db.session.scalar(statement.limit(1)) is not None


def _free_slug(column, base: str, exclude_id: int | None, max_length: int) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not taken yet."""
    slug, number = base, 1
    while _taken(column, slug, exclude_id):
        number += 1
        suffix = f"-{number}"
        slug = base[: max_length - len(suffix)].rstrip("-") + suffix
    return slug


def slug_problem(typed: str, column, exclude_id: int | None, max_length: int):
    """What is wrong with a typed slug (not URL-safe, or another row's), or None."""
    if not typed:
        return None  # one is made from the name
    if not re.search(r"[A-Za-z0-9]", typed):
        return CatalogError(_("Use letters, digits and dashes."), field="slug")
    slug = slugify(typed, max_length)
    if _taken(column, slug, exclude_id):
        return CatalogError(
            _("Another one already uses the web address name “%(slug)s”.", slug=slug),
            field="slug",
        )
    return None


def _clean_slug(typed: str, name: str, column, exclude_id: int | None, max_length: int) -> str:
    """The slug to store: the typed one made URL-safe (its clash is an error), or one made
    from the name (a clash gets a number added)."""
    if typed:
        problem = slug_problem(typed, column, exclude_id, max_length)
        if problem is not None:
            raise problem
        return slugify(typed, max_length)
    return _free_slug(column, slugify(name, max_length), exclude_id, max_length)


def _move(items: list, item, direction: str) -> bool:
    """Swap ``item`` with its neighbour in ``items`` (ordered) and renumber ``position``
    0, 1, 2...; False when it is already first (up) or last (down)."""
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position
    return True
