"""The seller's details, as invoices will print them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db

SELLER_ROW = 1  # the one row


class SellerDetails(db.Model):
    """Who sells: the shop's legal name and postal address (the shop's address parts, checked
    by ``jomso.addresses`` for its country), its tax id, the invoices' footer. One row, id 1;
    none until the owner saves the page."""

    __tablename__ = "seller_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    line1: Mapped[str] = mapped_column(String(200), default="")
    line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    tax_id: Mapped[str] = mapped_column(String(20), default="")  # "DE123456789", compact
    invoice_footer: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def name(self) -> str:  # for ``jomso.addresses.address_lines``
        return self.legal_name
