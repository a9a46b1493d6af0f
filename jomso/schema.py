"""The version of the database schema: the Alembic revisions this code knows (the files in
``migrations/versions``), the newest of them (head) and the revision a database is at.

The ``version`` command shows them, backups record them and restore refuses a schema newer
than this code knows.
"""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.engine import Connection

from jomso.extensions import db


def script_directory() -> ScriptDirectory:
    """The migrations of this code (the folder Flask-Migrate was given)."""
    return ScriptDirectory(current_app.extensions["migrate"].directory)


def head_revision() -> str | None:
    """The newest revision this code knows: what ``init-db`` migrates to."""
    return script_directory().get_current_head()


def known_revisions() -> set[str]:
    """Every revision this code can migrate from."""
    return {script.revision for script in script_directory().walk_revisions()}


def database_revision(connection: Connection | None = None) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    if connection is not None:
        return MigrationContext.configure(connection).get_current_revision()
    with db.engine.connect() as own:
        return MigrationContext.configure(own).get_current_revision()


__all__ = ["database_revision", "head_revision", "known_revisions", "script_directory"]
