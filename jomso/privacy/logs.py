"""The registry of the shop's logs that record something about people, and the fields each
records: the page-view log, the consent ledger, the staff access log, the application log. The
privacy page lists every field, so that it cannot leave one out.

A domain registers its log from its ``notice.py`` with ``register_log(Log(...))``. A log kept
in a table should list every column (``LoggedField.column``); the tests hold the page-view log,
the consent ledger and the access log to that. This module imports no domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LoggedField:
    label: Any  # what it is, for people (a translated string)
    column: str = ""  # the table column it is, when the log is a table
    only_when: Any = ""  # the condition under which it is recorded ("" : always)


@dataclass(frozen=True)
class Log:
    key: str
    title: Any
    purpose: Any
    fields: tuple[LoggedField, ...]
    table: str = ""  # the table holding it ("" : a file or stream)


_LOGS: dict[str, Log] = {}


def register_log(log: Log) -> Log:
    """Add (or replace) ``log`` under its key."""
    _LOGS[log.key] = log
    return log


def logs() -> list[Log]:
    """Every log, in registration order."""
    return list(_LOGS.values())
