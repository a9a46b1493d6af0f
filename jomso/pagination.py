"""Page numbers of paginated lists: one reading of ``?page=`` and one clamp, for the storefront
and every staff list.

``?page=`` is a whole number of ASCII digits; anything else (missing, empty, negative, zero,
``abc``, ``1e5``) is page 1, and a page beyond the last is the last page (page 1 of an empty
list). So a huge number (``?page=`` with thirty nines) shows the last page instead of asking
the database for an offset it cannot hold.
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from jomso.extensions import db

_DIGITS = re.compile(r"[0-9]{1,18}")
_HUGE = 10**18  # more digits than that: some page after the last, whatever it is


def requested_page(value: str | None = None) -> int:
    """The page asked for by ``value`` (default: the request's ``?page=``): 1 or more."""
    text = (request.args.get("page") if value is None else value) or ""
    text = text.strip()
    if _DIGITS.fullmatch(text):
        return max(1, int(text))
    return _HUGE if text.isascii() and text.isdigit() else 1


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` items fill: at least one, an empty page."""
    return max(1, math.ceil(total / per_page))


def clamp_page(page: int, total: int, per_page: int) -> int:
    """The nearest page that exists: between 1 and the last page."""
    return min(max(1, page), page_count(total, per_page))


def paginate(
    statement: Select[Any], per_page: int, page: int | None = None, total: int | None = None
) -> Pagination:
    """One page of ``statement``'s rows (Flask-SQLAlchemy's ``Pagination``) on the clamped
    page: ``page``, or the request's ``?page=``. Two queries, the count first; one when the
    caller knows the ``total`` already."""
    if total is None:
        count = select(func.count()).select_from(statement.order_by(None).subquery())
        total = int(db.session.scalar(count) or 0)
    page = clamp_page(requested_page() if page is None else page, total, per_page)
    pagination = db.paginate(statement, page=page, per_page=per_page, error_out=False, count=False)
    pagination.total = total
    return pagination
