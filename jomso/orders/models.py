"""Orders: what was bought, by whom, shipped where, paid how, and every change of status.

An order copies everything it needs at the moment it is placed (product name, SKU and unit
price on each line; contact and addresses on the order), so later changes to the catalog or
the address book never rewrite history. Money is integer cents in the order's currency.

Of a payment the shop keeps only Braintree's transaction id, its status, the amount, the card
brand and the last four digits. Never a nonce, never a card number.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db
from jomso.orders.carriers import tracking_url
from jomso.orders.status import OrderStatus, label

ADDRESS_PARTS = ("name", "line1", "line2", "city", "region", "postal_code", "country")


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_status_created", "status", "created_at"),
        # The staff list sorted by total (jomso/orders/order_list.py).
        Index("ix_orders_total_created", "total_cents", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "J" and 8 Crockford base32 characters: short to read out, never a long digit run.
    number: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.PENDING_PAYMENT)
    # The account that placed it; empty for guests (and after the account was deleted).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # SHA-256 of the checkout form's one-time key: a resubmitted form finds this order.
    checkout_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    email: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str] = mapped_column(String(20))  # E.164

    billing_name: Mapped[str] = mapped_column(String(200))
    billing_line1: Mapped[str] = mapped_column(String(200))
    billing_line2: Mapped[str] = mapped_column(String(200), default="")
    billing_city: Mapped[str] = mapped_column(String(100))
    billing_region: Mapped[str] = mapped_column(String(100), default="")
    billing_postal_code: Mapped[str] = mapped_column(String(20), default="")
    billing_country: Mapped[str] = mapped_column(String(2))

    shipping_name: Mapped[str] = mapped_column(String(200))
    shipping_line1: Mapped[str] = mapped_column(String(200))
    shipping_line2: Mapped[str] = mapped_column(String(200), default="")
    shipping_city: Mapped[str] = mapped_column(String(100))
    shipping_region: Mapped[str] = mapped_column(String(100), default="")
    shipping_postal_code: Mapped[str] = mapped_column(String(20), default="")
    shipping_country: Mapped[str] = mapped_column(String(2))

    currency: Mapped[str] = mapped_column(String(3))
    # The language the customer placed the order in ("de"): its emails are written in it
    # (jomso.i18n.mail_language); empty for orders from before 0.2.0 (the shop's default).
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")
    subtotal_cents: Mapped[int]
    shipping_cents: Mapped[int]
    # The delivery method chosen at checkout, by the name the customer saw (kept when the
    # method is renamed or deleted; the order list filters by it).
    shipping_method_name: Mapped[str] = mapped_column(String(120), default="", index=True)
    # The discount code used ("" none) as the customer saw it, and the code's id for counting
    # its uses (no foreign key: codes are never deleted, only deactivated; migration 0018
    # adds the column without rebuilding orders). ``discount_cents`` is what it took off the
    # goods (the sum of the lines' ``discount_cents``), ``shipping_discount_cents`` the
    # shipping price it waived (``shipping_cents`` is what was charged).
    # ``total_cents = subtotal - discount + shipping``.
    discount_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    discount_code_id: Mapped[int | None] = mapped_column(index=True)
    discount_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    shipping_discount_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    # The tax in the order (jomso/taxes/money.py): added to ``total_cents`` unless the prices
    # included it; ``shipping_tax_cents`` is the part on shipping. ``tax_lines`` add up to it.
    tax_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    shipping_tax_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    prices_include_tax: Mapped[bool] = mapped_column(default=False, server_default="0")
    total_cents: Mapped[int]

    carrier: Mapped[str] = mapped_column(String(80), default="")
    tracking_number: Mapped[str] = mapped_column(String(80), default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # When personal fields were replaced by "deleted" (the customer deleted their account).
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    changes: Mapped[list[OrderStatusChange]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderStatusChange.id"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Payment.id"
    )
    events: Mapped[list[PaymentEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="PaymentEvent.id"
    )
    notes: Mapped[list[OrderNote]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderNote.id"
    )
    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Shipment.id"
    )
    tax_lines: Mapped[list[OrderTaxLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderTaxLine.id"
    )
    # Kept by jomso/orders/search_terms.py whenever the order's names, email or lines change.
    search_terms: Mapped[list[OrderSearchTerm]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def status_label(self) -> str:
        return label(self.status)

    @property
    def tracking_url(self) -> str | None:
        """The carrier's page for this parcel (``orders.carriers``), when the carrier is known."""
        return tracking_url(self.carrier, self.tracking_number)

    @property
    def added_tax_cents(self) -> int:
        """What the tax added to the total: nothing when the prices included it."""
        return 0 if self.prices_include_tax else self.tax_cents

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def address(self, kind: str) -> dict[str, str]:
        """``kind`` is "billing" or "shipping": the address parts by name."""
        return {part: getattr(self, f"{kind}_{part}") for part in ADDRESS_PARTS}

    @property
    def ships_to_billing(self) -> bool:
        return self.address("billing") == self.address("shipping")

    @property
    def sale(self) -> Payment | None:
        """The authorization (sale) that pays this order, when one went through."""
        return next((p for p in reversed(self.payments) if p.kind == Payment.SALE), None)

    @property
    def refunds(self) -> list[Payment]:
        return [p for p in self.payments if p.kind == Payment.REFUND]

    @property
    def settlements(self) -> list[Payment]:
        """The partial settlements of the sale (one per shipment), oldest first."""
        return [p for p in self.payments if p.kind == Payment.SETTLEMENT]

    @property
    def captured_cents(self) -> int:
        """What was taken: the sale once submitted for settlement whole, or the sum of its
        partial settlements (the sale itself then stays ``settlement_pending``)."""
        settlements = self.settlements
        if settlements:
            return sum(p.amount_cents for p in settlements if p.status not in Payment.NO_MONEY)
        sale = self.sale
        if sale is None or sale.status in ("authorized", "voided", "settlement_pending"):
            return 0
        return sale.amount_cents

    def shipped_units(self) -> dict[int, int]:
        """Order line id → units shipped so far, over every shipment."""
        units: dict[int, int] = {}
        for shipment in self.shipments:
            for part in shipment.lines:
                units[part.order_line_id] = units.get(part.order_line_id, 0) + part.quantity
        return units

    def units_left(self) -> dict[int, int]:
        """Order line id → units not shipped yet (lines with none left are left out)."""
        shipped = self.shipped_units()
        left = {line.id: line.quantity - shipped.get(line.id, 0) for line in self.lines}
        return {line_id: count for line_id, count in left.items() if count > 0}

    @property
    def refunded_cents(self) -> int:
        return sum(p.amount_cents for p in self.refunds if p.status not in Payment.NO_MONEY)

    @property
    def refundable_cents(self) -> int:
        return max(0, self.captured_cents - self.refunded_cents)

    @property
    def disputes(self) -> list[PaymentEvent]:
        return [e for e in self.events if e.kind.startswith("dispute_")]


class OrderLine(db.Model):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # Kept for the staff's link to the product; the line itself is a copy.
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    # The variant sold (SET NULL: the line is a copy and outlives it); units go back to it.
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variants.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))  # the product's name at the time
    variant_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    sku: Mapped[str] = mapped_column(String(64))  # the variant's SKU at the time
    unit_price_cents: Mapped[int]
    quantity: Mapped[int]
    line_total_cents: Mapped[int]
    # This line's share of the order's discount: what was paid for the line is
    # ``line_total_cents - discount_cents`` (``paid_cents``), what a refund of it gives back.
    discount_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    # Units put back on the shelf: all of them by a cancel before shipping, some by refunds of
    # returned goods. Never more than ``quantity``.
    restocked_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    # The tax snapshot: the class's code, its rate (thousandths of a percent) and this line's
    # share of that rate's tax (jomso/taxes/money.py).
    tax_class: Mapped[str] = mapped_column(String(40), default="", server_default="")
    tax_percent_thousandths: Mapped[int] = mapped_column(default=0, server_default="0")
    tax_cents: Mapped[int] = mapped_column(default=0, server_default="0")

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def display_name(self) -> str:
        """The product's name with the variant's title: "Linen Shirt (M / Blue)"."""
        return f"{self.name} ({self.variant_title})" if self.variant_title else self.name

    @property
    def paid_cents(self) -> int:
        """What the customer paid for this line: its total less its share of the discount,
        plus its tax when the tax was added to the prices (US style)."""
        added = 0 if self.order.prices_include_tax else self.tax_cents
        return self.line_total_cents - self.discount_cents + added

    def paid_for(self, units: int) -> int:
        """What ``units`` of this line were paid (their share of ``paid_cents``, rounded
        down; all of it for every unit)."""
        if units >= self.quantity:
            return self.paid_cents
        return self.paid_cents * units // self.quantity

    @property
    def restockable(self) -> int:
        """Units of this line that may still go back in stock."""
        return self.quantity - self.restocked_quantity


class OrderTaxLine(db.Model):
    """One rate's tax on an order, as charged: the class (code and name then), the rate, the
    amount taxed at it (lines and shipping) and the tax. An order's tax lines add up to its
    ``tax_cents``."""

    __tablename__ = "order_tax_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    tax_class: Mapped[str] = mapped_column(String(40))
    class_name: Mapped[str] = mapped_column(String(80))
    percent_thousandths: Mapped[int]
    base_cents: Mapped[int]
    tax_cents: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="tax_lines")


class Shipment(db.Model):
    """One parcel of an order: which units of which lines, the carrier and tracking number,
    who sent it and when, and what its capture took (``amount_cents``; the payment record of
    its settlement, when it was one of several). An order has one per parcel until every unit
    is shipped (jomso/orders/shipping.py)."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(String(80), default="")
    tracking_number: Mapped[str] = mapped_column(String(80), default="")
    # What this parcel's capture took: its lines' totals, and the shipping on the first parcel.
    amount_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who sent it, kept should the account go: a staff email.
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="shipments")
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentLine.id"
    )

    @property
    def tracking_url(self) -> str | None:
        return tracking_url(self.carrier, self.tracking_number)

    @property
    def item_count(self) -> int:
        return sum(part.quantity for part in self.lines)

    @property
    def number(self) -> int:
        """1 for the order's first parcel, 2 for the next..."""
        return [s.id for s in self.order.shipments].index(self.id) + 1


class ShipmentLine(db.Model):
    """How many units of one order line went in a shipment."""

    __tablename__ = "shipment_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    line: Mapped[OrderLine] = relationship()


class OrderStatusChange(db.Model):
    """One step of an order's timeline: from which status to which, who, when, and a note."""

    __tablename__ = "order_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    # The staff member who made the change; empty for the customer's checkout and the system.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who it was, kept should the account go: a staff email, "customer", "system" or
    # "command line".
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    # For people: "Shipped with UPS", "Refunded $10.00". Never card data or personal data.
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="changes")

    @property
    def to_label(self) -> str:
        return label(self.to_status)


class OrderNote(db.Model):
    """An internal note on an order, written by staff for staff: on the staff timeline only,
    never on the customer's page or in their emails. It may name the customer, so it goes into
    the customer's data export and is deleted with their account (jomso/orders/data_rights.py).
    """

    __tablename__ = "order_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who wrote it, kept should the account go: a staff email, or "system" for notes the shop
    # writes itself (an email sent again).
    author_label: Mapped[str] = mapped_column(String(254), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="notes")


class OrderSearchTerm(db.Model):
    """One word the staff search finds an order by: a word of the billing or shipping name,
    the email and each line's SKU, folded (lower case, no accents, letters and digits only).
    A search is an indexed prefix lookup here (``term >= 'gus' AND term < 'gut'``), never a
    scan of every order. Rows follow the order (jomso/orders/search_terms.py).

    ``kind`` says who may find the order by the word: ``order`` (a word of the shipping name,
    a SKU: every staff member who sees orders) or ``customer`` (only in the billing name, or
    the email: those who may see customer records, as the order pages show them)."""

    __tablename__ = "order_search_terms"
    __table_args__ = (Index("ix_order_search_terms_term", "term", "kind", "order_id"),)

    ORDER = "order"
    CUSTOMER = "customer"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(254), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default=ORDER)


class Payment(db.Model):
    """A Braintree transaction of an order: the sale (authorization, later captured whole), a
    partial settlement of it (one per shipment when an order ships in several parcels), or a
    refund. Only what the privacy policy allows: id, status, amount, brand, last four."""

    __tablename__ = "payments"
    # The refunds of a day, for the sales figures; the staff list's payment filter: orders
    # whose sale (or refund) is in some status.
    __table_args__ = (
        Index("ix_payments_kind_created", "kind", "created_at"),
        Index("ix_payments_kind_status", "kind", "status", "order_id"),
    )

    SALE = "sale"
    REFUND = "refund"
    # A partial settlement of the sale: Braintree's child transaction for one shipment.
    SETTLEMENT = "settlement"
    # Refund statuses that moved no money.
    NO_MONEY = frozenset({"voided", "failed", "processor_declined", "gateway_rejected"})

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # sale, settlement or refund
    transaction_id: Mapped[str] = mapped_column(String(64), unique=True)
    # The transaction this one belongs to: a settlement's authorization, a refund's settlement
    # (empty for the sale, and for refunds of a sale captured whole, recorded before 0016).
    parent_transaction_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    status: Mapped[str] = mapped_column(String(40))  # Braintree's: authorized, settled...
    amount_cents: Mapped[int]
    card_brand: Mapped[str] = mapped_column(String(40), default="")
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="payments")


class PaymentEvent(db.Model):
    """Something Braintree told us by webhook about an order's payment: a dispute opened,
    won or lost, a refund that failed. Shown on the staff order page."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # dispute_opened, refund_failed, ...
    transaction_id: Mapped[str] = mapped_column(String(64), default="")
    dispute_id: Mapped[str] = mapped_column(String(64), default="")
    dispute_status: Mapped[str] = mapped_column(String(40), default="")
    dispute_reason: Mapped[str] = mapped_column(String(80), default="")
    reply_by: Mapped[date | None]
    amount_cents: Mapped[int | None]
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
