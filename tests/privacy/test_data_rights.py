"""Download my data and delete my account.

The export test walks the schema: it finds every row that belongs to the customer (the users
row, then rows of tables with a foreign key to a row already found, recursively) and requires
each such row to appear in the export as one JSON object holding all its columns by name with
the same values. Left out on purpose, and only these: primary keys, foreign keys, and the
columns listed in ``data_rights.NOT_EXPORTED_COLUMNS`` (password hash, session token hash,
session counter). Tables declared with ``declare_not_personal`` are not walked. So a new column,
or a new table linked to users, that the export forgets makes this test fail.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from jomso.accounts.models import StaffRole, User
from jomso.extensions import db
from jomso.privacy import registry as data_rights
from jomso.privacy.services import publish_policy
from tests.accounts.helpers import (
    GOOD_PASSWORD,
    post_form,
    register,
    registered_customer,
    sign_in,
)
from tests.conftest import csrf_token_from
from tests.mailbox import last_message, outbox_messages
from tests.privacy.helpers import (
    customer_rows,
    missing_from_export,
    user_id_of,
)


def _download(client):
    response = client.get("/account/export")
    assert response.status_code == 200
    return response, json.loads(response.data)


@pytest.fixture
def rich_customer(app, client):
    """A customer with something in every part of the account."""
    with app.app_context():
        publish_policy("Version two.", "Second.")
    registered_customer(client, newsletter="y", **{"other_phones-0": "+44 20 7946 0958"})
    post_form(
        client,
        "/account/addresses/new",
        {
            "name": "Bea at Work",
            "line1": "1 Market Street",
            "city": "Chicago",
            "region": "IL",
            "postal_code": "60601",
            "country": "US",
        },
    )
    post_form(client, "/account/profile", {"name": "Bea Customer", "phones-0": "2025550143"})
    post_form(
        client,
        "/account/profile",
        {"name": "Bea Customer", "phones-0": "2025550143", "newsletter": "y"},
    )
    page = client.get("/account")
    client.post("/privacy/acknowledge", data={"csrf_token": csrf_token_from(page.text)})
    post_form(
        client,
        "/account/email",
        {"email": "bea.new@example.com", "current_password": GOOD_PASSWORD},
    )
    other_device = app.test_client()
    sign_in(other_device, remember=True)
    return user_id_of(app)


@pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning")
def test_export_contains_every_personal_field_the_database_holds(app, client, rich_customer):
    with app.app_context():  # a customer who is also staff, so staff_roles has a row too
        db.session.add(StaffRole(user_id=rich_customer, role="support"))
        db.session.commit()
    _response, export = _download(client)
    with app.app_context():
        rows = customer_rows(rich_customer, emails={"bea@example.com", "bea.new@example.com"})
        # The walk reached every part of this customer's account.
        for table in (
            "users",
            "staff_roles",
            "phones",
            "addresses",
            "subscribers",
            "user_sessions",
            "policy_acceptances",
            "outgoing_mail",
        ):
            assert rows.get(table), table
        assert missing_from_export(rows, export) == []


def test_every_table_linked_to_users_is_exported_or_declared_not_personal(app):
    covered = data_rights.exported_tables() | set(data_rights.NOT_PERSONAL_TABLES)
    linked = {"users"}
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table.name in linked or table.name in data_rights.NOT_PERSONAL_TABLES:
                continue
            if any(fk.column.table.name in linked for fk in table.foreign_keys):
                linked.add(table.name)
                changed = True
    missing = sorted(linked - covered)
    assert missing == [], (
        f"{missing} hold data linked to a customer: add them to an export section "
        "(register_export_section(..., tables=[...])) or declare_not_personal(table, reason)"
    )


def test_export_is_a_dated_json_download_of_the_signed_in_customer_only(app, client):
    registered_customer(client)
    other = app.test_client()
    registered_customer(other, email="zed@example.com", name="Zed Other", phone="3125550199")
    response, export = _download(client)
    today = date.today().isoformat()
    assert response.mimetype == "application/json"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="jomso-data-{today}.json"'
    )
    assert export["format"] == "jomso-data-export"
    assert export["format_version"] == 1
    assert export["account"]["email"] == "bea@example.com"
    assert export["account"]["name"] == "Bea Customer"
    assert [p["number"] for p in export["phones"]] == ["+12025550143"]
    assert export["addresses"][0]["country_name"] == "United States"
    assert export["policy_acceptances"][0]["policy_version"] == 1
    assert "password_hash" not in response.text and "$argon2" not in response.text
    assert "token_hash" not in response.text
    assert "zed@example.com" not in response.text and "Zed Other" not in response.text


def test_other_domains_add_sections_to_the_export(app, client, monkeypatch):
    monkeypatch.setattr(data_rights, "_sections", dict(data_rights._sections))
    data_rights.register_export_section(
        "orders",
        lambda subject: [{"number": "J-1001", "user": subject.user_id}],
        tables=("orders",),
    )
    registered_customer(client)
    _response, export = _download(client)
    assert export["orders"] == [{"number": "J-1001", "user": user_id_of(app)}]
    assert "orders" in data_rights.exported_tables()


# -- Deletion ------------------------------------------------------------------------------------


def _delete(client, password=GOOD_PASSWORD):
    return post_form(client, "/account/delete", {"current_password": password})


def _rows_pointing_at(user_id: int) -> dict[str, int]:
    counts = {}
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "users":
                count = db.session.execute(
                    select(db.func.count()).select_from(table).where(fk.parent == user_id)
                ).scalar()
                if count:
                    counts[f"{table.name}.{fk.parent.name}"] = count
    return counts


def test_wrong_password_keeps_the_account(app, client):
    registered_customer(client)
    response = _delete(client, "not my password")
    assert response.status_code == 200
    assert 'id="current_password-error">This is not your password.' in response.text
    assert user_id_of(app) is not None
    assert client.get("/account").status_code == 200


@pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning")
def test_deleting_the_account_removes_everything_and_signs_out(app, client, rich_customer):
    other_device = app.test_client()
    sign_in(other_device, remember=True)
    response = _delete(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/deleted"
    page = client.get("/account/deleted")
    assert "Your account is deleted" in page.text
    assert client.get("/account").status_code == 302
    assert other_device.get("/account").status_code == 302

    with app.app_context():
        assert db.session.get(User, rich_customer) is None
        assert _rows_pointing_at(rich_customer) == {}

    # No copy of mail to the erased address stays in the outbox, the goodbye included (it is
    # only ever sent over SMTP: tests/privacy/test_erasure_files.py).
    assert outbox_messages(app, to="bea@example.com") == []

    assert sign_in(app.test_client()).status_code == 200  # the password no longer works
    again = register(app.test_client())
    assert "Check your email" in again.text  # the address is free again
    assert last_message(app, to="bea@example.com")["Subject"] == "Please confirm your email address"


def test_erasers_run_in_the_deletion_transaction_before_the_account_goes(app, client, monkeypatch):
    seen = []

    def eraser(subject):
        still_there = db.session.scalar(select(User.id).where(User.id == subject.user_id))
        seen.append((subject.user_id, still_there))

    monkeypatch.setattr(data_rights, "_erasers", [])
    data_rights.register_erasure(eraser)
    data_rights.register_erasure(eraser)  # registering twice runs it once
    registered_customer(client)
    user_id = user_id_of(app)
    _delete(client)
    assert seen == [(user_id, user_id)]


def test_a_failing_eraser_deletes_nothing(app, client, monkeypatch):
    def broken(subject):
        subject.user.name = "half erased"
        db.session.flush()
        raise RuntimeError("orders could not be anonymised")

    monkeypatch.setattr(data_rights, "_erasers", [broken])
    registered_customer(client)
    response = _delete(client)
    assert response.status_code == 500
    assert client.get("/account").status_code == 200  # still signed in: nothing happened
    with app.app_context():
        user = db.session.get(User, user_id_of(app))
        assert user is not None and user.name == "Bea Customer"
        assert user.phones and user.addresses
