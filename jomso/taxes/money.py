"""All tax arithmetic, in integer cents: the one place that says how much tax a cart, a
checkout or an order holds. It reads nothing from the database; ``services.breakdown_for``
gives it the rates for an address.

Rounding (documented in docs/owners.md, "Taxes")
    Tax is rounded **once per rate**, on the total of that rate's amounts (the lines of its
    class, and the part of shipping it takes), half away from zero to the cent. Each line's
    tax, and the shipping's, is then that rate's tax shared out in proportion to their amounts
    by the largest remainder, so the lines' tax add up exactly to the rate's tax line, and the
    rate lines add up exactly to the order's tax. With prices including tax, a rate's tax is
    ``gross * r / (100 + r)``; with tax added, ``net * r / 100``.

Shipping (``ShippingRule``)
    ``none``: not taxed. ``standard``: at the standard class's rate for the address.
    ``proportional``: split over the cart's classes in proportion to their amounts (largest
    remainder), each part taxed at its class's rate (the EU's usual rule for a mixed cart).

Discounts
    A line is taxed on its total less its share of a discount (``discount_cents``, from
    ``jomso.discounts.pricing``): ``taxable_cents(line)``. Nothing else here knows discounts.

Rates are integers: thousandths of a percent (20% is 20000, 5.5% is 5500).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jomso.taxes.models import STANDARD, ShippingRule

HUNDRED_PERCENT = 100_000  # in thousandths of a percent
MAX_PERCENT_THOUSANDTHS = HUNDRED_PERCENT  # no rate above 100%


def taxable_cents(line) -> int:
    """What a line is taxed on: its total less its share of a discount."""
    return line.line_total_cents - line.discount_cents


def line_class(product_class: str | None, variant_class: str | None) -> str:
    """A line's tax class: the variant's when it has one, else the product's, else standard."""
    return variant_class or product_class or STANDARD


def divide_rounded(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero (``denominator`` > 0)."""
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


def share_out(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder): the parts add up to
    ``total`` exactly. Equal weights, or all zero: as even as cents allow, first ones first."""
    if not weights:
        return []
    if total < 0:
        return [-part for part in share_out(-total, weights)]
    positive = [max(0, w) for w in weights]
    whole = sum(positive)
    if whole == 0:
        positive = [1] * len(weights)
        whole = len(weights)
    parts = [total * w // whole for w in positive]
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * positive[i] % whole), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def tax_of(base_cents: int, percent_thousandths: int, included: bool) -> int:
    """The tax in ``base_cents`` (included) or on it (added), rounded to the cent."""
    if included:
        return divide_rounded(
            base_cents * percent_thousandths, HUNDRED_PERCENT + percent_thousandths
        )
    return divide_rounded(base_cents * percent_thousandths, HUNDRED_PERCENT)


def percent_text(percent_thousandths: int) -> str:
    """20000 as "20", 5500 as "5.5", 8875 as "8.875" (a plain number; the page adds "%")."""
    whole, part = divmod(percent_thousandths, 1000)
    return f"{whole}.{part:03d}".rstrip("0").rstrip(".") if part else str(whole)


@dataclass(frozen=True)
class TaxLine:
    """One rate's tax: the amount taxed at it (lines and shipping) and the tax."""

    tax_class: str
    percent_thousandths: int
    base_cents: int
    tax_cents: int


@dataclass(frozen=True)
class TaxBreakdown:
    included: bool  # the prices include the tax (nothing is added to the total)
    line_tax_cents: tuple[int, ...]  # per line, in the order given
    line_percent_thousandths: tuple[int, ...]
    line_classes: tuple[str, ...]
    shipping_tax_cents: int
    tax_lines: tuple[TaxLine, ...]  # one per class with a rate above zero

    @property
    def tax_cents(self) -> int:
        return sum(line.tax_cents for line in self.tax_lines)

    @property
    def added_cents(self) -> int:
        """What the tax adds to the total: nothing when prices include it."""
        return 0 if self.included else self.tax_cents


NO_TAX = TaxBreakdown(False, (), (), (), 0, ())


def compute(
    lines: Sequence[tuple[int, str]],
    shipping_cents: int,
    rates: Mapping[str, int],
    *,
    included: bool,
    shipping_rule: str = ShippingRule.PROPORTIONAL,
) -> TaxBreakdown:
    """The tax of a cart or order.

    ``lines``: (taxable cents, tax class) per line (``taxable_cents``, ``line_class``);
    ``rates``: class code → thousandths of a percent at the address (a class missing: 0%).
    """
    classes = [tax_class for _cents, tax_class in lines]
    # The members of each class's group: ("line", index, cents) and ("shipping", 0, cents).
    groups: dict[str, list[tuple[str, int, int]]] = {}
    for index, (cents, tax_class) in enumerate(lines):
        groups.setdefault(tax_class, []).append(("line", index, cents))
    if shipping_cents and shipping_rule == ShippingRule.STANDARD:
        groups.setdefault(STANDARD, []).append(("shipping", 0, shipping_cents))
    elif shipping_cents and shipping_rule == ShippingRule.PROPORTIONAL:
        names = list(groups) or [STANDARD]
        weights = [sum(m[2] for m in groups.get(name, [])) for name in names]
        for name, part in zip(names, share_out(shipping_cents, weights), strict=True):
            if part:
                groups.setdefault(name, []).append(("shipping", 0, part))
    line_tax = [0] * len(lines)
    shipping_tax = 0
    tax_lines = []
    for tax_class, members in groups.items():
        rate = rates.get(tax_class, 0)
        if rate <= 0:
            continue
        base = sum(m[2] for m in members)
        tax = tax_of(base, rate, included)
        tax_lines.append(TaxLine(tax_class, rate, base, tax))
        for (kind, index, _cents), part in zip(
            members, share_out(tax, [m[2] for m in members]), strict=True
        ):
            if kind == "line":
                line_tax[index] += part
            else:
                shipping_tax += part
    tax_lines.sort(key=lambda t: (-t.percent_thousandths, t.tax_class))
    return TaxBreakdown(
        included=included,
        line_tax_cents=tuple(line_tax),
        line_percent_thousandths=tuple(rates.get(c, 0) for c in classes),
        line_classes=tuple(classes),
        shipping_tax_cents=shipping_tax,
        tax_lines=tuple(tax_lines),
    )


def refund_tax_cents(refund_cents: int, order_tax_cents: int, order_total_cents: int) -> int:
    """The tax a refund of ``refund_cents`` gives back: its proportional share of the order's
    tax, rounded to the cent (a full refund gives back all of it)."""
    if order_total_cents <= 0:
        return 0
    return divide_rounded(refund_cents * order_tax_cents, order_total_cents)


def refund_tax_lines(
    refunded_before_cents: int,
    refund_cents: int,
    order_total_cents: int,
    tax_lines: Sequence[tuple[int, int]],
) -> list[tuple[int, int]]:
    """A refund's share of each of the order's tax lines, as (base, tax) per (base, tax) given.

    Each rate's share is counted over all the refunds so far: what the refunds up to and with
    this one give back of it (``base * refunded / total``, rounded), less what the refunds
    before gave back. So the shares never go below zero, their sum over every refund never
    exceeds the order's, and a refund of everything left gives back exactly what is left."""
    if order_total_cents <= 0:
        return [(0, 0) for _line in tax_lines]
    before = min(refunded_before_cents, order_total_cents)
    after = min(refunded_before_cents + refund_cents, order_total_cents)

    def upto(cents: int, amount: int) -> int:
        return divide_rounded(amount * cents, order_total_cents)

    return [
        (upto(after, base) - upto(before, base), upto(after, tax) - upto(before, tax))
        for base, tax in tax_lines
    ]
