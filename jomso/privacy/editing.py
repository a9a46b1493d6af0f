"""The owner's policy editor: a line diff between two versions, and publishing (the new version
and its ``policy_change`` access-log entry in one transaction, from the back office or the
``policy-publish`` command).

The diff is data, not HTML: the template renders it, so Jinja escapes every piece of text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from jomso.accounts.models import User
from jomso.audit.models import AuditKind
from jomso.audit.services import record_event
from jomso.extensions import db
from jomso.privacy.models import PolicyVersion
from jomso.privacy.services import ensure_initial_policy, publish_policy
from jomso.shop_time import shop_today

CONTEXT_LINES = 3
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class DiffLine:
    """One line of a unified diff. ``parts`` are (text, changed) pieces: on a changed line
    the words that differ from its counterpart are marked."""

    kind: str  # "same", "removed" or "added"
    old_number: int | None
    new_number: int | None
    parts: list[tuple[str, bool]]


@dataclass
class Hunk:
    old_start: int
    new_start: int
    lines: list[DiffLine] = field(default_factory=list)


@dataclass
class PolicyDiff:
    hunks: list[Hunk]
    added: int  # lines
    removed: int

    @property
    def unchanged(self) -> bool:
        return not self.hunks


def normalize_body(text: str) -> str:
    """Line endings as ``\\n``, no trailing spaces, one final newline (browsers send
    ``\\r\\n`` from a textarea; the stored text should not depend on the browser)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def _word_parts(old: str, new: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """The two lines cut into pieces, the pieces that differ marked."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    old_parts: list[tuple[str, bool]] = []
    new_parts: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            old_parts.append(("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            new_parts.append(("".join(b[j1:j2]), tag != "equal"))
    return old_parts, new_parts


def policy_diff(old: str, new: str, context: int = CONTEXT_LINES) -> PolicyDiff:
    """What changed from ``old`` to ``new``, line by line, in hunks with ``context`` lines
    around each change (like ``diff -u``)."""
    a, b = normalize_body(old).splitlines(), normalize_body(new).splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    hunks, added, removed = [], 0, 0
    for group in matcher.get_grouped_opcodes(context):
        hunk = Hunk(old_start=group[0][1] + 1, new_start=group[0][3] + 1)
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk.lines += [
                    DiffLine("same", i + 1, j + 1, [(a[i], False)])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            olds = [DiffLine("removed", i + 1, None, [(a[i], True)]) for i in range(i1, i2)]
            news = [DiffLine("added", None, j + 1, [(b[j], True)]) for j in range(j1, j2)]
            if tag == "replace":  # mark the words that changed on lines that pair up
                for old_line, new_line in zip(olds, news, strict=False):
                    old_line.parts, new_line.parts = _word_parts(
                        old_line.parts[0][0], new_line.parts[0][0]
                    )
            hunk.lines += olds + news
            removed += len(olds)
            added += len(news)
        hunks.append(hunk)
    return PolicyDiff(hunks=hunks, added=added, removed=removed)


def next_version_number() -> int:
    return (db.session.scalar(select(func.max(PolicyVersion.version))) or 0) + 1


def publish_version(
    body: str, summary: str, user: User | None = None, effective_date: date | None = None
) -> PolicyVersion:
    """Publish a new version, from the back office (``user`` the owner) or the command line
    (no user): who and when are stored on the version, and the ``policy_change`` entry goes
    to the access log in the same commit."""
    ensure_initial_policy()
    effective = effective_date or shop_today()
    record_event(
        AuditKind.POLICY_CHANGE,
        actor=user,
        detail=f"version {next_version_number()}, effective {effective.isoformat()}",
        commit=False,
    )
    return publish_policy(normalize_body(body), summary, user=user, effective_date=effective)
