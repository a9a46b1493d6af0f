"""Staff forms show every problem in one pass: what was typed wrong and what the shop's rules
refuse (a SKU another product has, an address already on the staff, an unchanged policy)
come back together, each beside its field and all in the summary at the top, instead of one
per send."""

from __future__ import annotations

import re

from tests.catalog.admin_helpers import create_product, product_form, submit
from tests.catalog.helpers import make_category, make_product
from tests.conftest import csrf_token_from
from tests.helpers import make_user
from tests.staff.helpers import post_form, staff_client


def _summary(html: str) -> str:
    """The error summary at the top of the page (partials/forms.html)."""
    match = re.search(r'<div class="error-summary"[^>]*role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(1)


def _beside(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert match, f"no message beside {field}"
    return match.group(1)


def test_new_staff_member_every_problem_at_once(app):
    owner = staff_client(app, "owner")
    response = post_form(
        owner,
        "/staff/staff/new",
        {"email": "sam@", "name": "Sam", "password": "short", "confirm": "short"},
    )
    assert response.status_code == 422
    html = response.text
    assert _beside(html, "email")
    assert "at least 10 characters" in _beside(html, "password")
    assert "Choose at least one role." in _beside(html, "roles")
    summary = _summary(html)
    for anchor in ("#email", "#password", "#roles"):
        assert f'href="{anchor}"' in summary
    assert 'value="Sam"' in html  # what was typed stays


def test_an_address_already_on_the_staff_and_a_missing_role_together(app):
    make_user(app, "cora@example.com", name="Cora", roles=["support"])
    owner = staff_client(app, "owner")
    response = post_form(owner, "/staff/staff/new", {"email": "cora@example.com", "name": "C"})
    assert response.status_code == 422
    assert "already on the staff" in _beside(response.text, "email")
    assert "Choose at least one role." in _beside(response.text, "roles")


def test_product_form_every_problem_at_once(app):
    catalog = staff_client(app, "catalog")
    create_product(catalog, name="Walnut Board", sku="WSB-01", slug="board")
    response = submit(
        catalog,
        "/staff/products/new",
        product_form(name="", sku="WSB-01", slug="board", price="twelve", stock="-1"),
    )
    assert response.status_code == 422
    html = response.text
    assert "Give the product a name." in _beside(html, "name")
    assert "Another product already has the SKU “WSB-01”." in _beside(html, "sku")
    assert "Another one already uses the web address name “board”." in _beside(html, "slug")
    assert _beside(html, "price")
    assert "Stock cannot be negative." in _beside(html, "stock")
    assert _summary(html).count("<li>") == 5


def test_category_form_name_and_slug_together(app):
    make_category(app, "Kitchen")
    catalog = staff_client(app, "catalog")
    response = submit(
        catalog, "/staff/categories/new", {"name": "", "slug": "kitchen"}, "/staff/categories"
    )
    assert response.status_code == 422
    assert "Give the category a name." in _beside(response.text, "name")
    assert "“kitchen”" in _beside(response.text, "slug")
    assert _summary(response.text).count("<li>") == 2


def test_announcement_subject_and_products_together(app):
    make_product(app, "Speckled Mug", age_days=2)
    catalog = staff_client(app, "catalog")
    response = post_form(catalog, "/staff/announcements/new", {"subject": "", "products": []})
    assert response.status_code == 422
    assert "Give the email a subject." in _beside(response.text, "subject")
    assert "Choose at least one new product to announce." in _beside(response.text, "products")
    assert 'href="#products"' in _summary(response.text)


def test_policy_unchanged_text_and_missing_summary_together(app):
    owner = staff_client(app, "owner")
    page = owner.get("/staff/policy/new")
    body = re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", page.text, re.S).group(1)
    base = re.search(r'name="base_version" type="hidden" value="(\d+)"', page.text).group(1)
    from html import unescape

    response = owner.post(
        "/staff/policy/new",
        data={
            "csrf_token": csrf_token_from(page.text),
            "base_version": base,
            "body": unescape(body),
            "summary": "",
            "action": "preview",
        },
    )
    assert response.status_code == 422
    assert "change something" in _beside(response.text, "body")
    assert "Say in a sentence what changed" in _beside(response.text, "summary")
