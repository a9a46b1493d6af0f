"""Customer records: owner only, searchable, and each look writes exactly one log entry."""

from __future__ import annotations

import pytest

from jomso.permissions import Role
from tests.helpers import make_user
from tests.staff.helpers import log_entries, staff_client


@pytest.fixture
def customers(app):
    return {
        "zoe": make_user(app, "zoe.zimmer@example.com", name="Zoe Zimmer"),
        "yan": make_user(app, "yan@example.net", name="Yan Yilmaz"),
    }


def test_owner_lists_customers_and_one_entry_is_written(app, customers):
    owner = staff_client(app, "owner")
    make_user(app, "colleague@example.com", name="Carl Colleague", roles=["support"])
    response = owner.get("/staff/customers")
    assert response.status_code == 200
    assert "Zoe Zimmer" in response.text and "yan@example.net" in response.text
    assert "Carl Colleague" not in response.text  # staff are not customers
    assert "2 customer accounts" in response.text
    (entry,) = log_entries(app, kind="view_personal_data")
    assert entry.view == "staff.customer_list"
    assert entry.customer_id is None
    assert entry.detail == "list, page 1"
    assert entry.actor_label == "owner@staff.example.org"


def test_search_by_name_or_email(app, customers):
    owner = staff_client(app, "owner")
    response = owner.get("/staff/customers?q=zimm")
    assert "Zoe Zimmer" in response.text and "Yan Yilmaz" not in response.text
    response = owner.get("/staff/customers?q=EXAMPLE.NET")
    assert "Yan Yilmaz" in response.text and "Zoe Zimmer" not in response.text
    assert 'value="EXAMPLE.NET"' in response.text
    entries = log_entries(app, kind="view_personal_data")
    assert [e.detail for e in entries] == ["list, page 1, search", "list, page 1, search"]
    # The search text itself may be personal data: it is not logged.
    assert all("zimm" not in e.detail.lower() for e in entries)


def test_search_wildcards_are_plain_text(app, customers):
    owner = staff_client(app, "owner")
    response = owner.get("/staff/customers?q=%25")
    assert "No customer matches that search." in response.text
    assert log_entries(app, kind="view_personal_data") == []  # nobody's data was shown


def test_pages_of_customers(app):
    from datetime import timedelta

    from jomso.accounts.models import User
    from jomso.database import utcnow
    from jomso.extensions import db

    with app.app_context():  # one password hash for all: hashing is slow on purpose
        start = utcnow()
        db.session.add_all(
            User(
                email=f"c{n:02d}@example.com",
                name=f"Customer {n:02d}",
                password_hash="x",
                created_at=start + timedelta(seconds=n),
            )
            for n in range(53)
        )
        db.session.commit()
    owner = staff_client(app, "owner")
    first = owner.get("/staff/customers")
    assert "c52@example.com" in first.text and "c02@example.com" not in first.text
    assert 'href="/staff/customers?page=2"' in first.text
    second = owner.get("/staff/customers?page=2")
    assert "c02@example.com" in second.text and "c52@example.com" not in second.text
    past_the_end = owner.get("/staff/customers?page=99")  # the last page, logged as what it shows
    assert past_the_end.status_code == 200 and "c02@example.com" in past_the_end.text
    details = [e.detail for e in log_entries(app, kind="view_personal_data")]
    assert details == ["list, page 1", "list, page 2", "list, page 2"]


def test_customer_detail_shows_the_profile_and_writes_one_entry(app, customers):
    owner = staff_client(app, "owner")
    response = owner.get(f"/staff/customers/{customers['zoe']}")
    assert response.status_code == 200
    text = response.text
    assert "Zoe Zimmer" in text and "zoe.zimmer@example.com" in text
    assert "Email confirmed" in text and "not yet" in text
    assert 'id="section-profile"' in text
    (entry,) = log_entries(app, kind="view_personal_data")
    assert entry.customer_id == customers["zoe"]
    assert entry.view == "staff.customer_detail"
    assert entry.ip == "127.0.0.1"


def test_customer_detail_404s_for_unknown_ids_and_staff(app, customers):
    owner = staff_client(app, "owner")
    colleague = make_user(app, "colleague@example.com", roles=["support"])
    assert owner.get("/staff/customers/99999").status_code == 404
    assert owner.get(f"/staff/customers/{colleague}").status_code == 404
    assert log_entries(app, kind="view_personal_data") == []


def test_sections_are_an_extension_point(app, customers):
    from jomso.staff.customers import (
        CUSTOMER_SECTIONS,
        CustomerSection,
        register_customer_section,
    )

    before = list(CUSTOMER_SECTIONS)
    try:
        register_customer_section(
            CustomerSection(
                "addresses",
                "Addresses",
                "staff/customers/_profile.html",
                load=lambda customer: {"count": 0},
            )
        )
        owner = staff_client(app, "owner")
        text = owner.get(f"/staff/customers/{customers['yan']}").text
        assert 'id="section-profile"' in text and 'id="section-addresses"' in text
        (entry,) = log_entries(app, kind="view_personal_data")
        # The entry names every section shown, the added one last.
        assert entry.detail == ", ".join(section.key for section in CUSTOMER_SECTIONS)
        assert entry.detail.startswith("profile, ") and entry.detail.endswith(", addresses")
    finally:
        CUSTOMER_SECTIONS[:] = before


@pytest.mark.parametrize("role", [r.value for r in Role if r is not Role.OWNER])
def test_other_roles_never_see_customer_data(app, customers, role):
    client = staff_client(app, role)
    for url in ("/staff/customers", f"/staff/customers/{customers['zoe']}"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Zoe" not in response.text and "zoe.zimmer" not in response.text
    dashboard = client.get("/staff/")
    assert dashboard.status_code == 200
    assert "Zoe" not in dashboard.text and "zoe.zimmer" not in dashboard.text
    assert 'href="/staff/customers"' not in dashboard.text
    assert log_entries(app, kind="view_personal_data") == []
    refused = log_entries(app, kind="permission_refused")
    assert [e.view for e in refused] == ["staff.customer_list", "staff.customer_detail"]
    assert all(e.detail == "needs view_customers" for e in refused)


def test_customers_cannot_open_customer_records(app, customers):
    from tests.helpers import login

    client = app.test_client()
    login(client, "yan@example.net")
    response = client.get(f"/staff/customers/{customers['zoe']}")
    assert response.status_code == 403
    assert "Zoe" not in response.text
    (entry,) = log_entries(app, kind="permission_refused")
    assert entry.actor_label == "yan@example.net"
