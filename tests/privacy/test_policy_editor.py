"""The owner's policy editor: versions and history, a new version prefilled from the current
one, preview with the rendered text and an escaped diff, publishing (who, when, the access
log), customers told afterwards; bad input and who may open it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from jomso.extensions import db
from jomso.privacy.editing import normalize_body, policy_diff
from jomso.privacy.models import PolicyVersion
from jomso.privacy.services import current_policy, publish_policy
from jomso.shop_time import shop_today
from tests.accounts.helpers import registered_customer
from tests.catalog.helpers import text_of
from tests.conftest import csrf_token_from
from tests.helpers import login, make_user
from tests.staff.helpers import log_entries, staff_client

FIRST_SENTENCE = "runs this online shop. This page says which personal data the shop collects,"
OLD_LINE = "We count page views to learn which pages are useful and to keep the shop"
NEW_LINE = "We count page views to learn which pages are read most and to keep the shop"


@pytest.fixture
def owner(app):
    return staff_client(app, "owner")


def today(app):
    with app.app_context():
        return shop_today()


def current_body(app) -> str:
    with app.app_context():
        return current_policy().body


def edited_body(app) -> str:
    body = current_body(app)
    assert OLD_LINE in body
    return body.replace(OLD_LINE, NEW_LINE)


def policy_post(client, data: dict, **kwargs):
    page = client.get("/staff/policy/new")
    assert page.status_code == 200
    form = {"csrf_token": csrf_token_from(page.text), "base_version": _base(page.text), **data}
    return client.post("/staff/policy/new", data=form, **kwargs)


def _base(html: str) -> str:
    return re.search(r'name="base_version" type="hidden" value="(\d+)"', html).group(1)


def versions(app) -> list[tuple[int, int | None, str]]:
    with app.app_context():
        return [
            (v.version, v.created_by, v.summary)
            for v in db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.version))
        ]


# -- Reading the versions ----------------------------------------------------------------------


def test_the_policy_page_shows_the_version_in_effect_and_the_history(app, owner):
    response = owner.get("/staff/policy")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "In effect: version 1" in text
    assert "shipped with the shop" in text
    assert "This is the policy the shop came with." in text
    assert 'href="/staff/policy/new"' in response.text
    assert 'href="/privacy/history/1"' in response.text
    nav = response.text.split('aria-label="Back office"')[1]
    assert '<a href="/staff/policy" aria-current="page">Privacy policy</a>' in nav


def test_the_new_version_form_starts_from_the_current_text(app, owner):
    response = owner.get("/staff/policy/new")
    assert response.status_code == 200
    assert "New version 2" in response.text
    textarea = response.text.split("<textarea")[1].split("</textarea>")[0]
    assert FIRST_SENTENCE in textarea
    assert "{{ shop_name }}" in textarea  # the source, placeholders and all
    assert 'value="preview"' in response.text
    assert 'value="publish"' not in response.text  # publishing comes after a preview
    assert versions(app) == [(1, None, "First version.")]


# -- Preview -----------------------------------------------------------------------------------


def test_preview_shows_the_rendered_text_and_a_word_level_diff(app, owner):
    response = policy_post(
        owner, {"body": edited_body(app), "summary": "Clearer words.", "action": "preview"}
    )
    assert response.status_code == 200
    assert "Changes against version 1" in response.text
    assert "1 line added" in response.text and "1 line removed" in response.text
    assert "<del>useful</del>" in response.text
    assert "<ins>read most</ins>" in response.text
    assert "As customers will read it" in response.text
    rendered = response.text.split("prose policy policy-preview")[1]
    assert "Jomso Demo Shop" in rendered  # placeholders filled in, as on /privacy
    assert "read most and to keep" in rendered
    assert 'value="publish"' in response.text
    assert 'value="Clearer words."' in response.text
    assert versions(app) == [(1, None, "First version.")]  # nothing published yet


def test_the_diff_and_preview_escape_what_was_typed(app, owner):
    body = current_body(app) + "\n<script>alert('policy')</script>\n\n<b onclick=x>bold</b>\n"
    response = policy_post(owner, {"body": body, "summary": "Test.", "action": "preview"})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "<b onclick" not in response.text
    diff = response.text.split('<table class="policy-diff">')[1].split("</table>")[0]
    assert "&lt;script&gt;alert(&#39;policy&#39;)&lt;/script&gt;" in diff


def test_policy_diff_marks_changed_words_and_keeps_context():
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 10", "line ten").replace("line 20", "line 20\nline 21")
    diff = policy_diff(old, new)
    assert (diff.added, diff.removed) == (2, 1)
    first, second = diff.hunks
    assert [line.kind for line in first.lines] == ["same"] * 3 + ["removed", "added"] + ["same"] * 3
    removed, added = first.lines[3], first.lines[4]
    assert removed.parts == [("line ", False), ("10", True)]
    assert added.parts == [("line ", False), ("ten", True)]
    assert (removed.old_number, added.new_number) == (10, 10)
    assert second.lines[-1].kind == "added" and second.lines[-1].parts == [("line 21", True)]
    assert policy_diff(old, old + "\n").unchanged


def test_normalize_body_makes_browser_line_endings_plain():
    assert normalize_body("a  \r\nb\r\n\r\n") == "a\nb\n"


# -- Publishing --------------------------------------------------------------------------------


def test_publish_records_who_and_when_logs_it_and_customers_are_told(app, owner):
    customer = app.test_client()
    registered_customer(customer)
    assert "Our privacy policy changed" not in customer.get("/account").text

    new_body = edited_body(app)
    response = policy_post(
        owner,
        {"body": new_body, "summary": "Clearer words about page views.", "action": "publish"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/policy"
    page = owner.get("/staff/policy")
    assert "Version 2 is published and in effect." in page.text
    assert "owner@staff.example.org" in page.text
    assert "In effect: version 2" in text_of(page.text)

    owner_id = log_entries(app, kind="sign_in")[0].actor_id
    assert versions(app)[-1] == (2, owner_id, "Clearer words about page views.")
    with app.app_context():
        published = db.session.scalar(select(PolicyVersion).where(PolicyVersion.version == 2))
        assert published.effective_date == shop_today()
        assert published.body == normalize_body(new_body)
    (entry,) = log_entries(app, kind="policy_change")
    assert entry.actor_id == owner_id
    assert entry.view == "policy_admin.version_new"
    assert entry.detail == f"version 2, effective {today(app).isoformat()}"

    public = customer.get("/privacy")
    assert "Version 2, effective" in public.text and "read most" in public.text
    notice = customer.get("/account")
    assert "Our privacy policy changed on" in notice.text
    token = csrf_token_from(notice.text)
    customer.post("/privacy/acknowledge", data={"csrf_token": token, "next": "/account"})
    assert "Our privacy policy changed" not in customer.get("/account").text


def test_the_setup_checklist_turns_green_once_the_owner_publishes(app, owner):
    assert "The shop still shows the policy it came with." in owner.get("/staff/").text
    policy_post(owner, {"body": edited_body(app), "summary": "Reviewed.", "action": "publish"})
    dashboard = owner.get("/staff/").text
    assert "A reviewed privacy policy is published." in dashboard


def test_a_version_for_a_later_day_waits(app, owner):
    customer = app.test_client()
    registered_customer(customer)
    later = today(app) + timedelta(days=10)
    response = policy_post(
        owner,
        {
            "body": edited_body(app),
            "summary": "From next week.",
            "action": "publish",
            "effective_date": later.isoformat(),
        },
    )
    assert response.status_code == 302
    page = owner.get("/staff/policy")
    assert "It takes effect on" in page.text
    assert "In effect: version 1" in text_of(page.text) and "upcoming" in page.text
    assert "Our privacy policy changed" not in customer.get("/account").text
    assert "A new version takes effect on" in customer.get("/privacy").text
    (entry,) = log_entries(app, kind="policy_change")
    assert entry.detail == f"version 2, effective {later.isoformat()}"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"summary": ""}, "summary", "Say in a sentence what changed"),
        ({"summary": "   "}, "summary", "Say in a sentence what changed"),
        ({"body": ""}, "body", "The policy cannot be empty."),
        ({"body": "   \r\n  "}, "body", "The policy cannot be empty."),
        ({"effective_date": "2001-01-01"}, "effective_date", "Choose today or a later day."),
        ({"effective_date": "next week"}, "effective_date", "Not a valid date value."),
    ],
)
def test_bad_input_comes_back_beside_the_field(app, owner, change, field, message):
    data = {"body": edited_body(app), "summary": "Fine.", "action": "publish", **change}
    response = policy_post(owner, data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert len(versions(app)) == 1
    assert log_entries(app, kind="policy_change") == []


def test_the_same_text_again_is_not_a_new_version(app, owner):
    body = current_body(app).replace("\n", "\r\n") + "\r\n"  # as a browser sends it
    response = policy_post(owner, {"body": body, "summary": "Nothing.", "action": "publish"})
    assert response.status_code == 422
    assert "This is the text of the current version: change something." in response.text
    assert len(versions(app)) == 1


def test_publishing_over_someone_elses_new_version_is_stopped(app, owner):
    page = owner.get("/staff/policy/new")
    token, base = csrf_token_from(page.text), _base(page.text)
    with app.app_context():
        publish_policy(current_body(app) + "\nMeanwhile.\n", "Someone else.")
    response = owner.post(
        "/staff/policy/new",
        data={
            "csrf_token": token,
            "base_version": base,
            "body": edited_body(app),
            "summary": "Mine.",
            "action": "publish",
        },
    )
    assert response.status_code == 422
    assert "Someone published version 2 while you were editing." in response.text
    assert "Changes against version 2" in response.text
    assert "<del>Meanwhile.</del>" in response.text or "Meanwhile." in response.text
    assert len(versions(app)) == 2
    assert 'name="base_version" type="hidden" value="2"' in response.text  # next try goes


# -- Who may open it ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["catalog", "orders", "support", "analyst"])
def test_only_the_owner_edits_the_policy(app, role):
    client = staff_client(app, role)
    for url in ("/staff/policy", "/staff/policy/new"):
        assert client.get(url).status_code == 403
    token = csrf_token_from(client.get("/staff/").text)
    response = client.post(
        "/staff/policy/new",
        data={"csrf_token": token, "body": "Mine now.", "summary": "x", "action": "publish"},
    )
    assert response.status_code == 403
    assert len(versions(app)) <= 1
    assert log_entries(app, kind="policy_change") == []
    assert 'href="/staff/policy"' not in client.get("/staff/").text


def test_customers_get_403_and_visitors_sign_in(app):
    make_user(app, "cora@example.com")
    customer = app.test_client()
    login(customer, "cora@example.com")
    assert customer.get("/staff/policy/new").status_code == 403
    response = app.test_client().get("/staff/policy/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


def test_the_publish_command_is_logged_too(app, runner, tmp_path):
    source = tmp_path / "policy.md"
    source.write_text("# Our policy\n\nShorter now.\n")
    result = runner.invoke(args=["policy-publish", str(source), "--summary", "Shorter."])
    assert result.exit_code == 0, result.output
    (entry,) = log_entries(app, kind="policy_change")
    assert entry.actor_id is None and entry.actor_label == "command line"
    assert entry.detail == f"version 2, effective {today(app).isoformat()}"
