"""An order is split once: asking again with other parts is refused, not answered with the first.

Found in review: a second ``split`` of a split order returned the first split's parts whatever
parts it asked for, so an operator who asked for another split was told it was done.
"""

from __future__ import annotations

import pytest

from orderflow import Address, Customer, Money, OrderLine
from orderflow.domain.events import SplitFrom
from orderflow.errors import InvalidValue
from orderflow.testing import FakeShop, fake_shop


def _shop() -> FakeShop:
    shop = fake_shop({("TOKYO", "TEA-1"): 10, ("TOKYO", "CUP-1"): 10})
    shop.desk.place(
        number="1011",
        customer=Customer("C1", "山田 太郎", "taro@example.jp"),
        ship_to=Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678"),
        lines=[
            OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 3),
            OrderLine("L2", "CUP-1", "湯呑", Money.yen(2200), 1),
        ],
        token="tok_visa",
    )
    return shop


def test_the_same_split_again_returns_the_parts() -> None:
    desk = _shop().desk
    parts = desk.split("1011", [{"L1": 2}, {"L2": 1, "L1": 1}])
    again = desk.split("1011", [{"L1": 2}, {"L1": 1, "L2": 1}])  # the order of keys is no matter
    assert [p.number for p in again] == [p.number for p in parts] == ["1011-1", "1011-2"]
    units = [next(e for e in p.history if isinstance(e, SplitFrom)).units for p in parts]
    assert units == ["L1×2", "L1×1, L2×1"]


@pytest.mark.parametrize(
    "other",
    [
        [{"L1": 3}, {"L2": 1}],
        [{"L2": 1, "L1": 1}, {"L1": 2}],
        [{"L1": 1}, {"L1": 1}, {"L1": 1, "L2": 1}],
    ],
)
def test_other_parts_are_refused(other: list[dict[str, int]]) -> None:
    shop = _shop()
    desk = shop.desk
    desk.split("1011", [{"L1": 2}, {"L1": 1, "L2": 1}])
    before = [desk.get(n) for n in ("1011", "1011-1", "1011-2")]
    with pytest.raises(InvalidValue, match=r"parts.*split into \(L1×2; L1×1, L2×1\)"):
        desk.split("1011", other)
    assert [desk.get(n) for n in ("1011", "1011-1", "1011-2")] == before


def test_bad_parts_asked_again_name_what_is_wrong() -> None:
    desk = _shop().desk
    desk.split("1011", [{"L1": 2}, {"L1": 1, "L2": 1}])
    with pytest.raises(InvalidValue, match="parts"):
        desk.split("1011", "L1")  # type: ignore[arg-type]
