"""Split and change, purely: money conserved to the yen, changes reversible."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import Money, Order, OrderLine, PriceMode, Rounding, TaxRate, TaxRule
from orderflow.domain.changes import OrderChange, apply_change
from orderflow.domain.split import split_order
from orderflow.errors import InvalidValue
from tests.builders import CTX, card_order

RULES = st.builds(TaxRule, st.sampled_from(list(PriceMode)), st.sampled_from(list(Rounding)))


def _lines(draw: st.DrawFn, price: int, units: int) -> list[OrderLine]:
    """One to five lines of random rates, each up to ``price`` yen and ``units`` units."""
    return [
        OrderLine(
            f"L{i}",
            f"SKU{i}",
            "品",
            Money.yen(draw(st.integers(1, price))),
            draw(st.integers(1, units)),
            draw(st.sampled_from(list(TaxRate))),
        )
        for i in range(draw(st.integers(1, 5)))
    ]


@st.composite
def orders(draw: st.DrawFn) -> Order:
    lines = _lines(draw, 30_000, 6)
    items = sum(int(x.amount.amount) for x in lines)
    shipping = draw(st.integers(0, 2000))
    discount = draw(st.integers(0, items // 3))
    points = draw(st.integers(0, (items + shipping - discount) // 3))
    order = card_order(lines, shipping=shipping, discount=discount, points=points)
    return order


@st.composite
def splits(draw: st.DrawFn, order: Order) -> list[dict[str, int]]:
    k = draw(st.integers(2, 4))
    parts: list[dict[str, int]] = [{} for _ in range(k)]
    for line in order.lines:
        for _ in range(line.quantity):
            target = draw(st.integers(0, k - 1))
            parts[target][line.line_id] = parts[target].get(line.line_id, 0) + 1
    parts = [p for p in parts if p]
    if len(parts) < 2:
        # move one unit out so there are two parts
        first = parts[0]
        line_id = next(iter(first))
        if first[line_id] > 1:
            first[line_id] -= 1
            parts.append({line_id: 1})
    return parts


@settings(max_examples=300)
@given(st.data(), RULES)
def test_the_parts_add_up_to_the_parent_in_every_total(data: st.DataObject, rule: TaxRule) -> None:
    order = data.draw(orders())
    parts = data.draw(splits(order))
    if len(parts) < 2:
        return  # a single unit cannot be split
    parent, children = split_order(order, parts, rule, CTX)
    want = order.totals(rule)
    got = [child.totals(rule) for child in children]

    def total(attr: str) -> Decimal:
        return sum((getattr(t, attr).amount for t in got), Decimal(0))

    for attr in ("items", "shipping_fee", "fees", "discount", "points_used", "total"):
        assert total(attr) == getattr(want, attr).amount, attr
    for line in want.tax.lines:
        rate_lines = [t.tax.for_rate(line.rate) for t in got]
        parts_tax = sum((x.tax.amount for x in rate_lines if x is not None), Decimal(0))
        assert parts_tax == line.tax.amount, line.rate
    assert sum(c.points_used for c in children) == order.points_used
    assert [c.number for c in children] == [f"1001-{n}" for n in range(1, len(children) + 1)]
    assert all(c.split_from == "1001" for c in children)
    assert parent.history[-1].detail("split_into") == ", ".join(c.number for c in children)


def test_a_split_must_place_every_unit_exactly_once() -> None:
    order = card_order([OrderLine("L1", "A", "a", Money.yen(100), 3)])
    with pytest.raises(InvalidValue, match="all 3 units"):
        split_order(order, [{"L1": 1}, {"L1": 1}], TaxRule(), CTX)
    with pytest.raises(InvalidValue, match="at least two parts"):
        split_order(order, [{"L1": 3}], TaxRule(), CTX)


@settings(max_examples=200)
@given(st.data(), RULES)
def test_a_change_and_its_reverse_give_back_the_totals(data: st.DataObject, rule: TaxRule) -> None:
    order = data.draw(orders())
    line = data.draw(st.sampled_from(order.lines))
    new_quantity = data.draw(st.integers(1, 9))
    added = OrderLine("NEW", "SKU-NEW", "追加", Money.yen(data.draw(st.integers(1, 9999))), 2)
    forward = OrderChange(quantities={line.line_id: new_quantity}, add_lines=(added,))
    changed, _ = apply_change(order, forward, CTX, rule=rule)
    back = OrderChange(
        quantities={line.line_id: line.quantity},
        remove_lines={"NEW"},
        points_used=order.points_used,
    )
    restored, _ = apply_change(changed, back, CTX, rule=rule)
    assert restored.totals(rule) == order.totals(rule)
    assert [x.quantity for x in restored.lines] == [x.quantity for x in order.lines]


@st.composite
def nearly_paid_by_points(draw: st.DrawFn) -> Order:
    """An order whose points pay all but a few yen: every part's base is tiny."""
    lines = _lines(draw, 3000, 4)
    charges = sum(int(x.amount.amount) for x in lines)
    points = charges - draw(st.integers(0, min(charges, 40)))
    return card_order(lines, points=points)


@settings(max_examples=300)
@given(st.data(), RULES)
def test_no_part_is_left_with_negative_tax(data: st.DataObject, rule: TaxRule) -> None:
    order = data.draw(nearly_paid_by_points())
    parts = data.draw(splits(order))
    if len(parts) < 2:
        return
    _, children = split_order(order, parts, rule, CTX)
    want = order.totals(rule)
    for line in want.tax.lines:
        rate_lines = [c.totals(rule).tax.for_rate(line.rate) for c in children]
        present = [x for x in rate_lines if x is not None]
        assert all(x.tax.amount >= 0 for x in present), present
        assert sum(x.tax.amount for x in present) == line.tax.amount
    assert sum(c.totals(rule).total.amount for c in children) == want.total.amount


def test_a_part_of_three_yen_split_in_three_is_not_given_negative_tax() -> None:
    # 切り上げ: each ¥1 part's tax is ¥1, the parent's ¥3 only ¥1: the ¥2 too many must not all
    # come off one part (it had ¥1 of tax, -¥1 is no tax a sale can be booked with)
    lines = [OrderLine(f"L{i}", f"SKU{i}", "品", Money.yen(1), 1) for i in (1, 2, 3)]
    rule = TaxRule(PriceMode.INCLUSIVE, Rounding.UP)
    _, children = split_order(card_order(lines), [{"L1": 1}, {"L2": 1}, {"L3": 1}], rule, CTX)
    taxes = [c.totals(rule).tax.tax.amount for c in children]
    assert taxes == [0, 0, 1]


@settings(max_examples=200)
@given(st.data(), RULES)
def test_a_price_correction_and_its_reverse_give_back_the_totals(
    data: st.DataObject, rule: TaxRule
) -> None:
    """価格訂正: the items and the charges move by exactly what was corrected, and back."""
    order = data.draw(orders())
    line = data.draw(st.sampled_from(order.lines))
    price = Money.yen(data.draw(st.integers(0, 99_999)))
    fee = Money.yen(data.draw(st.integers(0, 5_000)))
    forward = OrderChange(unit_prices={line.line_id: price}, shipping_fee=fee)
    changed, _ = apply_change(order, forward, CTX, rule=rule)
    before, after = order.totals(rule), changed.totals(rule)
    moved = (price.amount - line.unit_price.amount) * line.quantity
    assert after.items.amount == before.items.amount + moved
    assert changed.shipping_fee == fee
    back = OrderChange(
        unit_prices={line.line_id: line.unit_price},
        shipping_fee=order.shipping_fee,
        points_used=order.points_used,
        discount=order.discount,
    )
    restored, _ = apply_change(changed, back, CTX, rule=rule)
    assert restored.totals(rule) == before
    assert restored.lines == order.lines
