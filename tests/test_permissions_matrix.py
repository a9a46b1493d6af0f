"""The role-by-URL matrix: every registered /staff URL, every method, for every role, a
customer and an anonymous visitor, checked against ROLE_PERMISSIONS and the permission the
view declares. A view under /staff that declares no permission fails this module."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from jomso import create_app
from jomso.cli import init_schema
from jomso.extensions import db
from jomso.permissions import ROLE_PERMISSIONS, Permission, Role
from tests.conftest import DatabaseMaker, csrf_token_from
from tests.helpers import login, make_user

SUBJECTS = [role.value for role in Role] + ["customer", "anonymous"]
UNDECLARED = object()


def staff_rules(app: Flask):
    """(rule, method) for every /staff URL, HEAD and OPTIONS left out (Flask answers them)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule == "/staff" or rule.rule.startswith("/staff/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def undeclared_staff_views(app: Flask) -> list[str]:
    """Endpoints under /staff whose view declares no permission."""
    return sorted(
        {
            rule.endpoint
            for rule, _method in staff_rules(app)
            if getattr(app.view_functions[rule.endpoint], "required_permission", UNDECLARED)
            is UNDECLARED
        }
    )


def _collect_cases():
    """Built from a throwaway app at collection time so each case gets a readable id."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        saved = os.environ.get("JOMSO_INSTANCE_PATH")
        os.environ["JOMSO_INSTANCE_PATH"] = tmp
        try:
            app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
        finally:
            if saved is None:
                os.environ.pop("JOMSO_INSTANCE_PATH")
            else:
                os.environ["JOMSO_INSTANCE_PATH"] = saved
        cases = []
        for rule, method in staff_rules(app):
            for subject in SUBJECTS:
                cases.append(
                    pytest.param(
                        rule.rule,
                        rule.endpoint,
                        method,
                        subject,
                        id=f"{method} {rule.rule} as {subject}",
                    )
                )
        return cases


CASES = _collect_cases()


@pytest.fixture(scope="module")
def matrix(request, tmp_path_factory, schema_template, test_database):
    """One app for the whole matrix, on a database of the run's kind: an account per role, a
    customer, and real objects for URL variables (a staff member and a customer that no
    subject depends on)."""
    tmp = tmp_path_factory.mktemp("matrix")
    databases = DatabaseMaker(request, tmp, schema_template, test_database)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JOMSO_INSTANCE_PATH", str(tmp / "instance"))
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "matrix-secret",
                "DATABASE_URL": databases.make(),
                "RATELIMIT_ENABLED": False,
                "SERVER_NAME": "shop.test",
            }
        )
    with app.app_context():
        init_schema()
    ids = {
        "user_id": make_user(app, "target-staff@staff.example.org", roles=["support"]),
        "customer_id": make_user(app, "target-customer@example.com", name="Tara Target"),
    }
    clients = {}
    for subject in SUBJECTS:
        client = app.test_client()
        if subject != "anonymous":
            roles = [] if subject == "customer" else [subject]
            make_user(app, f"{subject}@matrix.example.com", roles=roles)
            assert login(client, f"{subject}@matrix.example.com").status_code == 302
        clients[subject] = client
    yield app, clients, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop_all()


def _url(rule: str, ids: dict) -> str:
    def value(match):
        converter, name = match.group(1), match.group(2)
        if name in ids:
            return str(ids[name])
        return "1" if converter in ("int", "float") else "x"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", value, rule)


def _allowed(subject: str, declared) -> bool:
    if subject in ("customer", "anonymous"):
        return False
    if declared is None:  # staff_required: any staff role
        return True
    return Permission(declared) in ROLE_PERMISSIONS[Role(subject)]


@pytest.mark.parametrize(("rule", "endpoint", "method", "subject"), CASES)
def test_staff_url_answers_by_role(matrix, rule, endpoint, method, subject):
    app, clients, ids = matrix
    view = app.view_functions[endpoint]
    declared = getattr(view, "required_permission", UNDECLARED)
    assert declared is not UNDECLARED, f"{endpoint} declares no permission"
    client = clients[subject]
    url = _url(rule, ids)
    token = csrf_token_from(client.get("/account/login").text)
    response = client.open(url, method=method, data={"csrf_token": token})
    location = response.headers.get("Location", "")

    if subject == "anonymous":
        assert response.status_code == 302, response.status_code
        assert location.startswith("/account/login?next="), location
    elif _allowed(subject, declared):
        assert response.status_code != 403
        assert not location.startswith("/account/login"), location
        assert response.status_code < 500
    else:
        assert response.status_code == 403, response.status_code
        assert b"Not allowed" in response.data


# What PRODUCT.md's roles table says each page needs (None: any staff role). The matrix above
# checks that each page enforces what it declares; this pins the declarations themselves, so
# a page that declares too little is caught. Areas that add staff pages add their lines here.
EXPECTED_PERMISSIONS = {
    "staff.dashboard": None,
    "staff.activity": None,
    "staff.staff_list": Permission.ADMINISTER,
    "staff.staff_new": Permission.ADMINISTER,
    "staff.staff_edit": Permission.ADMINISTER,
    "staff.staff_disable": Permission.ADMINISTER,
    "staff.staff_enable": Permission.ADMINISTER,
    "staff.audit_log": Permission.ADMINISTER,
    "staff.audit_csv": Permission.ADMINISTER,
    "staff.customer_list": Permission.VIEW_CUSTOMERS,
    "staff.customer_detail": Permission.VIEW_CUSTOMERS,
    "enquiries.enquiry_list": Permission.HANDLE_ENQUIRIES,
    "enquiries.enquiry_detail": Permission.HANDLE_ENQUIRIES,
    "enquiries.enquiry_reply": Permission.HANDLE_ENQUIRIES,
    "enquiries.enquiry_close": Permission.HANDLE_ENQUIRIES,
    "enquiries.enquiry_reopen": Permission.HANDLE_ENQUIRIES,
    "interest.product_interest": Permission.MANAGE_CATALOG,
    "announcements.announcement_list": Permission.COMPOSE_ANNOUNCEMENTS,
    "announcements.announcement_new": Permission.COMPOSE_ANNOUNCEMENTS,
    "announcements.announcement_edit": Permission.COMPOSE_ANNOUNCEMENTS,
    "announcements.announcement_detail": Permission.COMPOSE_ANNOUNCEMENTS,
    "announcements.announcement_preview": Permission.COMPOSE_ANNOUNCEMENTS,
    "announcements.announcement_send": Permission.COMPOSE_ANNOUNCEMENTS,
    "announcements.announcement_send_now": Permission.COMPOSE_ANNOUNCEMENTS,
    "announcements.announcement_delete": Permission.COMPOSE_ANNOUNCEMENTS,
    "catalog_admin.product_list": Permission.MANAGE_CATALOG,
    "catalog_admin.product_new": Permission.MANAGE_CATALOG,
    "catalog_admin.product_edit": Permission.MANAGE_CATALOG,
    "catalog_admin.product_activate": Permission.MANAGE_CATALOG,
    "catalog_admin.product_deactivate": Permission.MANAGE_CATALOG,
    "catalog_admin.product_image_upload": Permission.MANAGE_CATALOG,
    "catalog_admin.product_image_update": Permission.MANAGE_CATALOG,
    "catalog_admin.product_image_move": Permission.MANAGE_CATALOG,
    "catalog_admin.product_image_delete": Permission.MANAGE_CATALOG,
    "catalog_admin.category_list": Permission.MANAGE_CATALOG,
    "catalog_admin.category_new": Permission.MANAGE_CATALOG,
    "catalog_admin.category_edit": Permission.MANAGE_CATALOG,
    "catalog_admin.category_move": Permission.MANAGE_CATALOG,
    "catalog_admin.category_delete": Permission.MANAGE_CATALOG,
    "policy_admin.version_list": Permission.ADMINISTER,
    "policy_admin.version_new": Permission.ADMINISTER,
    "pages_admin.page_list": Permission.EDIT_PAGES,
    "pages_admin.page_edit": Permission.EDIT_PAGES,
    "staff_orders.order_list": Permission.VIEW_ORDERS,
    "staff_orders.order_export": Permission.VIEW_ORDERS,
    "staff_orders.order_bulk_process": Permission.PROCESS_ORDERS,
    "staff_orders.order_bulk_packing_slips": Permission.VIEW_ORDERS,
    "staff_orders.order_bulk_export": Permission.VIEW_ORDERS,
    "staff_orders.order_add_note": Permission.PROCESS_ORDERS,
    "staff_orders.order_resend_email": Permission.PROCESS_ORDERS,
    "staff_orders.order_detail": Permission.VIEW_ORDERS,
    "staff_orders.order_packing_slip": Permission.VIEW_ORDERS,
    "staff_orders.shipment_packing_slip": Permission.VIEW_ORDERS,
    # An order's invoice and credit notes: whoever may see the order.
    "staff_invoices.invoice_page": Permission.VIEW_ORDERS,
    "staff_invoices.invoice_pdf": Permission.VIEW_ORDERS,
    "staff_invoices.credit_note_page": Permission.VIEW_ORDERS,
    "staff_invoices.credit_note_pdf": Permission.VIEW_ORDERS,
    "staff_orders.order_process": Permission.PROCESS_ORDERS,
    "staff_orders.order_ship": Permission.PROCESS_ORDERS,
    "staff_orders.order_deliver": Permission.PROCESS_ORDERS,
    "staff_orders.order_cancel_confirm": Permission.PROCESS_ORDERS,
    "staff_orders.order_cancel": Permission.PROCESS_ORDERS,
    "staff_orders.order_refund_confirm": Permission.PROCESS_ORDERS,
    "staff_orders.order_refund": Permission.PROCESS_ORDERS,
    "staff_orders.order_reconcile": Permission.PROCESS_ORDERS,
    "staff_orders.order_settle": Permission.PROCESS_ORDERS,
    "sales.sales_page": Permission.VIEW_ANALYTICS,
    "sales.sales_csv": Permission.VIEW_ANALYTICS,
    # One's own "new order" email: only for those who may see orders.
    "staff.notifications": Permission.VIEW_ORDERS,
    # The seller's details on invoices: a shop setting, the owner's.
    "seller_admin.seller_details": Permission.ADMINISTER,
    "discounts_admin.code_list": Permission.MANAGE_DISCOUNTS,
    "discounts_admin.code_edit": Permission.MANAGE_DISCOUNTS,
    "discounts_admin.code_active": Permission.MANAGE_DISCOUNTS,
}


@pytest.mark.parametrize(("endpoint", "expected"), EXPECTED_PERMISSIONS.items())
def test_declared_permissions_match_the_roles_table(app, endpoint, expected):
    assert app.view_functions[endpoint].required_permission == expected


def test_every_staff_view_declares_a_permission(app):
    assert undeclared_staff_views(app) == []


def test_matrix_covers_the_staff_pages(app):
    endpoints = {rule.endpoint for rule, _m in staff_rules(app)}
    assert {
        "staff.dashboard",
        "staff.staff_list",
        "staff.customer_list",
        "staff.customer_detail",
        "staff.audit_log",
        "staff.audit_csv",
    } <= endpoints


def test_a_view_without_a_declared_permission_is_caught(app, tmp_path, monkeypatch):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "other"))
    other = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    other.add_url_rule("/staff/forgotten", "forgotten", lambda: "personal data")
    assert undeclared_staff_views(other) == ["forgotten"]
