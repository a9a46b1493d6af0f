"""The privacy policy: the shipped first version, its history, publishing from the command
line, safe rendering, and the notice for customers who accepted an older version."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from jomso.extensions import db
from jomso.privacy.models import PolicyAcceptance, PolicyVersion
from jomso.privacy.services import current_policy, ensure_initial_policy, publish_policy
from tests.accounts.helpers import build_app, dispose_app, register, registered_customer
from tests.conftest import csrf_token_from
from tests.helpers import login, make_user

REFERENCE = Path("/work/shared/reference/jomso-privacy-policy-2018.txt")


def _visible_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def configured_app(tmp_path, monkeypatch):
    app = build_app(
        tmp_path,
        monkeypatch,
        SHOP_NAME="Tea & Kettle Ltd",
        SHOP_EMAIL="privacy@teakettle.example",
        SHOP_ADDRESS="4 Harbour Row\nPortsmouth PO1 2AB",
        ANALYTICS_IP_DAYS=45,
        ANALYTICS_KEEP_DAYS=200,
    )
    yield app
    dispose_app(app)


def test_the_first_version_is_shipped_and_names_the_shop_from_settings(configured_app):
    response = configured_app.test_client().get("/privacy")
    assert response.status_code == 200
    html = response.text
    text = _visible_text(html)
    assert "Version 1, effective" in text
    assert "Tea &amp; Kettle Ltd" in html  # escaped
    assert '<a href="mailto:privacy@teakettle.example">' in html
    assert "4 Harbour Row" in text and "Portsmouth PO1 2AB" in text
    assert "after 45 days" in text and "after 200 days" in text  # from the settings
    assert "{{" not in html and "}}" not in html  # every placeholder filled in


@pytest.mark.parametrize(
    "promise",
    [
        "Argon2id",
        "Braintree",
        "last four digits",
        "Global Privacy Control",
        "never reaches our server",
        "/account/export",
        "/account/delete",
        "/privacy/history",
        "/cookies",
        "jomso_session",
        "jomso_remember",
        "access log",
        "one click",
        "following a link",
        "order staff",
        "support staff",
        "totals only",
        "14 days",
        "30 days",
        "60 minutes",
    ],
)
def test_the_policy_describes_what_the_software_does(client, promise):
    assert promise in client.get("/privacy").text


def test_the_policy_copies_no_sentence_of_the_2018_reference(client):
    if not REFERENCE.exists():
        pytest.skip("the reference text is not on this machine")
    ours = re.sub(r"\W+", " ", _visible_text(client.get("/privacy").text)).lower().split()
    theirs = re.sub(r"\W+", " ", REFERENCE.read_text()).lower().split()
    size = 7
    our_runs = {tuple(ours[i : i + size]) for i in range(len(ours) - size + 1)}
    shared = [
        " ".join(theirs[i : i + size])
        for i in range(len(theirs) - size + 1)
        if tuple(theirs[i : i + size]) in our_runs
    ]
    assert shared == []


def test_history_lists_every_version_and_each_is_viewable(app, client):
    with app.app_context():
        publish_policy("## Changed\n\nWe now say more.", "Explains more.")
    page = client.get("/privacy")
    assert "Version 2, effective" in page.text
    assert "We now say more." in page.text
    history = client.get("/privacy/history").text
    assert "Version 2" in history and "Version 1" in history
    assert "Explains more." in history and "First version." in history
    assert history.index("Version 2") < history.index("Version 1")  # newest first
    old = client.get("/privacy/history/1")
    assert old.status_code == 200
    assert "This is not the version in effect today" in old.text
    assert "runs this online shop" in old.text
    assert client.get("/privacy/history/99").status_code == 404


def test_policy_markdown_is_sanitised(app, client):
    with app.app_context():
        publish_policy(
            "Hello <script>alert(1)</script> [click](javascript:alert(2)) "
            '<img src=x onerror="alert(3)">\n\n| a | b |\n| - | - |\n| 1 | 2 |',
            "Testing.",
        )
    html = client.get("/privacy").text
    assert "<script>alert(1)" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html  # raw HTML is shown as text, never as markup
    assert "<table>" in html  # tables are kept


def test_ensure_initial_policy_is_idempotent(app):
    with app.app_context():
        ensure_initial_policy()
        ensure_initial_policy()
        assert db.session.scalar(select(db.func.count(PolicyVersion.id))) == 1


def test_policy_publish_command(app, runner, tmp_path):
    source = tmp_path / "policy.md"
    source.write_text("# New policy\n\nWe changed a thing.\n")
    result = runner.invoke(args=["policy-publish", str(source), "--summary", "A thing changed."])
    assert result.exit_code == 0, result.output
    assert "Published privacy policy version 2" in result.output
    with app.app_context():
        policy = current_policy()
        assert policy.version == 2
        assert policy.summary == "A thing changed."
        assert policy.created_by is None

    empty = tmp_path / "empty.md"
    empty.write_text("  \n")
    result = runner.invoke(args=["policy-publish", str(empty), "--summary", "x"])
    assert result.exit_code != 0
    assert "empty" in result.output
    result = runner.invoke(args=["policy-publish", str(source)])
    assert result.exit_code != 0  # the summary is required


def test_a_future_version_is_announced_but_not_yet_in_effect(app, runner, client, tmp_path):
    source = tmp_path / "policy.md"
    source.write_text("Coming soon.\n")
    later = (date.today() + timedelta(days=10)).isoformat()
    result = runner.invoke(
        args=["policy-publish", str(source), "--summary", "Soon.", "--effective", later]
    )
    assert result.exit_code == 0, result.output
    page = client.get("/privacy").text
    assert "Version 1, effective" in page
    assert "A new version takes effect on" in page
    assert "upcoming" in client.get("/privacy/history").text


def test_customer_who_accepted_an_older_version_is_told_and_can_acknowledge(app, client):
    registered_customer(client)
    assert "Our privacy policy changed" not in client.get("/account").text
    with app.app_context():
        publish_policy("Version two.", "Second.")
    page = client.get("/account/profile")
    assert "Our privacy policy changed on" in page.text
    assert 'href="/privacy"' in page.text

    response = client.post(
        "/privacy/acknowledge",
        data={"csrf_token": csrf_token_from(page.text), "next": "/account/profile"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/profile"
    assert "Our privacy policy changed" not in client.get("/account/profile").text
    with app.app_context():
        rows = db.session.scalars(
            select(PolicyAcceptance).order_by(PolicyAcceptance.accepted_at)
        ).all()
        assert [(r.policy_version, r.source) for r in rows] == [
            (1, "registration"),
            (2, "notice"),
        ]


def test_acknowledge_needs_a_sign_in_and_a_csrf_token(app, client):
    assert client.post("/privacy/acknowledge").status_code in (302, 400)
    register(client)
    with app.app_context():
        publish_policy("Version two.", "Second.")
    from tests.accounts.helpers import sign_in

    sign_in(client)
    client.post("/privacy/acknowledge", data={})
    assert "Our privacy policy changed" in client.get("/account").text


def test_accounts_that_never_accepted_a_version_are_not_nagged(app, client):
    make_user(app, email="staff@example.com", roles=["owner"])
    with app.app_context():
        publish_policy("Version two.", "Second.")
    login(client, email="staff@example.com")
    assert "Our privacy policy changed" not in client.get("/").text
