"""An account's id is never given to another account, so "deleted account #7" in the access
log (and in any record kept after a deletion) names one account for good."""

from __future__ import annotations

from sqlalchemy import select

from jomso.accounts.models import User
from jomso.extensions import db
from tests.accounts.helpers import GOOD_PASSWORD, post_form, registered_customer
from tests.staff.helpers import log_entries


def _id_of(app, email: str) -> int | None:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def test_the_id_of_a_deleted_account_is_never_reused(app):
    registered_customer(app.test_client(), email="first@example.com")
    newest = app.test_client()
    registered_customer(newest, email="newest@example.com")
    deleted_id = _id_of(app, "newest@example.com")
    assert deleted_id > _id_of(app, "first@example.com")
    # A staff page refused to them: the access log keeps them as "deleted account #N".
    assert newest.get("/staff/").status_code == 403

    response = post_form(newest, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert response.headers["Location"] == "/account/deleted"
    assert _id_of(app, "newest@example.com") is None

    registered_customer(app.test_client(), email="later@example.com")
    assert _id_of(app, "later@example.com") > deleted_id
    # The same address again is a new account too.
    registered_customer(app.test_client(), email="newest@example.com")
    assert _id_of(app, "newest@example.com") > _id_of(app, "later@example.com")

    labels = {e.actor_label for e in log_entries(app, kind="permission_refused")}
    assert labels == {f"deleted account #{deleted_id}"}
