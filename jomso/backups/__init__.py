"""Backups: the whole shop in one archive (a consistent copy of the database, the product
images, the instance secrets and config, a manifest with checksums and the schema version),
written while the shop serves, and restored into an empty shop. ``making`` writes,
``restoring`` reads back, ``archive`` is the format, ``databases`` copies SQLite and
PostgreSQL; the ``backup`` and ``restore`` commands are in ``cli``."""

from flask import Blueprint

bp = Blueprint("backups", __name__, cli_group=None)

from jomso.backups import cli  # noqa: E402, F401
