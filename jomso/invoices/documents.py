"""An invoice or a credit note as printed: every text on it, written in the order's language
with its money and dates formatted by Babel (``jomso.i18n``). The HTML page and the PDF
(``jomso.invoices.pdf``) both print a ``Printed``; neither computes anything.

An invoice's lines, tax and totals are the order's snapshot. Each line shows its total less
its share of the discount (what was charged for it, before any tax added), so that

    lines + shipping + tax added = total charged,

and the discount is shown beside each line and once in the totals (the subtotal before it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from jomso.addresses import address_lines
from jomso.i18n import format_money, format_when, mail_language
from jomso.invoices.models import CreditNote, Invoice
from jomso.taxes.money import percent_text

if TYPE_CHECKING:
    from jomso.orders.models import Order

MINUS = "\u2212"  # the minus sign before a discount, as the order page writes it


@dataclass
class Printed:
    """The texts of one document, in reading order."""

    kind: str  # "invoice" or "credit_note"
    title: str  # "Invoice 2026-000123"
    number: str
    language: str
    seller_lines: list[str]
    seller_tax_id: str
    buyer_lines: list[str]
    buyer_email: str
    facts: list[tuple[str, str]]  # (label, value): date, order number, the invoice referred to
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    tax_columns: list[str] = field(default_factory=list)
    tax_rows: list[list[str]] = field(default_factory=list)
    totals: list[tuple[str, str]] = field(default_factory=list)
    grand: int = 0  # the index in ``totals`` of the total charged or refunded
    tax_note: str = ""  # "Prices include VAT." / "Tax added to the prices."
    footer: str = ""


def _seller(document: Invoice | CreditNote) -> tuple[list[str], str]:
    if not document.seller_legal_name:
        return [], ""
    tax_id = document.seller_tax_id
    shown = _("Tax id: %(number)s", number=tax_id) if tax_id else ""  # as /staff/seller shows it
    return address_lines(document.seller_address()), shown


def _buyer(order: Order, with_buyer: bool) -> tuple[list[str], str]:
    """The billing name and address, and the email; or, for staff who may not see the
    customer record (the orders role), a line saying they are left out."""
    if not with_buyer:
        return [
            _("The buyer's billing details are left out: they belong to the customer record.")
        ], ""
    return address_lines(order.address("billing")), order.email


def _rate(percent_thousandths: int) -> str:
    return f"{percent_text(percent_thousandths)} %"


def _tax_note(order: Order) -> str:
    if not order.tax_lines:
        return ""
    if order.prices_include_tax:
        return _("Prices include VAT.")
    return _("Prices plus tax: the tax is added to the total.")


def _common(document: Invoice | CreditNote, order: Order, with_buyer: bool, money) -> dict:
    """What an invoice and a credit note print alike: the seller and the buyer, the tax
    per rate of ``document``'s tax lines, the tax note and the seller's footer."""
    seller, tax_id = _seller(document)
    buyer, email = _buyer(order, with_buyer)
    lines = order.tax_lines if isinstance(document, Invoice) else document.tax_lines
    return {
        "language": order.language,
        "seller_lines": seller,
        "seller_tax_id": tax_id,
        "buyer_lines": buyer,
        "buyer_email": email,
        "tax_columns": [_("Tax rate"), _("Amount taxed"), _("Tax")],
        "tax_rows": [
            [
                f"{_rate(t.percent_thousandths)} ({t.class_name})",
                money(t.base_cents),
                money(t.tax_cents),
            ]
            for t in lines
        ],
        "tax_note": _tax_note(order),
        "footer": document.seller_footer,
    }


def printed_invoice(invoice: Invoice, with_buyer: bool = True) -> Printed:
    """The invoice as printed, in its order's language (``with_buyer`` False: without the
    buyer's billing details and email)."""
    order = invoice.order
    with mail_language(order.language):
        money = lambda cents: format_money(cents, order.currency)  # noqa: E731
        printed = Printed(
            kind="invoice",
            title=_("Invoice %(number)s", number=invoice.number),
            number=invoice.number,
            facts=[
                (_("Invoice number"), invoice.number),
                (_("Invoice date"), format_when(invoice.issued_at, "document")),
                (_("Order number"), order.number),
                (_("Order date"), format_when(order.created_at, "document")),
            ],
            columns=[
                _("Product"),
                _("SKU"),
                _("Quantity"),
                _("Unit price"),
                _("Discount"),
                _("Tax rate"),
                _("Total"),
            ],
            **_common(invoice, order, with_buyer, money),
        )
        for line in order.lines:
            printed.rows.append(
                [
                    line.display_name,
                    line.sku,
                    str(line.quantity),
                    money(line.unit_price_cents),
                    f"{MINUS}{money(line.discount_cents)}" if line.discount_cents else "",
                    _rate(line.tax_percent_thousandths) if order.tax_lines else "",
                    money(line.line_total_cents - line.discount_cents),
                ]
            )
        totals = [(_("Subtotal"), money(order.subtotal_cents))]
        if order.discount_cents:
            totals.append(
                (
                    _("Discount (%(code)s)", code=order.discount_code),
                    f"{MINUS}{money(order.discount_cents)}",
                )
            )
        totals.append(
            (
                _("Shipping (%(method)s)", method=order.shipping_method_name)
                if order.shipping_method_name
                else _("Shipping"),
                money(order.shipping_cents),
            )
        )
        if order.tax_lines and not order.prices_include_tax:
            totals.append((_("Tax"), money(order.tax_cents)))
        printed.grand = len(totals)
        totals.append((_("Total"), money(order.total_cents)))
        if order.tax_lines and order.prices_include_tax:
            totals.append((_("Of which VAT"), money(order.tax_cents)))
        printed.totals = totals
    return printed


def printed_credit_note(note: CreditNote, with_buyer: bool = True) -> Printed:
    """The credit note as printed, in its order's language (``with_buyer`` as for
    ``printed_invoice``)."""
    invoice = note.invoice
    order = invoice.order
    with mail_language(order.language):
        money = lambda cents: format_money(cents, order.currency)  # noqa: E731
        printed = Printed(
            kind="credit_note",
            title=_("Credit note %(number)s", number=note.number),
            number=note.number,
            facts=[
                (_("Credit note number"), note.number),
                (_("Credit note date"), format_when(note.issued_at, "document")),
                (_("For invoice"), invoice.number),
                (_("Invoice date"), format_when(invoice.issued_at, "document")),
                (_("Order number"), order.number),
            ],
            columns=[_("Description"), _("Amount")],
            rows=[[_("Refund on order %(number)s", number=order.number), money(note.amount_cents)]],
            **_common(note, order, with_buyer, money),
        )
        printed.totals = [(_("Total refunded"), money(note.amount_cents))]
        if note.tax_lines:
            label = _("Of which VAT") if order.prices_include_tax else _("Of which tax")
            printed.totals.append((label, money(note.tax_cents)))
    return printed
