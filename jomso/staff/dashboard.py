"""The dashboard's cards: a registry every domain adds its own cards to.

A card answers one of the morning questions (what to ship, what needs an answer, what sold)
for the people whose roles may see it. A domain declares its cards in its own ``dashboard.py``
(imported by its package's ``__init__``) with ``register_card(DashboardCard(...))``:

- ``permission``: who sees the card (``None``: every staff member). The card is loaded only for
  them, so its query never runs for anyone else;
- ``title`` and ``load``: ``load()`` returns the ``CardContent``: a count, a few items (the
  oldest first, when age matters), and ``links`` to the filtered lists that hold the rest; or
  None when the card has nothing to say and stays away (failed mail, when none failed);
- ``template``: the generic card (``staff/dashboard/_card.html``) or the domain's own, which
  gets ``card`` and ``content``; ``wide`` cards take a whole row.

A link, or an item's link, shows only when its page would open for the viewer (``may_open``).
Cards show counts, ages and names of things (an order number, a product), never a person:
the dashboard writes nothing to the access log.

This module imports nothing but the core, so any domain can register without loading another
one (docs/architecture.md lists it with the registries).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from jomso.extensions import db
from jomso.permissions import Permission, may_open

log = logging.getLogger(__name__)

GENERIC_TEMPLATE = "staff/dashboard/_card.html"


@dataclass(frozen=True)
class CardLink:
    """A filtered list the card leads to: ``url_for(endpoint, **args)``."""

    label: object
    endpoint: str
    args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CardItem:
    """One line of a card: what (``text``), its age or state (``meta``), and where it opens."""

    text: str
    meta: str = ""
    endpoint: str | None = None
    args: dict = field(default_factory=dict)


@dataclass
class CardContent:
    count: int | None = None  # the headline number; None shows ``summary`` alone
    summary: str = ""  # one line under the number: "3 paid, 1 being prepared"
    items: list[CardItem] = field(default_factory=list)
    links: list[CardLink] = field(default_factory=list)
    attention: bool = False  # something is waiting: the card stands out
    extra: dict = field(default_factory=dict)  # what a card's own template reads
    failed: bool = False  # the card's query failed: it says so instead


@dataclass(frozen=True)
class DashboardCard:
    key: str
    permission: Permission | None
    title: object  # a lazy translated string
    load: Callable[[], CardContent | None]
    template: str = GENERIC_TEMPLATE
    order: int = 100  # smaller first
    wide: bool = False


_cards: dict[str, DashboardCard] = {}


def register_card(card: DashboardCard) -> None:
    """Add a card to the dashboard (a second card with the same key replaces the first)."""
    _cards[card.key] = card


def registered_cards() -> list[DashboardCard]:
    return sorted(_cards.values(), key=lambda c: (c.order, c.key))


def may_see(user, card: DashboardCard) -> bool:
    if not user.is_authenticated or not user.is_staff:
        return False
    return card.permission is None or user.can(card.permission)


def cards_for(user) -> list[tuple[DashboardCard, CardContent]]:
    """The cards ``user`` may see that have something to say, each with its content. A card
    whose query fails says so (and the error is logged): one broken card must not take the
    dashboard down."""
    shown = []
    for card in registered_cards():
        if not may_see(user, card):
            continue
        try:
            content = card.load()
        except Exception:
            log.exception("dashboard card %s could not be loaded", card.key)
            db.session.rollback()
            content = CardContent(failed=True)
        if content is not None:
            shown.append((card, _links_that_open(user, content)))
    return shown


def _links_that_open(user, content: CardContent) -> CardContent:
    """The content with only the links ``user``'s roles open (an item keeps its text)."""
    content.links = [link for link in content.links if may_open(user, link.endpoint)]
    content.items = [
        item
        if item.endpoint is None or may_open(user, item.endpoint)
        else replace(item, endpoint=None)
        for item in content.items
    ]
    return content
