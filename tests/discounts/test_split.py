"""The discount's split over lines, for any cart: property-based (Hypothesis)."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from jomso.discounts.models import DiscountKind
from jomso.discounts.pricing import price, split

# No deadline (``settings(deadline=None)``): the machine is shared, and a slow example is no
# wrong answer.
weights = st.lists(st.integers(min_value=0, max_value=10_000_000), min_size=1, max_size=30)


@settings(deadline=None)
@given(weights, st.data())
def test_the_parts_add_up_exactly_and_none_exceeds_its_line(line_totals, data):
    total = data.draw(st.integers(min_value=0, max_value=sum(line_totals)))
    parts = split(total, line_totals)
    assert sum(parts) == (total if sum(line_totals) else 0)
    assert all(0 <= part <= weight for part, weight in zip(parts, line_totals, strict=True))
    assert all(part == 0 for part, weight in zip(parts, line_totals, strict=True) if not weight)


def _lines(totals, categories):
    return [
        SimpleNamespace(
            line_total_cents=total, product=SimpleNamespace(id=index, category_id=category)
        )
        for index, (total, category) in enumerate(zip(totals, categories, strict=True))
    ]


@settings(deadline=None)
@given(
    weights,
    st.sampled_from([DiscountKind.PERCENT, DiscountKind.AMOUNT]),
    st.integers(min_value=1, max_value=100_000_000),
    st.data(),
)
def test_a_code_takes_its_share_only_from_the_lines_it_applies_to(totals, kind, value, data):
    categories = data.draw(st.lists(st.sampled_from([1, 2]), min_size=len(totals),
                                    max_size=len(totals)))  # fmt: skip
    code = SimpleNamespace(  # what ``price`` reads of a DiscountCode: only category 1
        kind=kind,
        value=min(value, 100) if kind == DiscountKind.PERCENT else value,
        limited=True,
        categories=[SimpleNamespace(id=1)],
        products=[],
    )
    lines = _lines(totals, categories)
    priced = price(code, lines)
    eligible = sum(t for t, c in zip(totals, categories, strict=True) if c == 1)
    assert sum(priced.shares) == priced.cents <= eligible
    for share, line in zip(priced.shares, lines, strict=True):
        assert 0 <= share <= line.line_total_cents
        if line.product.category_id != 1:
            assert share == 0
    if kind == DiscountKind.PERCENT:
        assert priced.cents == (eligible * code.value + 50) // 100
    else:
        assert priced.cents == min(value, eligible)
