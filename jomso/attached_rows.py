"""Rows read with a plain statement, put into the request's ORM session as if a query had
loaded them.

The signed-in account is read on every page with its session, by one Core statement
(``accounts.user_sessions``). To be used as an ORM object (its relationships load on use, a
change to it is flushed), it goes into the request's ORM session. Making that session and
closing it again costs a tenth of a page served from the page cache, which never uses it. So
on such a page the account waits (``attach_when_made``) until the request makes its ORM
session, if it ever does, and goes in as the session is made, before any query could load the
same row. A view whose page may read the account's relationships before anything else uses
the session (the address book) gets it attached at once.
"""

from __future__ import annotations

from flask import g, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached

_WAITING = "jomso.attached_rows.waiting"


def detached(model, values: dict, prefix: str):
    """The ``model`` row in ``values`` (columns named ``prefix`` + attribute) as the ORM's
    loader makes one (no ``__init__``, the values as its loaded state, relationships loading
    on use once it is in a session), with its identity but in no session yet."""
    mapper = inspect(model)
    instance = mapper.class_manager.new_instance()
    instance.__dict__.update(
        {attr.key: values[f"{prefix}{attr.key}"] for attr in mapper.column_attrs}
    )
    make_transient_to_detached(instance)
    return instance


def attach(session: Session, instance):
    """``instance`` (``detached``) in ``session``'s identity map as the ORM loader puts a
    loaded row, or the instance of that row already there. Unlike ``Session.add``, that begins
    no transaction, so the page's other reads still go through the driver
    (``database.read_value``)."""
    state = inspect(instance)
    present = session.identity_map.get(state.key)
    if present is not None:
        return present
    state.session_id = session.hash_key
    session.identity_map._add_unpresent(state, state.key)  # as the ORM loader does
    return instance


def attach_when_made(instance) -> None:
    """Put ``instance`` (``detached``) into this request's ORM session when it is made."""
    g.setdefault(_WAITING, []).append(instance)


class RequestSession(Session):
    """Flask-SQLAlchemy's session, which takes in the rows waiting for it as it is made."""

    def __init__(self, db, **options) -> None:
        super().__init__(db, **options)
        if has_app_context():
            for instance in g.pop(_WAITING, ()):
                attach(self, instance)
