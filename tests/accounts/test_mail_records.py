"""The mail the shop holds for an address (the queue of ``jomso.mail``): in the account's data
download, gone with the account (the goodbye is not kept once sent), and deleted by ``purge``
MAIL_KEEP_DAYS after it was sent or given up."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import MailState, OutgoingMail
from tests.accounts.helpers import GOOD_PASSWORD, post_form, registered_customer


def _held(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id))
        return [(row.to_address, row.template, row.state) for row in rows]


def test_purge_deletes_mail_sent_or_given_up_more_than_mail_keep_days_ago(app):
    now = utcnow()
    old, recent = now - timedelta(days=8), now - timedelta(days=1)
    with app.app_context():
        for template, state, when in [
            ("old_sent", MailState.SENT, old),
            ("recent_sent", MailState.SENT, recent),
            ("old_failed", MailState.FAILED, old),
            ("recent_failed", MailState.FAILED, recent),
            ("old_waiting", MailState.QUEUED, None),  # still trying: kept
        ]:
            db.session.add(
                OutgoingMail(
                    template=template,
                    to_address="ann@example.com",
                    message=b"Subject: x\n\nx\n",
                    state=state,
                    created_at=old - timedelta(days=2),
                    sent_at=when if state == MailState.SENT else None,
                    failed_at=when if state == MailState.FAILED else None,
                )
            )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert "mail: sent and failed messages deleted: 2" in result.output
    assert [template for _to, template, _state in _held(app)] == [
        "recent_sent",
        "recent_failed",
        "old_waiting",
    ]


def test_the_data_download_lists_the_mail_held_for_the_account(app, client):
    registered_customer(client)
    export = json.loads(client.get("/account/export").data)
    [confirmation] = export["mail"]
    assert confirmation["to_address"] == "bea@example.com"
    assert confirmation["subject"] == "Please confirm your email address"
    assert confirmation["template"] == "confirm_email" and confirmation["state"] == "sent"
    assert confirmation["created_at"] and confirmation["sent_at"]
    assert "/account/confirm/" not in json.dumps(export)  # not the message, nor its link


def test_deleting_the_account_deletes_its_mail_and_keeps_no_copy_of_the_goodbye(app, client):
    registered_customer(client)
    post_form(client, "/account/password-reset", {"email": "bea@example.com"})
    registered_customer(app.test_client(), email="cy@example.com")
    response = post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert [(to, template) for to, template, _state in _held(app)] == [
        ("cy@example.com", "confirm_email"),  # someone else's
    ]
