"""The totals of an order summary, as the cart and the checkout show them: worked out in
Python once per page, as the cart's rows are (``rows.py``).

Each total is a ``TotalRow``: a term and an amount (a ``<dt>`` and a ``<dd>`` of the summary's
list, ``cart/_summary.html``) with the ids the pages' tests and scripts find them by. Built in
the template, from macros and filters, the same list cost the cart page more than its lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flask_babel import gettext as _
from flask_babel import ngettext

from jomso.cart.services import CartSummary
from jomso.i18n import money_formatter
from jomso.taxes.services import class_names, tax_label

MINUS = "\u2212"  # before the discount, as the order page writes it
Page = Literal["cart", "checkout"]
Only = Literal["added", "included"] | None


@dataclass(frozen=True, slots=True)
class TotalRow:
    term: str
    amount: str
    id: str  # the amount's: "cart-subtotal", "checkout-tax-standard"
    kind: str = ""  # the row's class: "grand", "tax-line", "tax-line tax-included"
    term_id: str = ""  # the term's, when a script changes it ("checkout-shipping-label")


def total_rows(summary: CartSummary, page: Page) -> list[TotalRow]:
    """The summary's totals in the order they are read: the subtotal, the discount, shipping,
    tax added to the prices, the total, and then VAT included in the prices (not added to
    anything, so after the total, where nobody adds it up again)."""
    money = money_formatter()
    rows = [
        TotalRow(
            ngettext("Subtotal (%(num)d item)", "Subtotal (%(num)d items)", summary.item_count),
            money(summary.subtotal_cents),
            f"{page}-subtotal",
        )
    ]
    if summary.discount_cents:
        rows.append(
            TotalRow(
                _("Discount (%(code)s)", code=summary.discount_code),
                f"{MINUS}{money(summary.discount_cents)}",
                f"{page}-discount",
            )
        )
    rows.append(_shipping_row(summary, page, money))
    rows.extend(tax_rows(summary, page, only="added"))
    priced = summary.delivery is not None or page == "checkout"
    total = _("Total") if priced else _("Total before shipping")
    rows.append(TotalRow(total, money(summary.total_cents), f"{page}-total", "grand"))
    rows.extend(tax_rows(summary, page, only="included"))
    return rows


def _shipping_row(summary: CartSummary, page: Page, money) -> TotalRow:
    delivery = summary.delivery
    if summary.free_shipping:
        amount = _("Free (%(code)s)", code=summary.discount_code)
    elif delivery is None:
        # The cart prices shipping to the shop's own country when it can; the checkout offers
        # no method for the address.
        amount = _("At checkout") if page == "cart" else _("Not available")
    elif summary.shipping_cents:
        amount = money(summary.shipping_cents)
    else:
        amount = _("Free")
    if page == "checkout":  # the method's name, changed by the script as another is picked
        term = delivery.name if delivery is not None else _("Shipping")
        return TotalRow(term, amount, "checkout-shipping", term_id="checkout-shipping-label")
    return TotalRow(_("Shipping"), amount, "cart-shipping")


def tax_rows(summary: CartSummary, page: Page, only: Only = None) -> list[TotalRow]:
    """The summary's tax lines, one per rate: "Tax 8.875 % (Standard)" added to the prices,
    or "incl. VAT 20 % (Standard)" in them; ``only`` "added" or "included" gives none when
    the prices are the other kind."""
    tax = summary.tax
    if not tax.tax_lines or (only is not None and (only == "included") != tax.included):
        return []
    money = money_formatter()
    names = class_names()
    kind = "tax-line tax-included" if tax.included else "tax-line"
    return [
        TotalRow(
            tax_label(
                names.get(line.tax_class, line.tax_class), line.percent_thousandths, tax.included
            ),
            money(line.tax_cents),
            f"{page}-tax-{line.tax_class}",
            kind,
        )
        for line in tax.tax_lines
    ]
