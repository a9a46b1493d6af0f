"""The retention registry: every table that holds personal data has a rule saying how long its
rows are kept, which setting changes that, and what happens then. ``flask --app app purge``
applies the rules; the privacy page, ``purge --list`` and docs/privacy.md show them.

A domain registers the rules for the data it keeps, in its own ``retention.py``:

- ``@retention_rule(name, data=..., tables=(...), action=..., setting=..., unit=..., starts=...)``
  on a function ``rule(now) -> int`` that removes or reduces the data past its time, commits,
  and returns how many rows (or files) it touched. ``name`` is the line ``purge`` prints.
- ``declare_retention(name, data=..., tables=(...), action=..., period=...)`` for data with no
  schedule of its own: it goes when something else happens (the account is deleted, a sign-in
  ends), which ``period(config)`` says in words.

``tests/privacy/test_retention.py`` walks the schema and fails when a table holding personal
data (linked to an account, in the data download, or with an email, phone or IP column) has
no rule. Like the data-rights registry beside it, this module imports no domain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext


class Action(StrEnum):
    """What happens to data whose time is up."""

    DELETE = "delete"  # the rows (or files) go
    ANONYMIZE = "anonymize"  # the rows stay, without what identifies a person
    TRUNCATE = "truncate"  # a value is shortened (an IP address loses its last part)


ACTION_LABELS = {
    Action.DELETE: _l("deleted"),
    Action.ANONYMIZE: _l("anonymised"),
    Action.TRUNCATE: _l("shortened"),
}

RuleFunction = Callable[[datetime], int]


@dataclass(frozen=True)
class RetentionRule:
    """One kind of data and how long it is kept.

    ``data`` names the kind of data for people ("Page views"); ``tables`` the tables it covers;
    ``setting`` the setting (without ``JOMSO_``) that holds the period in ``unit`` ("days" or
    "years"), counted from ``starts`` ("after the visit"). A rule without a setting describes
    its period in words with ``period(config)``. ``apply`` is None when nothing runs on a
    schedule (the data goes with the account)."""

    name: str
    data: Any  # a (lazy) translated string
    tables: tuple[str, ...]
    action: Action
    apply: RuleFunction | None = None
    setting: str | None = None
    unit: str = "days"
    starts: Any = ""
    period: Callable[[Mapping[str, Any]], str] | None = None
    files: str = ""  # data kept in files rather than tables: where ("instance/outbox/")

    def amount(self, config: Mapping[str, Any]) -> int | None:
        """The period's number in ``unit`` with these settings (None without a setting)."""
        return int(config[self.setting]) if self.setting else None

    def describe_period(self, config: Mapping[str, Any]) -> str:
        """How long, in words: "395 days after the visit", "until you delete your account"."""
        if self.period is not None:
            return str(self.period(config))
        amount = self.amount(config)
        if self.unit == "years":
            length = ngettext("%(num)d year", "%(num)d years", amount)
        else:
            length = ngettext("%(num)d day", "%(num)d days", amount)
        return f"{length} {self.starts}".strip()

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


_RULES: dict[str, RetentionRule] = {}


def register_retention_rule(rule: RetentionRule) -> RetentionRule:
    """Add (or replace) ``rule`` under its name."""
    if rule.apply is None and rule.period is None:
        raise ValueError(f"retention rule {rule.name!r}: give it a function or a period")
    if rule.apply is not None and rule.setting is None and rule.period is None:
        raise ValueError(f"retention rule {rule.name!r}: give it a setting or a period")
    _RULES[rule.name] = rule
    return rule


def retention_rule(
    name: str,
    *,
    data: Any,
    tables: tuple[str, ...] | list[str],
    action: Action,
    setting: str | None = None,
    unit: str = "days",
    starts: Any = "",
    period: Callable[[Mapping[str, Any]], str] | None = None,
    files: str = "",
) -> Callable[[RuleFunction], RuleFunction]:
    """Decorator: ``@retention_rule("enquiries: old ones anonymised", data=..., ...)``."""

    def register(function: RuleFunction) -> RuleFunction:
        register_retention_rule(
            RetentionRule(
                name=name,
                data=data,
                tables=tuple(tables),
                action=action,
                apply=function,
                setting=setting,
                unit=unit,
                starts=starts,
                period=period,
                files=files,
            )
        )
        return function

    return register


def declare_retention(
    name: str,
    *,
    data: Any,
    tables: tuple[str, ...] | list[str],
    action: Action,
    period: Callable[[Mapping[str, Any]], str],
) -> RetentionRule:
    """Data that goes when something else happens (``period`` says when), not on a schedule."""
    return register_retention_rule(
        RetentionRule(name=name, data=data, tables=tuple(tables), action=action, period=period)
    )


def retention_rules() -> list[RetentionRule]:
    """Every rule, by name (so "accounts: ..." rules sit together, whatever the import order)."""
    return sorted(_RULES.values(), key=lambda rule: rule.name)


def covered_tables() -> set[str]:
    return {table for rule in _RULES.values() for table in rule.tables}


def run_retention_rules(now: datetime) -> dict[str, int]:
    """Apply every rule that runs on a schedule, in registration order (a domain registers
    its rules in the order they should run: page views deleted before the IPs of the rest
    are shortened); rows touched per rule."""
    return {rule.name: rule.apply(now) for rule in _RULES.values() if rule.apply is not None}


def retention_table_markdown(config: Mapping[str, Any]) -> str:
    """The rules as a Markdown table (docs/privacy.md holds it for the default settings)."""
    lines = [
        "| data | kept | then | setting | where |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in retention_rules():
        setting = f"`JOMSO_{rule.setting}`" if rule.setting else ""
        where = [*rule.tables, *([rule.files] if rule.files else [])]
        tables = ", ".join(f"`{place}`" for place in where)
        lines.append(
            f"| {rule.data} | {rule.describe_period(config)} | {rule.action_label} | "
            f"{setting} | {tables} |"
        )
    return "\n".join(lines)
