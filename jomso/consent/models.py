"""The consent ledger: one row per choice, never changed afterwards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, event, false
from sqlalchemy.orm import Mapped, mapped_column

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db


class ConsentRecord(db.Model):
    """A choice someone made: what, about which purpose (``scope``), under which policy version,
    where (``source``), by which account or browser, about which subscriber, and whether the
    browser's Global Privacy Control signal was on. The IP address is kept only as a keyed
    hash, enough to show that two records came from the same address, never the address
    itself."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    choice: Mapped[str] = mapped_column(String(20))  # "accept" or "decline"
    scope: Mapped[str] = mapped_column(String(40))  # "analytics", "newsletter", ...
    policy_version: Mapped[int]
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    visitor_id: Mapped[str | None] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(30))  # "banner", "settings", "gpc", ...
    # The subscriber row a new-product email choice is about, signed in or not: the proof of
    # that subscriber's consent, exported and erased with it (the ledger goes with the row).
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    # The browser sent Global Privacy Control (``Sec-GPC: 1``) with the request that made it.
    gpc: Mapped[bool] = mapped_column(default=False, server_default=false())


@event.listens_for(ConsentRecord, "before_update")
def _append_only(_mapper, _connection, target: ConsentRecord) -> None:
    raise RuntimeError(f"consent record {target.id} is append-only")
