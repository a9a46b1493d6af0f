"""account ids never reused, and the GPC signal with each consent choice

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 18:00:00.000000

``users`` gets AUTOINCREMENT on SQLite, so the id of a deleted account is never given to a new
one and "deleted account #7" in the access log stays unambiguous. SQLite cannot add it to an
existing table: the table is rebuilt (Alembic's batch mode: a copy, the old one dropped, the
copy renamed). Dropping a table that others reference would, with foreign keys enforced, run
their ``ON DELETE`` actions and empty every column that points at an account; so the rebuild
runs with foreign keys off, in one explicit transaction, checked with ``foreign_key_check``
before it commits, and foreign keys are on again afterwards whatever happened. The other
tables keep their references: they name ``users``, which exists again under that name.

Ids freed before this migration cannot be known in full; the sequence starts past the highest
id in use and past every "deleted account #N" the access log names. On PostgreSQL ``users.id``
is a serial column whose sequence never goes back: nothing to do.

``consent_records.gpc`` records whether the browser sent Global Privacy Control with the
request that made the choice (false for the rows before).

"""
import re

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_DELETED_LABEL = re.compile(r"^deleted account #(\d+)$")


def _rebuild_users(autoincrement: bool) -> None:
    context = op.get_context()
    with context.autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
        try:
            op.execute("BEGIN")
            with op.batch_alter_table(
                "users",
                recreate="always",
                table_kwargs={"sqlite_autoincrement": autoincrement},
            ):
                pass
            broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild of users: {broken[:5]}")
            if autoincrement:
                _start_sequence_past_known_ids()
            op.execute("COMMIT")
        except BaseException:
            op.execute("ROLLBACK")
            raise
        finally:
            op.execute("PRAGMA foreign_keys=ON")


def _start_sequence_past_known_ids() -> None:
    bind = op.get_bind()
    known = bind.exec_driver_sql("SELECT coalesce(max(id), 0) FROM users").scalar()
    labels = bind.exec_driver_sql(
        "SELECT actor_label FROM access_log WHERE actor_label LIKE 'deleted account #%'"
    ).scalars()
    for label in labels:
        match = _DELETED_LABEL.match(label)
        if match:
            known = max(known, int(match.group(1)))
    if not known:
        return
    updated = bind.exec_driver_sql(
        "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'users'", (known,)
    ).rowcount
    if not updated:
        bind.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('users', ?)", (known,)
        )


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_users(autoincrement=True)
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('gpc', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_column('gpc')
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_users(autoincrement=False)
