"""Content pages: the owner publishes versions of shipping and returns, terms, about us and
the imprint (preview first, bad input kept, the access log told); visitors read the newest
version, sanitised, and the footer links to the pages that have one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jomso.extensions import db
from jomso.pages.demo import publish_demo_pages
from jomso.pages.models import PageVersion
from jomso.pages.services import PAGES, publish_page
from tests.catalog.helpers import text_of
from tests.conftest import csrf_token_from
from tests.helpers import login, make_user
from tests.staff.helpers import log_entries, staff_client

URLS = ["/pages/shipping-and-returns", "/pages/terms", "/pages/about", "/pages/imprint"]
EVIL = "## Returns\n\n<script>alert('x')</script>\n\n[click](javascript:alert(1))\n\n**30 days**\n"


@pytest.fixture
def owner(app):
    return staff_client(app, "owner")


def page_post(client, slug: str, data: dict, **kwargs):
    page = client.get(f"/staff/pages/{slug}")
    assert page.status_code == 200
    base = re.search(r'name="base_version" type="hidden" value="(\d+)"', page.text).group(1)
    form = {"csrf_token": csrf_token_from(page.text), "base_version": base, **data}
    return client.post(f"/staff/pages/{slug}", data=form, **kwargs)


def versions(app, slug: str) -> list[tuple[int, int | None, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(PageVersion).where(PageVersion.page == slug).order_by(PageVersion.version)
        )
        return [(v.version, v.created_by, v.summary) for v in rows]


def publish(app, slug: str, body: str, summary: str = "First text.") -> None:
    with app.app_context():
        publish_page(slug, body, summary)


def footer(html: str) -> str:
    return html.split('class="site-footer"')[1]


# -- Before anything is published --------------------------------------------------------------


def test_an_unpublished_page_answers_404_in_the_shops_look_and_is_not_linked(app, client):
    for url in [*URLS, "/pages/nothing-here"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.text
        assert 'class="site-footer"' in response.text  # the shop's own page
    assert "/pages/" not in footer(client.get("/").text)


# -- Publishing --------------------------------------------------------------------------------


def test_the_list_shows_the_four_pages_and_their_last_change(app, owner):
    publish(app, "about", "We make bowls.\n", "Our story.")
    response = owner.get("/staff/pages")
    assert response.status_code == 200
    text = text_of(response.text)
    for page in PAGES.values():
        assert f'href="/staff/pages/{page.slug}"' in response.text
        assert str(page.title) in text
    assert "Version 1" in text and "Our story." in text and "command line" in text
    assert text.count("not published yet") == 3
    nav = response.text.split('aria-label="Back office"')[1]
    assert '<a href="/staff/pages" aria-current="page">Content pages</a>' in nav


def test_preview_then_publish_records_who_and_logs_it(app, owner, client):
    body = "## Shipping\n\nWe ship within **two days**.\r\n"
    first = owner.get("/staff/pages/shipping-and-returns")
    assert "Not published yet" in first.text
    assert 'value="preview"' in first.text and 'value="publish"' not in first.text

    preview = page_post(
        owner, "shipping-and-returns", {"body": body, "summary": "First.", "action": "preview"}
    )
    assert preview.status_code == 200
    rendered = preview.text.split("content-page-preview")[1].split("</article>")[0]
    assert "<h2>Shipping</h2>" in rendered and "<strong>two days</strong>" in rendered
    assert 'value="publish"' in preview.text and 'value="First."' in preview.text
    assert versions(app, "shipping-and-returns") == []  # a preview publishes nothing
    assert client.get("/pages/shipping-and-returns").status_code == 404

    response = page_post(
        owner, "shipping-and-returns", {"body": body, "summary": "First.", "action": "publish"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/pages/shipping-and-returns"
    page = owner.get("/staff/pages/shipping-and-returns")
    assert "Version 1 of “Shipping and returns” is published." in page.text
    assert "owner@staff.example.org" in page.text and "First." in page.text

    owner_id = log_entries(app, kind="sign_in")[0].actor_id
    assert versions(app, "shipping-and-returns") == [(1, owner_id, "First.")]
    (entry,) = log_entries(app, kind="page_change")
    assert entry.actor_id == owner_id
    assert entry.view == "pages_admin.page_edit"
    assert entry.detail == "shipping-and-returns version 1"
    with app.app_context():
        stored = db.session.scalar(select(PageVersion))
        assert stored.body == "## Shipping\n\nWe ship within **two days**.\n"

    public = client.get("/pages/shipping-and-returns")
    assert public.status_code == 200
    assert "<h1>Shipping and returns</h1>" in public.text
    assert "<strong>two days</strong>" in public.text
    assert "Last updated" in public.text


def test_a_new_version_starts_from_the_newest_and_replaces_it(app, owner, client):
    publish(app, "terms", "Old terms.\n")
    page = owner.get("/staff/pages/terms")
    assert "Old terms." in page.text.split("<textarea")[1].split("</textarea>")[0]
    assert "New version 2" in page.text
    response = page_post(
        owner, "terms", {"body": "New terms.", "summary": "Simpler.", "action": "publish"}
    )
    assert response.status_code == 302
    assert [v[0] for v in versions(app, "terms")] == [1, 2]
    public = client.get("/pages/terms").text
    assert "New terms." in public and "Old terms." not in public
    history = text_of(owner.get("/staff/pages/terms").text).split("Versions")[-1]
    assert history.index("Version 2") < history.index("Version 1")
    assert "Simpler." in history and "First text." in history


def test_the_page_is_sanitised(app, owner, client):
    preview = page_post(owner, "about", {"body": EVIL, "summary": "x", "action": "preview"})
    publish(app, "about", EVIL)
    for html in (preview.text, client.get("/pages/about").text):
        assert "<script>alert" not in html
        assert not re.search(r"href=\S*javascript", html)
        assert "&lt;script&gt;" in html  # shown as text, not run
        assert "<strong>30 days</strong>" in html


# -- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"summary": ""}, "summary", "Say in a sentence what changed"),
        ({"summary": "   "}, "summary", "Say in a sentence what changed"),
        ({"body": ""}, "body", "The page cannot be empty."),
        ({"body": "  \r\n "}, "body", "The page cannot be empty."),
        ({"summary": "x" * 501}, "summary", "Field cannot be longer than 500 characters."),
    ],
)
def test_bad_input_comes_back_beside_the_field_with_what_was_typed(
    app, owner, change, field, message
):
    data = {"body": "Our *imprint* text.", "summary": "Typed summary", "action": "publish"}
    response = page_post(owner, "imprint", {**data, **change})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    kept = {**data, **change}
    if kept["body"].strip():
        assert "Our *imprint* text." in response.text
    if kept["summary"].strip():
        assert f'value="{kept["summary"]}"' in response.text
    assert versions(app, "imprint") == []
    assert log_entries(app, kind="page_change") == []


def test_the_same_text_again_is_not_a_new_version(app, owner):
    publish(app, "about", "Same.\n")
    response = page_post(
        owner, "about", {"body": "Same.\r\n", "summary": "Nothing.", "action": "publish"}
    )
    assert response.status_code == 422
    assert "This is the text of the current version: change something." in response.text
    assert len(versions(app, "about")) == 1


def test_publishing_over_someone_elses_new_version_is_stopped(app, owner):
    page = owner.get("/staff/pages/about")
    token = csrf_token_from(page.text)
    publish(app, "about", "Meanwhile.\n")
    response = owner.post(
        "/staff/pages/about",
        data={
            "csrf_token": token,
            "base_version": "0",
            "body": "Mine.",
            "summary": "Mine.",
            "action": "publish",
        },
    )
    assert response.status_code == 422
    assert "Someone published version 1 while you were editing." in response.text
    assert 'name="base_version" type="hidden" value="1"' in response.text
    assert len(versions(app, "about")) == 1


def test_a_post_without_the_csrf_token_is_refused_in_the_shops_look(app, owner):
    response = owner.post(
        "/staff/pages/about", data={"body": "Mine.", "summary": "Mine.", "action": "publish"}
    )
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert 'class="site-footer"' in response.text
    assert versions(app, "about") == []


def test_an_unknown_page_cannot_be_edited(app, owner):
    assert owner.get("/staff/pages/faq").status_code == 404


# -- The footer --------------------------------------------------------------------------------


def test_the_footer_links_to_the_published_pages_only(app, client):
    client.get("/")  # cached for visitors: the first publish makes it again
    publish(app, "imprint", "Imprint text.\n")
    publish(app, "about", "About text.\n")
    links = footer(client.get("/").text)
    assert '<a href="/pages/about">About us</a>' in links
    assert '<a href="/pages/imprint">Imprint</a>' in links
    assert links.index("/pages/about") < links.index("/pages/imprint")  # the table's order
    assert "/pages/terms" not in links and "/pages/shipping-and-returns" not in links
    assert '<a href="/pages/about">' in footer(client.get("/pages/imprint").text)


def test_the_demo_publishes_each_page_once(app, client):
    with app.app_context():
        assert publish_demo_pages() == 4
        assert publish_demo_pages() == 0
    for url in URLS:
        assert client.get(url).status_code == 200, url
    assert app.config["SHOP_NAME"] in client.get("/pages/imprint").text


# -- Who may open it ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["catalog", "orders", "support", "analyst"])
def test_only_the_owner_edits_the_pages(app, role):
    client = staff_client(app, role)
    for url in ("/staff/pages", "/staff/pages/about"):
        assert client.get(url).status_code == 403
    token = csrf_token_from(client.get("/staff/").text)
    response = client.post(
        "/staff/pages/about",
        data={"csrf_token": token, "body": "Mine.", "summary": "x", "action": "publish"},
    )
    assert response.status_code == 403
    assert versions(app, "about") == []
    assert 'href="/staff/pages"' not in client.get("/staff/").text


def test_customers_get_403_and_visitors_sign_in(app):
    make_user(app, "cora@example.com")
    customer = app.test_client()
    login(customer, "cora@example.com")
    assert customer.get("/staff/pages").status_code == 403
    response = app.test_client().get("/staff/pages/about")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


def test_the_publish_is_on_the_owners_activity_feed(app, owner):
    page_post(owner, "about", {"body": "Hello.", "summary": "First.", "action": "publish"})
    assert "Content page changed: about version 1" in text_of(owner.get("/staff/activity").text)
