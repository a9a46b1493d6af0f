"""Readiness (jomso/readiness.py, ``/readyz``): 200 while the database answers, no mail has
waited long for a sender and Redis (when set) answers; otherwise 503 naming the failed check."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from jomso import create_app
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import OutgoingMail, send_mail
from tests import services


def _queue_mail(app, due_minutes_ago: float = 0) -> None:
    """One message in the queue, due this many minutes ago (as if nobody had sent it since)."""
    with app.test_request_context():
        send_mail("ann@example.com", "Hello", "account_deleted")
        db.session.commit()
        db.session.execute(
            update(OutgoingMail).values(
                next_attempt_at=utcnow() - timedelta(minutes=due_minutes_ago)
            )
        )
        db.session.commit()


def test_a_working_shop_is_ready_and_healthz_stays_a_liveness_check(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.json["status"] == "ready" and answer.json["failed"] == []
    checks = answer.json["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["mail_queue"] == {"status": "ok", "detail": "nothing waiting"}
    assert checks["redis"]["status"] == "skipped"  # no REDIS_URL
    assert client.get("/healthz").json == {"status": "ok"}


def test_mail_nobody_sends_makes_the_shop_not_ready_until_it_is_sent(app, client, runner):
    app.config["MAIL_DELIVERY"] = "cron"  # only send-mail sends, and nobody runs it
    _queue_mail(app, due_minutes_ago=5)
    answer = client.get("/readyz")
    assert answer.status_code == 200  # due for 5 minutes: within MAIL_STUCK_MINUTES (15)
    assert "5 minutes" in answer.json["checks"]["mail_queue"]["detail"]

    _queue_mail(app, due_minutes_ago=20)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["status"] == "not ready"
    assert answer.json["failed"] == ["mail_queue"]
    assert answer.json["checks"]["mail_queue"] == {
        "status": "fail",
        "detail": "a message has waited 20 minutes for a sender",
    }
    assert "ann@example.com" not in answer.text
    assert client.get("/healthz").status_code == 200  # alive all the same

    result = runner.invoke(args=["send-mail"])
    assert "Sent 2" in result.output
    assert client.get("/readyz").status_code == 200


def test_mail_waiting_for_its_next_attempt_is_not_stuck(app, client):
    app.config["MAIL_DELIVERY"] = "cron"
    _queue_mail(app, due_minutes_ago=-60)  # a retry planned in an hour (the server was down)
    with app.app_context():
        db.session.execute(update(OutgoingMail).values(created_at=utcnow() - timedelta(hours=3)))
        db.session.commit()
    assert client.get("/readyz").status_code == 200


def test_a_mail_sender_that_died_holding_a_message_counts_once_its_lease_is_over(app, client):
    app.config["MAIL_DELIVERY"] = "cron"
    _queue_mail(app)
    with app.app_context():
        db.session.execute(
            update(OutgoingMail).values(
                state="sending", claim="x" * 32, claimed_until=utcnow() - timedelta(minutes=30)
            )
        )
        db.session.commit()
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json["failed"] == ["mail_queue"]


def test_redis_is_checked_when_set(app, client, tmp_path):
    with services.redis_server(tmp_path / "redis") as url:
        app.config["REDIS_URL"] = url.replace("redis://", "redis://:secret-password@")
        answer = client.get("/readyz")
        assert answer.status_code == 200
        assert answer.json["checks"]["redis"] == {"status": "ok", "detail": "answers"}
    # The server has stopped: the shop is not ready, and says so without the URL.
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json["failed"] == ["redis"]
    assert answer.json["checks"]["redis"]["detail"] == "no answer (ConnectionError)"
    assert "secret-password" not in answer.text and "127.0.0.1" not in answer.text


def test_a_database_that_does_not_answer_makes_the_shop_not_ready(tmp_path, monkeypatch):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'no-such-folder' / 'shop.sqlite3'}",
        }
    )
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["failed"] == ["database", "mail_queue"]
    assert answer.json["checks"]["database"]["detail"] == "no answer (OperationalError)"
    with app.app_context():
        db.engine.dispose()
