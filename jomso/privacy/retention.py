"""The retention registry: every kind of data has a period, and ``flask --app app purge``
applies them all.

A rule is a function ``rule(now) -> int`` that removes or reduces data past its time, commits,
and returns how many rows it touched. A domain registers its own rules where it keeps the data
(``jomso/analytics/retention.py``, ``jomso/contact/retention.py``, ...) with
``@retention_rule("domain: what happens")`` or ``register_retention_rule(name, rule)``. Like the
data-rights registry beside it, this module imports no domain.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

RetentionRule = Callable[[datetime], int]
_RULES: dict[str, RetentionRule] = {}


def register_retention_rule(name: str, rule: RetentionRule) -> RetentionRule:
    """Add (or replace) the rule called ``name``; returns it, so it works as a decorator."""
    _RULES[name] = rule
    return rule


def retention_rule(name: str) -> Callable[[RetentionRule], RetentionRule]:
    """Decorator form: ``@retention_rule("enquiries: closed deleted")``."""
    return lambda rule: register_retention_rule(name, rule)


def run_retention_rules(now: datetime) -> dict[str, int]:
    """Apply every registered rule, in registration order; rows touched per rule."""
    return {name: rule(now) for name, rule in _RULES.items()}
