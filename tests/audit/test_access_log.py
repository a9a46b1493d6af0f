"""The access log: what writes it, what the owner reads, the CSV, and that it only grows."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from jomso.accounts.lookup import find_user_by_email
from jomso.accounts.signals import login_failed
from jomso.audit import AccessLogEntry, AuditKind, record_event, record_personal_data_access
from jomso.audit.models import AppendOnlyError
from jomso.database import utcnow
from jomso.extensions import db
from tests.helpers import login, make_user
from tests.staff.helpers import log_entries, staff_client


def test_record_personal_data_access_names_who_where_and_which_customer(app):
    staff_client(app, "orders")
    customer_id = make_user(app, "c@example.com")
    with app.test_request_context("/staff/orders/7", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        from flask_login import login_user

        login_user(find_user_by_email("orders@staff.example.org"))
        record_personal_data_access("staff.order_detail", customer_id, "order 1007")
    (entry,) = log_entries(app, kind="view_personal_data")
    assert entry.actor_label == "orders@staff.example.org"
    assert entry.actor_id is not None
    assert entry.ip == "203.0.113.9"
    assert entry.view == "staff.order_detail"
    assert entry.customer_id == customer_id
    assert entry.detail == "order 1007"
    assert entry.created_at.tzinfo is not None
    assert utcnow() - entry.created_at < timedelta(minutes=1)


def test_record_event_outside_a_request_is_the_command_line(app):
    with app.app_context():
        record_event(AuditKind.POLICY_CHANGE, detail="version 2")
    (entry,) = log_entries(app, kind="policy_change")
    assert entry.actor_label == "command line" and entry.ip is None


def test_staff_sign_ins_are_logged_customers_are_not(app):
    staff_client(app, "catalog")
    make_user(app, "c@example.com")
    login(app.test_client(), "c@example.com")
    (entry,) = log_entries(app, kind="sign_in")
    assert entry.actor_label == "catalog@staff.example.org"
    assert entry.detail == "roles: catalog"
    assert entry.ip == "127.0.0.1"


def test_failed_staff_sign_ins_are_logged(app):
    make_user(app, "s@example.com", roles=["support"])
    make_user(app, "c@example.com")
    with app.app_context():
        staff = find_user_by_email("s@example.com")
        customer = find_user_by_email("c@example.com")
        with app.test_request_context("/account/login", method="POST"):
            login_failed.send(app, user=staff)
            login_failed.send(app, user=customer)
            login_failed.send(app, user=None)
    (entry,) = log_entries(app, kind="sign_in_failed")
    assert entry.actor_label == "s@example.com"
    assert entry.view == "accounts.login" or entry.view == "/account/login"


def test_refusals_are_logged_for_staff_and_customers(app):
    analyst = staff_client(app, "analyst")
    make_user(app, "c@example.com")
    customer = app.test_client()
    login(customer, "c@example.com")
    assert analyst.get("/staff/audit").status_code == 403
    assert customer.get("/staff/").status_code == 403
    first, second = log_entries(app, kind="permission_refused")
    assert (first.actor_label, first.view, first.detail) == (
        "analyst@staff.example.org",
        "staff.audit_log",
        "needs administer",
    )
    assert (second.actor_label, second.view, second.detail) == (
        "c@example.com",
        "staff.dashboard",
        "needs a staff role",
    )


def test_anonymous_visitors_are_sent_to_sign_in_without_a_log_entry(client):
    response = client.get("/staff/audit?kind=sign_in")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")
    assert "audit" in response.headers["Location"]
    assert log_entries(client.application) == []


def test_entries_cannot_be_changed_or_deleted(app):
    with app.app_context():
        entry = record_event(AuditKind.SIGN_IN, detail="x")
        entry.detail = "changed"
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        entry = db.session.scalars(select(AccessLogEntry)).one()
        db.session.delete(entry)
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalars(select(AccessLogEntry.detail)).all() == ["x"]


def test_no_web_route_writes_to_the_log_pages(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff/audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


# --- the owner's page ----------------------------------------------------------------------


@pytest.fixture
def seeded(app):
    """An owner, a support person, a customer, and a few entries of each kind."""
    owner = staff_client(app, "owner")  # writes a sign_in
    staff_client(app, "support")  # writes a sign_in
    customer_id = make_user(app, "cora@example.com", name="Cora Customer")
    owner.get(f"/staff/customers/{customer_id}")
    owner.get("/staff/customers")
    return owner, customer_id


def test_owner_reads_the_log_newest_first(app, seeded):
    owner, customer_id = seeded
    page = owner.get("/staff/audit")
    assert page.status_code == 200
    text = page.text
    assert "4 entries" in text
    assert "Not a valid" not in text  # no filter given is not an error
    table = text.split("<tbody>")[1]
    assert table.index("list, page 1") < table.index("Signed in")
    assert f"#{customer_id}" in text and "cora@example.com" in text
    assert "support@staff.example.org" in text
    assert "Download CSV" in text


def test_filters_by_staff_member_customer_kind_and_date(app, seeded):
    owner, customer_id = seeded
    with app.app_context():
        support_id = find_user_by_email("support@staff.example.org").id
    text = owner.get(f"/staff/audit?staff={support_id}").text
    assert "1 entry" in text and "Signed in" in text
    assert "Viewed personal data" not in text.split("<tbody>")[1]
    text = owner.get(f"/staff/audit?customer={customer_id}").text
    assert "1 entry" in text
    # Reading a customer's entries is itself an entry about that customer.
    text = owner.get("/staff/audit?customer=CORA@example.com").text
    assert "2 entries" in text and "access log, page 1, customer #" in text
    text = owner.get("/staff/audit?customer=nobody@example.com").text
    assert "0 entries" in text and "No account has that email" in text
    text = owner.get("/staff/audit?kind=sign_in").text
    assert "2 entries" in text
    text = owner.get("/staff/audit?kind=view_personal_data").text
    assert "6 entries" in text  # 2 customer pages, 4 readings of the log that listed entries
    today = utcnow().date()
    yesterday = today - timedelta(days=1)
    assert "9 entries" in owner.get(f"/staff/audit?date_from={today}&date_to={today}").text
    assert "0 entries" in owner.get(f"/staff/audit?date_to={yesterday}").text


def test_bad_filters_are_explained(app, seeded):
    owner, _customer_id = seeded
    text = owner.get("/staff/audit?date_from=2026-05-02&date_to=2026-05-01").text
    assert "The end date is before the start date." in text
    assert "4 entries" in text
    text = owner.get("/staff/audit?date_from=yesterday&kind=nonsense").text
    assert "Not a valid date value." in text
    assert "Not a valid choice." in text
    assert "5 entries" in text  # the invalid fields filter nothing (+ the first reading)


def test_reading_the_log_is_itself_logged(app, seeded):
    """The log shows customers' emails: each page of it that lists entries writes one entry,
    about the customer when the owner filtered on one, which that customer's export shows."""
    owner, customer_id = seeded
    owner.get("/staff/audit?kind=sign_in")
    owner.get(f"/staff/audit?customer={customer_id}&page=1")
    owner.get("/staff/audit?kind=policy_change")  # nothing listed: nobody's data shown
    readings = log_entries(app, view="staff.audit_log")
    assert [(e.kind, e.customer_id, e.detail) for e in readings] == [
        ("view_personal_data", None, "access log, page 1, kind sign_in"),
        ("view_personal_data", customer_id, f"access log, page 1, customer #{customer_id}"),
    ]
    assert all(e.actor_label == "owner@staff.example.org" for e in readings)
    assert "cora@example.com" not in "".join(e.detail for e in readings)

    customer = app.test_client()
    login(customer, "cora@example.com")
    export = customer.get("/account/export").get_json()
    about_cora = [e["view"] for e in export["access_log"] if e["about_you"]]
    assert about_cora == ["staff.customer_detail", "staff.audit_log"]


def test_the_log_comes_in_pages(app):
    owner = staff_client(app, "owner")
    with app.app_context():
        for n in range(60):
            record_event(AuditKind.POLICY_CHANGE, detail=f"entry {n}", commit=False)
        db.session.commit()
    first = owner.get("/staff/audit").text
    assert "61 entries" in first
    assert "entry 59" in first and "entry 5<" not in first
    assert "/staff/audit?page=2" in first
    second = owner.get("/staff/audit?page=2&kind=policy_change").text
    assert "entry 5<" in second and "entry 59" not in second


def test_csv_download_with_filters_is_itself_logged(app, seeded):
    owner, customer_id = seeded
    response = owner.get(f"/staff/audit.csv?customer={customer_id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    kinds = [r["kind"] for r in rows]
    # The export entry is written first, so the file lists it too.
    assert kinds == ["export_personal_data", "view_personal_data"]
    assert rows[1]["customer_email"] == "cora@example.com"
    assert rows[1]["actor"] == "owner@staff.example.org"
    assert rows[1]["view"] == "staff.customer_detail"
    (export,) = log_entries(app, kind="export_personal_data")
    assert export.view == "staff.audit_csv"
    assert export.detail == f"access log CSV, customer #{customer_id}"
    assert export.customer_id == customer_id


def test_csv_of_everything_in_batches_and_safe_for_spreadsheets(app):
    owner = staff_client(app, "owner")
    with app.app_context():
        for n in range(1205):
            record_event(AuditKind.POLICY_CHANGE, detail=f"n{n}", commit=False)
        record_event(AuditKind.POLICY_CHANGE, detail="=HYPERLINK(1)")
    rows = list(csv.DictReader(io.StringIO(owner.get("/staff/audit.csv").text)))
    assert len(rows) == 1205 + 1 + 1 + 1  # + the sign-in + the odd one + the export
    details = [r["detail"] for r in rows]
    assert len(set(details)) == len(details)
    assert "'=HYPERLINK(1)" in details


def test_log_page_and_csv_forbidden_to_other_roles(app, seeded):
    for role in ("orders", "support", "catalog", "analyst"):
        client = staff_client(app, role, email=f"{role}2@staff.example.org")
        assert client.get("/staff/audit").status_code == 403
        response = client.get("/staff/audit.csv")
        assert response.status_code == 403
        assert "cora@example.com" not in response.text
    assert log_entries(app, kind="export_personal_data") == []
