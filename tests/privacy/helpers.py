"""Walking the schema for a person's rows: the data-rights tests of every domain use these to
check that the export holds every personal column of every row that belongs to the person.

A person's rows are found from their account's row and from every row, in any table, with a
text column holding one of their addresses (or another value that identifies them, such as a
browser's visitor id), then from every row whose foreign key points at a row already found.
So a new table that holds an address, with or without a link to the account, is walked too."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import String, func, or_, select

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.privacy import registry as data_rights

MISSING = object()


def user_id_of(app, email="bea@example.com") -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def rows_holding(values: set[str]) -> dict[str, list[dict]]:
    """Rows of every table with a text column equal (case aside) to one of ``values``."""
    found: dict[str, list[dict]] = {}
    if not values:
        return found
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String)]
        if not columns:
            continue
        condition = or_(*(func.lower(c).in_(sorted(values)) for c in columns))
        rows = [dict(r._mapping) for r in db.session.execute(table.select().where(condition))]
        if rows:
            found[table.name] = rows
    return found


def customer_rows(user_id: int | None, emails: Iterable[str] = ()) -> dict[str, list[dict]]:
    """Every row of every table that belongs to the person, by table name: the account's row
    (when ``user_id``), every row holding one of ``emails`` (or other identifying values, such
    as visitor ids), and every row linked to those by a foreign key, recursively."""
    metadata = db.metadata
    found = rows_holding({value.strip().lower() for value in emails})
    users = metadata.tables["users"]
    if user_id is not None:
        found["users"] = [
            dict(r._mapping)
            for r in db.session.execute(users.select().where(users.c.id == user_id))
        ]
    for table_name in list(found):
        if table_name in data_rights.NOT_PERSONAL_TABLES:
            del found[table_name]
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


def missing_from_export(rows: dict[str, list[dict]], export) -> list[str]:
    """Each row of ``rows`` that is not one object of ``export`` holding all its personal
    columns with the same values, described."""
    objects = list(json_objects(export))
    missing = []
    for table_name, table_rows in rows.items():
        columns = personal_columns(db.metadata.tables[table_name])
        for row in table_rows:
            expected = {c: data_rights.to_jsonable(row[c]) for c in columns}
            if not any(all(o.get(c, MISSING) == v for c, v in expected.items()) for o in objects):
                missing.append(f"{table_name} row {expected}")
    return missing


# -- Privacy requests through the public pages ---------------------------------------------------


def send_privacy_request(client, kind: str, email: str, details: str = ""):
    """Fill in /privacy/request and send it, its CSRF token included."""
    from tests.conftest import csrf_token_from

    page = client.get("/privacy/request")
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token_from(page.text), "kind": kind, "email": email}
    data["details"] = details
    return client.post("/privacy/request", data=data)


def mailed_link(app, email: str, fragment: str) -> str:
    """The path of the newest link containing ``fragment`` mailed to ``email``."""
    from tests.mailbox import link_to, outbox_messages, text_of

    for message in reversed(outbox_messages(app, to=email)):
        if fragment in text_of(message):
            url = link_to(message, fragment)
            return "/" + url.split("/", 3)[3]
    raise AssertionError(f"no link with {fragment} was mailed to {email}")


def confirm_privacy_request(client, app, email: str):
    """Follow the newest proof link mailed to ``email`` and press its button."""
    from tests.conftest import csrf_token_from

    link = mailed_link(app, email, "/privacy/request/verify/")
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    return client.post(link, data={"csrf_token": csrf_token_from(page.text)})


def request_id_of(app, email: str) -> int:
    """The id of the newest privacy request from ``email``."""
    from jomso.privacy.models import PrivacyRequest

    with app.app_context():
        return db.session.scalar(
            select(PrivacyRequest.id)
            .where(PrivacyRequest.email == email.lower())
            .order_by(PrivacyRequest.id.desc())
        )
