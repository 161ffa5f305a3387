"""A refusal tells an operator the truth and, where one exists, the command that works instead.

A change (or a partial ``cancel(lines=…)``) of an order shipped in part (分納, 出荷指示済) said
"cancel it and place a new order instead", although a cancel is refused there too and
``drop_missing`` is what drops the units still waiting.
"""

import pytest

from orderflow import OrderChange
from orderflow.domain.policy import Requester
from orderflow.errors import ChangeRefused, MoveNotAllowed
from orderflow.testing import FakeShop
from tests.builders import place, shop, to_allocated

PART_STOCK = {("TOKYO", "TEA-1"): 10, ("TOKYO", "MUG-1"): 0, ("TOKYO", "CAKE-1"): 5}


def _shipped_in_part() -> FakeShop:
    s = shop(PART_STOCK)
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.ship_available("1001")  # 分納: MUG-1 waits for stock
    return s


@pytest.mark.parametrize(
    "command",
    [
        lambda d: d.cancel("1001", reason="客都合", lines={"L2": 1}),
        lambda d: d.change("1001", OrderChange(quantities={"L2": 2})),
    ],
    ids=["partial cancel", "change"],
)
def test_a_refused_change_of_a_partly_shipped_order_points_to_drop_missing(command: object) -> None:
    s = _shipped_in_part()
    before = s.desk.get("1001")
    with pytest.raises(ChangeRefused) as refused:
        command(s.desk)  # type: ignore[operator]
    message = str(refused.value)
    assert "drop_missing" in message and "no longer be cancelled" in message
    assert "place a new order" not in message
    assert refused.value.status == "SHIPPING_INSTRUCTED"
    assert s.desk.get("1001") == before  # nothing changed
    with pytest.raises(MoveNotAllowed):  # the cancel it used to suggest is indeed refused
        s.desk.cancel("1001", reason="客都合")
    dropped = s.desk.drop_missing("1001", actor="operator")  # and what it names works
    assert not dropped.unallocated()


def test_a_refused_change_of_an_instructed_order_points_to_recall() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    before = s.desk.get("1001")
    with pytest.raises(ChangeRefused) as refused:
        s.desk.change("1001", OrderChange(quantities={"L2": 2}), requester=Requester.customer())
    assert "desk.recall" in str(refused.value) and "place a new order" not in str(refused.value)
    assert s.desk.get("1001") == before


def test_a_refused_change_while_a_cancel_is_allowed_still_says_cancel_and_reorder() -> None:
    s = shop()
    to_allocated(s)
    with pytest.raises(ChangeRefused, match="cancel it and place a new order instead"):
        s.desk.change("1001", OrderChange(quantities={"L2": 2}), requester=Requester.customer())
