"""A shop's review rule that answers wrong is refused naming the rule; the order is unchanged."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest

from orderflow import Finding, Money, OrderStatus, default_rules
from orderflow.errors import InvalidValue
from orderflow.testing import fake_shop
from tests.builders import STOCK, place


@attrs.frozen
class _Rule:
    answer: Callable[[], object]
    code: object = "big_order"

    def check(self, order: object, context: object) -> object:
        return self.answer()


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        (lambda: Finding(123, "大口", "big"), "review_rules[6].code"),  # type: ignore[arg-type]
        (lambda: Finding(("a",), "大口", "big"), "review_rules[6].code"),  # type: ignore[arg-type]
        (lambda: Finding(" ", "大口", "big"), "review_rules[6].code"),
        (lambda: Finding("big_order", None, "big"), "review_rules[6].message"),  # type: ignore[arg-type]
        (lambda: Finding("big_order", "大口", b"big"), "review_rules[6].message_en"),  # type: ignore[arg-type]
        (
            lambda: Finding("big_order", "大口", "big", shipping_fee=880.0),  # type: ignore[arg-type]
            "review_rules[6].shipping_fee",
        ),
        (
            lambda: Finding("big_order", "大口", "big", shipping_fee=Money.yen(-1)),
            "review_rules[6].shipping_fee",
        ),
        (lambda: "大口注文", "review_rules[6]"),
        (lambda: ("big_order", "大口"), "review_rules[6]"),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_rule(
    answer: Callable[[], object], field: str
) -> None:
    s = fake_shop(STOCK)
    s.desk.review_rules = (*default_rules(), _Rule(answer))  # type: ignore[arg-type]
    place(s)
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as refused:
        s.desk.accept("1001")
    assert refused.value.field == field
    assert "_Rule (code 'big_order')" in str(refused.value)
    after = s.desk.get("1001")
    assert after == before
    assert after.status is OrderStatus.ORDERED and not after.holds


@pytest.mark.parametrize("code", [5, None, "", Decimal(1), "x" * 101])
def test_a_rule_whose_code_is_no_hold_code_is_refused_when_given(code: object) -> None:
    s = fake_shop(STOCK)
    with pytest.raises(InvalidValue) as refused:
        s.desk.review_rules = (*default_rules(), _Rule(lambda: None, code=code))  # type: ignore[arg-type]
    assert refused.value.field == "review_rules[6].code"
    assert "_Rule" in str(refused.value)


def test_a_right_answer_holds_the_order() -> None:
    s = fake_shop(STOCK)
    s.desk.review_rules = (*default_rules(), _Rule(lambda: Finding("big_order", "大口", "big")))  # type: ignore[arg-type]
    place(s)
    s.desk.accept("1001")
    assert [h.code for h in s.desk.get("1001").open_holds] == ["big_order"]
