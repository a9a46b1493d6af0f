"""The reads that skip the ORM (``jomso.database.read_value``, ``read_row`` and
``read_rows``): they answer as the session would, on SQLite and PostgreSQL, are counted like
any statement, and see what the request wrote once it has a transaction."""

from datetime import date, datetime

from sqlalchemy import bindparam, func, select, update

from jomso.accounts.models import StaffRole, User
from jomso.database import read_row, read_rows, read_value, utcnow
from jomso.extensions import db
from tests.helpers import counting_statements, make_user


def _statement():
    """Typed columns (an aware timestamp, a boolean, a nullable one), an aggregate that may be
    NULL, and a date parameter made when the statement runs (as the session's statement has)."""
    roles = (
        select(func.aggregate_strings(StaffRole.role, ","))
        .where(StaffRole.user_id == User.id)
        .scalar_subquery()
    )
    return select(
        User.id.label("id"),
        User.active.label("active"),
        User.created_at.label("created"),
        User.email_confirmed_at.label("confirmed"),
        roles.label("roles"),
        (bindparam("today", callable_=date.today) > date(2000, 1, 1)).label("after_2000"),
    ).where(User.email == bindparam("email"))


def test_a_row_read_through_the_driver_is_what_the_session_reads(app):
    make_user(app, "ann@example.com", roles=("orders", "catalog"))
    make_user(app, "bob@example.com")
    statement = _statement()
    with app.test_request_context("/"):
        for email in ("ann@example.com", "bob@example.com"):
            with counting_statements(app) as statements:
                row = read_row(statement, {"email": email})
            assert len(statements) == 1  # heard by the engine's listeners
            assert not db.session().in_transaction()  # the session was not used
            expected = dict(db.session.execute(statement, {"email": email}).one()._mapping)
            db.session.rollback()
            assert row == expected
            assert {key: type(value) for key, value in row.items()} == {
                key: type(value) for key, value in expected.items()
            }
            assert row["active"] is True and row["after_2000"] is True
            assert isinstance(row["created"], datetime) and row["created"].utcoffset() is not None
            assert row["confirmed"] is None
        assert sorted(read_row(statement, {"email": "ann@example.com"})["roles"].split(",")) == [
            "catalog",
            "orders",
        ]
        assert read_row(statement, {"email": "nobody@example.com"}) is None


def test_rows_read_through_the_driver_are_what_the_session_reads(app):
    for email in ("ann@example.com", "bob@example.com", "cy@example.com"):
        make_user(app, email)
    statement = select(User.email, User.active, User.created_at).order_by(User.email)
    with app.test_request_context("/"):
        with counting_statements(app) as statements:
            rows = read_rows(statement, {})
        assert len(statements) == 1 and not db.session().in_transaction()
        expected = [dict(row._mapping) for row in db.session.execute(statement).all()]
        assert rows == expected and len(rows) == 3
        assert [row["email"] for row in rows] == [
            "ann@example.com",
            "bob@example.com",
            "cy@example.com",
        ]
        assert all(row["active"] is True for row in rows)
        assert all(row["created_at"].utcoffset() is not None for row in rows)
        db.session.execute(update(User).where(User.email == "bob@example.com").values(active=False))
        assert [row["active"] for row in read_rows(statement, {})] == [True, False, True]
        db.session.rollback()
        assert read_rows(statement.where(User.email == "nobody@example.com"), {}) == []


def test_reads_in_a_transaction_see_what_the_request_wrote(app):
    make_user(app, "ann@example.com")
    statement = _statement()
    with app.test_request_context("/"):
        db.session.execute(update(User).values(active=False, email_confirmed_at=utcnow()))
        assert read_row(statement, {"email": "ann@example.com"})["active"] is False
        assert read_row(statement, {"email": "ann@example.com"})["confirmed"] is not None
        active = "SELECT active FROM users WHERE email = :email"
        assert read_value(active, email="ann@example.com") in (False, 0)
        db.session.rollback()
        assert read_row(statement, {"email": "ann@example.com"})["active"] is True
        assert read_value(active, email="ann@example.com") in (True, 1)
