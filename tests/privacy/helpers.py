"""Walking the schema for a customer's rows: the data-rights tests of every domain use these to
check that the export holds every personal column of every row that belongs to the customer."""

from __future__ import annotations

from sqlalchemy import select

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.privacy import registry as data_rights

MISSING = object()


def user_id_of(app, email="bea@example.com") -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def customer_rows(user_id: int) -> dict[str, list[dict]]:
    """Every row of every table that belongs to the user, by table name."""
    metadata = db.metadata
    found: dict[str, list[dict]] = {"users": []}
    users = metadata.tables["users"]
    found["users"] = [
        dict(r._mapping) for r in db.session.execute(users.select().where(users.c.id == user_id))
    ]
    changed = True
    while changed:
        changed = False
        for table in metadata.sorted_tables:
            if table.name in data_rights.NOT_PERSONAL_TABLES:
                continue
            for fk in table.foreign_keys:
                parent_rows = found.get(fk.column.table.name)
                if not parent_rows:
                    continue
                keys = {row[fk.column.name] for row in parent_rows}
                rows = db.session.execute(table.select().where(fk.parent.in_(keys))).all()
                known = found.setdefault(table.name, [])
                for row in rows:
                    mapping = dict(row._mapping)
                    if mapping not in known:
                        known.append(mapping)
                        changed = True
    return {name: rows for name, rows in found.items() if rows}


def personal_columns(table) -> list[str]:
    return [
        column.name
        for column in table.columns
        if not column.primary_key
        and not column.foreign_keys
        and f"{table.name}.{column.name}" not in data_rights.NOT_EXPORTED_COLUMNS
    ]


def json_objects(value):
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from json_objects(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from json_objects(inner)
