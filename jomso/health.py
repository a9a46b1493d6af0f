"""Liveness for the operator: the app answers and the database responds."""

from flask import Blueprint
from sqlalchemy import text

from jomso.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
