"""The tax arithmetic (jomso/taxes/money.py): EU prices including VAT, US tax added by
state, the rounding rule and the shipping rules; and, for random carts, every part adding up
to the cent (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jomso.taxes.models import ShippingRule
from jomso.taxes.money import (
    compute,
    divide_rounded,
    percent_text,
    share_out,
    tax_of,
    taxable_cents,
)

EU = {"standard": 20000, "reduced": 5500}


def test_eu_prices_include_20_and_5_5_percent():
    tax = compute([(1200, "standard"), (1055, "reduced")], 0, EU, included=True)
    # 12.00 incl. 20%: 2.00 of VAT; 10.55 incl. 5.5%: 0.55 of VAT.
    assert [(t.tax_class, t.base_cents, t.tax_cents) for t in tax.tax_lines] == [
        ("standard", 1200, 200),
        ("reduced", 1055, 55),
    ]
    assert tax.line_tax_cents == (200, 55)
    assert tax.tax_cents == 255 and tax.added_cents == 0  # included: nothing added


def test_us_tax_is_added_at_the_states_rate():
    tax = compute([(1999, "standard"), (500, "standard")], 0, {"standard": 7250}, included=False)
    # 24.99 at 7.25% = 1.811775: one rounding on the rate's total, 1.81.
    assert tax.tax_cents == 181 and tax.added_cents == 181
    assert sum(tax.line_tax_cents) == 181
    assert tax.line_tax_cents == (145, 36)  # shared out in proportion to the lines


def test_rounding_once_per_rate_differs_from_rounding_each_line_and_still_adds_up():
    lines = [(333, "standard")] * 3  # 3.33 at 8.875%: 0.2955 each, 0.886875 together
    tax = compute(lines, 0, {"standard": 8875}, included=False)
    assert tax.tax_cents == 89  # per line it would be 3 * 30 = 90
    assert sum(tax.line_tax_cents) == 89 and sorted(tax.line_tax_cents) == [29, 30, 30]


def test_a_class_without_a_rate_pays_nothing_and_gets_no_tax_line():
    tax = compute([(1000, "zero"), (1000, "standard")], 0, EU, included=True)
    assert [t.tax_class for t in tax.tax_lines] == ["standard"]
    assert tax.line_tax_cents == (0, 167)
    assert tax.line_percent_thousandths == (0, 20000)


def test_shipping_rules():
    lines = [(3000, "standard"), (1000, "reduced")]
    none = compute(lines, 400, EU, included=True, shipping_rule=ShippingRule.NONE)
    assert none.shipping_tax_cents == 0 and none.tax_cents == 500 + 52
    standard = compute(lines, 400, EU, included=True, shipping_rule=ShippingRule.STANDARD)
    assert standard.shipping_tax_cents == 67  # 4.00 incl. 20%
    assert standard.tax_lines[0].base_cents == 3400
    split = compute(lines, 400, EU, included=True, shipping_rule=ShippingRule.PROPORTIONAL)
    # 3.00 of shipping with the standard lines (20%), 1.00 with the reduced ones (5.5%).
    assert [t.base_cents for t in split.tax_lines] == [3300, 1100]
    assert split.shipping_tax_cents == split.tax_cents - sum(split.line_tax_cents)
    assert split.tax_cents == 550 + 57


def test_the_discount_share_of_a_line_is_not_taxed():
    class Line:
        line_total_cents = 1000
        discount_cents = 250

    assert taxable_cents(Line()) == 750


def test_helpers():
    assert divide_rounded(5, 2) == 3 and divide_rounded(-5, 2) == -3 and divide_rounded(4, 3) == 1
    assert share_out(10, [1, 1, 1]) == [4, 3, 3]
    assert share_out(0, [5, 0]) == [0, 0] and share_out(7, [0, 0]) == [4, 3]
    assert tax_of(1055, 5500, True) == 55 and tax_of(1000, 5500, False) == 55
    assert [percent_text(r) for r in (20000, 5500, 8875, 0)] == ["20", "5.5", "8.875", "0"]


line_strategy = st.tuples(
    st.integers(min_value=0, max_value=500_000), st.sampled_from(["standard", "reduced", "zero"])
)
rates_strategy = st.fixed_dictionaries(
    {
        "standard": st.integers(min_value=0, max_value=100_000),
        "reduced": st.integers(min_value=0, max_value=100_000),
    }
)


@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(line_strategy, min_size=1, max_size=12),
    shipping=st.integers(min_value=0, max_value=50_000),
    rates=rates_strategy,
    included=st.booleans(),
    rule=st.sampled_from(ShippingRule.ALL),
)
def test_every_part_adds_up_to_the_cent(lines, shipping, rates, included, rule):
    tax = compute(lines, shipping, rates, included=included, shipping_rule=rule)
    assert sum(tax.line_tax_cents) + tax.shipping_tax_cents == tax.tax_cents
    assert sum(t.tax_cents for t in tax.tax_lines) == tax.tax_cents
    bases = sum(t.base_cents for t in tax.tax_lines)
    assert bases <= sum(cents for cents, _c in lines) + shipping
    for line in tax.tax_lines:  # each rate's tax is its base's, rounded once
        assert line.tax_cents == tax_of(line.base_cents, line.percent_thousandths, included)
        assert 0 <= line.tax_cents <= line.base_cents
    if rule == ShippingRule.NONE:
        assert tax.shipping_tax_cents == 0
    assert tax.added_cents == (0 if included else tax.tax_cents)


def test_a_refund_gives_back_its_proportional_share_of_the_tax():
    from jomso.taxes.money import refund_tax_cents

    assert refund_tax_cents(4790, 290, 4790) == 290  # all of it
    assert refund_tax_cents(2395, 290, 4790) == 145  # half
    assert refund_tax_cents(1000, 311, 2750) == 113  # 113.09
    assert refund_tax_cents(100, 0, 0) == 0
