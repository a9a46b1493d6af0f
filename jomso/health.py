"""Liveness and readiness for the operator (and a load balancer).

``/healthz``: the app answers and the database responds; nothing more, so a restart is never
triggered by something a restart cannot fix. ``/readyz``: this server can take customers now
(jomso/readiness.py): 200, or 503 with the checks that failed.
"""

from flask import Blueprint
from sqlalchemy import text

from jomso.extensions import db
from jomso.readiness import readiness_checks

bp = Blueprint("health", __name__)

_NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    checks = readiness_checks()
    failed = [check.name for check in checks if check.ok is False]
    body = {
        "status": "not ready" if failed else "ready",
        "failed": failed,
        "checks": {
            check.name: {
                "status": {True: "ok", False: "fail", None: "skipped"}[check.ok],
                "detail": check.detail,
            }
            for check in checks
        },
    }
    return body, 503 if failed else 200, _NO_STORE
