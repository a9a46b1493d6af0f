"""The ``accounts`` blueprint (/account), on its own so that the account pages attach to it
without importing each other. The app registers it through ``jomso.accounts.pages``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account", cli_group=None)
