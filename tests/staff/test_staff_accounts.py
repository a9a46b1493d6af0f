"""Staff accounts: the create-staff command, the owner's staff pages, roles and disabling."""

from __future__ import annotations

import stat
from pathlib import Path

from jomso.accounts.lookup import find_user_by_email
from jomso.accounts.models import User
from jomso.accounts.passwords import hash_password
from jomso.extensions import db
from jomso.staff.cli import _password_problems
from jomso.staff.demo import create_demo_staff
from tests.conftest import csrf_token_from
from tests.helpers import login, make_user
from tests.staff.helpers import STRONG_PASSWORD, log_entries, post_form, staff_client


def _user(app, email):
    with app.app_context():
        user = find_user_by_email(email)
        if user is not None:
            user.role_names  # load before the session closes  # noqa: B018
            db.session.expunge(user)
        return user


# --- the command ---------------------------------------------------------------------------


def test_create_staff_asks_for_the_password_twice(app, runner):
    result = runner.invoke(
        args=["create-staff", "Olga@Example.com", "--role", "owner", "--name", "Olga"],
        input=f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created staff account olga@example.com" in result.output
    assert STRONG_PASSWORD not in result.output
    user = _user(app, "olga@example.com")
    assert user.role_names == ["owner"] and user.name == "Olga"
    client = app.test_client()
    assert login(client, "olga@example.com", STRONG_PASSWORD).headers["Location"] == "/staff/"
    assert [e.detail for e in log_entries(app, kind="staff_created")] == [
        f"account #{user.id}, roles: owner"
    ]
    assert log_entries(app, kind="staff_created")[0].actor_label == "command line"


def test_create_staff_reads_the_password_from_stdin_with_several_roles(app, runner):
    result = runner.invoke(
        args=[
            "create-staff",
            "sam@example.com",
            "--role",
            "orders",
            "--role",
            "Support",
            "--password-stdin",
        ],
        input=STRONG_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert _user(app, "sam@example.com").role_names == ["orders", "support"]
    assert login(app.test_client(), "sam@example.com", STRONG_PASSWORD).status_code == 302


def test_create_staff_refuses_weak_passwords(app, runner):
    result = runner.invoke(
        args=["create-staff", "weak@example.com", "--role", "catalog", "--password-stdin"],
        input="password123\n",
    )
    assert result.exit_code == 1
    assert "Password refused" in result.output and "too easy to guess" in result.output
    assert _user(app, "weak@example.com") is None
    result = runner.invoke(
        args=["create-staff", "weak@example.com", "--role", "catalog", "--password-stdin"],
        input="short\n",
    )
    assert "at least 10 characters" in result.output


def test_create_staff_prompt_gives_three_tries(app, runner):
    result = runner.invoke(
        args=["create-staff", "try@example.com", "--role", "analyst"],
        input="aaaaaaaaaaaa\naaaaaaaaaaaa\n" * 3,
    )
    assert result.exit_code == 1
    assert result.output.count("Password refused") == 3
    assert "No acceptable password given." in result.output


def test_create_staff_unknown_role_lists_the_roles(app, runner):
    result = runner.invoke(
        args=["create-staff", "x@example.com", "--role", "boss", "--password-stdin"],
        input=STRONG_PASSWORD + "\n",
    )
    assert result.exit_code == 2
    assert "Unknown role: boss" in result.output
    assert "owner, orders, support, catalog, analyst" in result.output
    assert _user(app, "x@example.com") is None


def test_create_staff_refuses_a_bad_email(app, runner):
    result = runner.invoke(
        args=["create-staff", "not-an-email", "--role", "owner", "--password-stdin"],
        input=STRONG_PASSWORD + "\n",
    )
    assert result.exit_code == 2
    assert "EMAIL" in result.output


def test_create_staff_adds_roles_to_an_existing_account(app, runner):
    make_user(app, "ann@example.com")
    result = runner.invoke(args=["create-staff", "ann@example.com", "--role", "support"])
    assert result.exit_code == 0, result.output
    assert "already has an account" in result.output
    assert "password is unchanged" in result.output
    assert "Roles now: support" in result.output
    assert _user(app, "ann@example.com").role_names == ["support"]
    assert [e.detail.split("; ")[1] for e in log_entries(app, kind="role_change")] == [
        "added support"
    ]


def test_demo_staff_one_per_role_keep_their_passwords(app):
    with app.app_context():
        first = create_demo_staff()
        # Someone changes the demo owner's password and disables the demo analyst.
        owner = find_user_by_email("owner@staff.example.com")
        owner.password_hash = hash_password(STRONG_PASSWORD)
        find_user_by_email("analyst@staff.example.com").active = False
        db.session.commit()
        second = create_demo_staff()
    assert [roles for _e, _p, roles in first] == [
        ["owner"],
        ["orders"],
        ["support"],
        ["catalog"],
        ["analyst"],
    ]
    assert second == first  # the same accounts, the same passwords, printed again
    for email, password, _roles in (second[0], second[4]):
        assert login(app.test_client(), email, password).headers["Location"] == "/staff/"
    assert login(app.test_client(), "owner@staff.example.com", STRONG_PASSWORD).status_code == 200
    kept = Path(app.instance_path) / "demo-staff-passwords"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert first[0][1] in kept.read_text()


def test_password_rules():
    assert _password_problems("short", "", "") != []
    assert _password_problems("password1234", "", "") != []
    # The person's own name or email makes a password guessable.
    assert _password_problems("Qowtrapfel2024!", "", "") == []
    assert _password_problems("Qowtrapfel2024!", "q@example.com", "Ann Qowtrapfel") != []
    assert _password_problems(STRONG_PASSWORD, "", "") == []


# --- the owner's pages ---------------------------------------------------------------------


def test_owner_adds_a_staff_member_who_can_then_sign_in(app):
    owner = staff_client(app, "owner")
    page = owner.get("/staff/staff/new")
    assert page.status_code == 200
    response = owner.post(
        "/staff/staff/new",
        data={
            "csrf_token": csrf_token_from(page.text),
            "email": "Sue@Example.com",
            "name": "Sue Support",
            "roles": ["support", "analyst"],
            "password": STRONG_PASSWORD,
            "confirm": STRONG_PASSWORD,
        },
    )
    assert response.status_code == 302
    page = owner.get(response.headers["Location"])
    assert "sue@example.com can now sign in" in page.text
    assert _user(app, "sue@example.com").role_names == ["analyst", "support"]
    listing = owner.get("/staff/staff").text
    assert "Sue Support" in listing and "sue@example.com" in listing
    sue = app.test_client()
    login(sue, "sue@example.com", STRONG_PASSWORD)
    assert sue.get("/staff/").status_code == 200
    assert sue.get("/staff/staff").status_code == 403  # not an owner
    created = log_entries(app, kind="staff_created")
    assert created[-1].actor_label == "owner@staff.example.org"


def test_add_staff_form_keeps_input_and_explains(app):
    owner = staff_client(app, "owner")
    response = post_form(
        owner,
        "/staff/staff/new",
        {"email": "bob@example.com", "name": "Bob", "password": "bob12345678", "confirm": "x"},
    )
    assert response.status_code == 422
    assert 'value="bob@example.com"' in response.text
    assert "Choose at least one role." in response.text
    assert "The two passwords are not the same." in response.text
    response = post_form(
        owner,
        "/staff/staff/new",
        {
            "email": "bob@example.com",
            "roles": ["catalog"],
            "password": "bob12345678",
            "confirm": "bob12345678",
        },
    )
    assert response.status_code == 422
    assert "Do not use your name or email address in your password." in response.text
    assert 'value="catalog" checked' in response.text
    assert _user(app, "bob@example.com") is None
    response = post_form(
        owner,
        "/staff/staff/new",
        {"email": "bob@example.com", "roles": ["catalog"], "password": "", "confirm": ""},
    )
    assert "Choose an initial password." in response.text
    response = post_form(
        owner, "/staff/staff/new", {"email": "nope", "roles": ["boss"], "password": "x"}
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.text or "not a valid choice" in response.text


def test_add_staff_with_a_staff_email_points_to_their_page(app):
    owner = staff_client(app, "owner")
    support_id = make_user(app, "sup@example.com", roles=["support"])
    response = post_form(
        owner,
        "/staff/staff/new",
        {
            "email": "SUP@example.com",
            "roles": ["orders"],
            "password": STRONG_PASSWORD,
            "confirm": STRONG_PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "already on the staff" in response.text
    assert f"/staff/staff/{support_id}" in response.text
    assert _user(app, "sup@example.com").role_names == ["support"]


def test_add_staff_with_a_customer_email_grants_roles_and_keeps_password(app):
    owner = staff_client(app, "owner")
    make_user(app, "cus@example.com")
    response = post_form(
        owner,
        "/staff/staff/new",
        {"email": "cus@example.com", "roles": ["orders"]},
        follow_redirects=True,
    )
    assert "already had a customer account" in response.text
    assert _user(app, "cus@example.com").role_names == ["orders"]
    assert login(app.test_client(), "cus@example.com").headers["Location"] == "/staff/"


def test_owner_changes_roles_and_each_change_is_logged(app):
    owner = staff_client(app, "owner")
    member_id = make_user(app, "m@example.com", name="Mia", roles=["support"])
    url = f"/staff/staff/{member_id}"
    page = owner.get(url)
    assert 'value="support" checked' in page.text and 'value="Mia"' in page.text
    response = post_form(owner, url, {"name": "Mia M", "roles": ["orders", "catalog"]})
    assert response.status_code == 302
    user = _user(app, "m@example.com")
    assert user.role_names == ["catalog", "orders"] and user.name == "Mia M"
    (entry,) = log_entries(app, kind="role_change")
    assert entry.detail == f"account #{member_id}; added catalog, orders; removed support"
    assert entry.actor_label == "owner@staff.example.org"
    assert entry.ip == "127.0.0.1"
    # Saving again without a change writes nothing.
    post_form(owner, url, {"name": "Mia M", "roles": ["orders", "catalog"]})
    assert len(log_entries(app, kind="role_change")) == 1


def test_roles_cannot_be_emptied(app):
    owner = staff_client(app, "owner")
    member_id = make_user(app, "m@example.com", roles=["support"])
    response = post_form(owner, f"/staff/staff/{member_id}", {"name": "x"})
    assert response.status_code == 422
    assert "Choose at least one role." in response.text
    assert _user(app, "m@example.com").role_names == ["support"]


def test_only_owners_change_roles(app):
    orders = staff_client(app, "orders")
    member_id = make_user(app, "m@example.com", roles=["support"])
    token = csrf_token_from(orders.get("/account/login").text)
    response = orders.post(
        f"/staff/staff/{member_id}", data={"csrf_token": token, "roles": ["owner"]}
    )
    assert response.status_code == 403
    assert _user(app, "m@example.com").role_names == ["support"]
    (refusal,) = log_entries(app, kind="permission_refused")
    assert refusal.actor_label == "orders@staff.example.org"
    assert refusal.view == "staff.staff_edit"
    assert refusal.detail == "needs administer"


def test_the_last_owner_keeps_the_owner_role(app):
    owner = staff_client(app, "owner")
    with app.app_context():
        owner_id = find_user_by_email("owner@staff.example.org").id
    response = post_form(owner, f"/staff/staff/{owner_id}", {"roles": ["catalog"]})
    assert response.status_code == 422
    assert "only enabled owner" in response.text
    assert _user(app, "owner@staff.example.org").role_names == ["owner"]
    # With a second owner it can go; the owner then lands on the dashboard.
    make_user(app, "second@example.com", roles=["owner"])
    response = post_form(owner, f"/staff/staff/{owner_id}", {"roles": ["catalog"]})
    assert response.headers["Location"] == "/staff/"
    assert _user(app, "owner@staff.example.org").role_names == ["catalog"]


def test_a_disabled_owner_does_not_count_as_the_other_owner(app):
    owner = staff_client(app, "owner")
    other_id = make_user(app, "other@example.com", roles=["owner"])
    post_form(owner, f"/staff/staff/{other_id}/disable", page_url=f"/staff/staff/{other_id}")
    assert _user(app, "other@example.com").active is False
    with app.app_context():
        owner_id = find_user_by_email("owner@staff.example.org").id
    response = post_form(owner, f"/staff/staff/{owner_id}", {"roles": ["analyst"]})
    assert "only enabled owner" in response.text


def test_disabling_ends_sessions_at_once_and_enabling_restores_sign_in(app):
    owner = staff_client(app, "owner")
    member = staff_client(app, "support", email="sup@example.com")
    assert member.get("/staff/").status_code == 200
    member_id = _user(app, "sup@example.com").id
    response = post_form(
        owner,
        f"/staff/staff/{member_id}/disable",
        page_url=f"/staff/staff/{member_id}",
        follow_redirects=True,
    )
    assert "is disabled and signed out everywhere" in response.text
    assert "Enable again" in response.text
    # The open session is over: the next request is anonymous.
    assert member.get("/staff/").headers["Location"].startswith("/account/login")
    assert login(app.test_client(), "sup@example.com").status_code == 200
    (entry,) = log_entries(app, kind="staff_disabled")
    assert entry.detail == f"account #{member_id}"
    listing = owner.get("/staff/staff").text
    assert "Disabled" in listing

    post_form(owner, f"/staff/staff/{member_id}/enable", page_url=f"/staff/staff/{member_id}")
    assert login(app.test_client(), "sup@example.com").status_code == 302
    assert len(log_entries(app, kind="staff_enabled")) == 1


def test_owner_cannot_disable_themselves(app):
    owner = staff_client(app, "owner")
    make_user(app, "second@example.com", roles=["owner"])
    owner_id = _user(app, "owner@staff.example.org").id
    page = owner.get(f"/staff/staff/{owner_id}")
    assert "You cannot disable your own account." in page.text
    response = post_form(
        owner,
        f"/staff/staff/{owner_id}/disable",
        page_url=f"/staff/staff/{owner_id}",
        follow_redirects=True,
    )
    assert "You cannot disable your own account." in response.text
    assert _user(app, "owner@staff.example.org").active is True


def test_the_last_owner_cannot_be_disabled(app):
    with app.app_context():
        from jomso.staff.services import StaffError, disable_staff

        make_user(app, "only@example.com", roles=["owner"])
        only = find_user_by_email("only@example.com")
        try:
            disable_staff(only, actor=None)
        except StaffError as error:
            assert "only enabled owner" in str(error)
        else:
            raise AssertionError("the last owner was disabled")
        assert db.session.get(User, only.id).active is True


def test_staff_pages_404_for_customer_accounts(app):
    owner = staff_client(app, "owner")
    customer_id = make_user(app, "c@example.com")
    assert owner.get(f"/staff/staff/{customer_id}").status_code == 404
    assert owner.get("/staff/staff/99999").status_code == 404


def test_a_staff_members_page_shows_their_recent_log_entries(app):
    owner = staff_client(app, "owner")
    staff_client(app, "catalog", email="cat@example.com")
    member_id = _user(app, "cat@example.com").id
    page = owner.get(f"/staff/staff/{member_id}").text
    assert "Recent activity" in page and "Signed in" in page.split("Recent activity")[1]
    assert f"/staff/audit?staff={member_id}" in page
