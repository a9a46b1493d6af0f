"""The shop's tax settings, tax classes and tax rates.

A rate belongs to a class and a place: a country (``region`` empty) or a region of it (a US
state, a Canadian province: ``region`` is the code the address forms keep, such as "CA"). An
address takes its region's rate first, else its country's; with neither, no tax. Rates are
kept in thousandths of a percent (20% is 20000, 5.5% is 5500, 8.875% is 8875): integers, so
no float ever touches money.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jomso.extensions import db

STANDARD = "standard"  # the class a product without one belongs to
SETTINGS_ID = 1  # the one row of ``tax_settings``


class ShippingRule:
    NONE = "none"  # shipping is not taxed
    STANDARD = "standard"  # at the standard class's rate for the address
    PROPORTIONAL = "proportional"  # split over the cart's rates, in proportion to their amounts

    ALL = (NONE, STANDARD, PROPORTIONAL)


class TaxSettings(db.Model):
    __tablename__ = "tax_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # True: catalog prices include the tax (EU style); False: tax is added at checkout (US).
    prices_include_tax: Mapped[bool] = mapped_column(default=False, server_default="0")
    shipping_rule: Mapped[str] = mapped_column(
        String(12), default=ShippingRule.PROPORTIONAL, server_default=ShippingRule.PROPORTIONAL
    )


class TaxClass(db.Model):
    __tablename__ = "tax_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What products and variants hold (``Product.tax_class``) and the CSV's column says.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    rates: Mapped[list[TaxRate]] = relationship(
        back_populates="tax_class",
        cascade="all, delete-orphan",
        order_by="(TaxRate.country, TaxRate.region)",
    )


class TaxRate(db.Model):
    __tablename__ = "tax_rates"
    __table_args__ = (UniqueConstraint("tax_class_id", "country", "region"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tax_class_id: Mapped[int] = mapped_column(
        ForeignKey("tax_classes.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166 code
    region: Mapped[str] = mapped_column(String(100), default="")  # "" for the whole country
    percent_thousandths: Mapped[int]  # 20% is 20000

    tax_class: Mapped[TaxClass] = relationship(back_populates="rates")

    @property
    def code(self) -> str:
        """How staff type the place: "DE", "US-CA"."""
        return f"{self.country}-{self.region}" if self.region else self.country
