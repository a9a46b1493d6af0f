"""Answers kept for the rest of one request, until the request writes.

``memo(key, compute)`` runs ``compute()`` once per request and key (on ``flask.g``), and
keeps its answer only while the request has written nothing: any flush of the session and any
INSERT, UPDATE or DELETE through it (textual SQL but a plain SELECT too) drops every kept
answer, so a page rendered after a change never shows what was read before it. Nothing is
kept across requests, nor outside an app context (``compute()`` then runs every time).

For reads a request repeats with the same arguments (the shipping zone and methods of the
shop's country, asked for the cart's estimate and for the delivery step) and for values read
ahead (``jomso.accounts.session_values``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

MISSING: Any = object()


def _kept() -> dict | None:
    if not has_app_context():
        return None
    kept = g.get("_request_memo")
    if kept is None:
        kept = g._request_memo = {}
    return kept


def memo(key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``'s answer, computed once per request and ``key`` while nothing is written."""
    kept = _kept()
    if kept is None:
        return compute()
    answer = kept.get(key, MISSING)
    if answer is MISSING:
        answer = kept[key] = compute()
    return answer


def keep(key: Hashable, value: Any) -> None:
    kept = _kept()
    if kept is not None:
        kept[key] = value


def kept(key: Hashable) -> Any:
    """What ``keep`` or ``memo`` kept under ``key`` in this request, or ``MISSING``."""
    if not has_app_context():
        return MISSING
    return g.get("_request_memo", {}).get(key, MISSING)


def forget() -> None:
    if has_app_context():
        g.pop("_request_memo", None)


@event.listens_for(Session, "after_flush")
def _forget_on_flush(_session, _context) -> None:
    forget()


@event.listens_for(Session, "do_orm_execute")
def _forget_on_write(state) -> None:
    statement = state.statement
    if isinstance(statement, TextClause):
        # Textual SQL: only a plain SELECT keeps the answers (the catalog revision's read).
        if not statement.text.lstrip()[:7].upper().startswith("SELECT "):
            forget()
    elif not state.is_select:
        forget()
