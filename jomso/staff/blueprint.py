"""The ``staff`` blueprint (/staff), on its own so that every page module of the back office
attaches to it without importing the others. The app registers it through
``jomso.staff.pages``, which imports those modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff", cli_group=None)
