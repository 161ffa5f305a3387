"""注文変更: a line id once taken off stays used; a repeated request answers as the first did.

A line removed by a change (``remove_lines``, a quantity of 0, a partial cancel of all its
units) left its id free: a later change could add another SKU under it, although an added line
takes "a line id the order has not used", and the history, the shipments and a return name
lines by their id. And ``desk.change(..., request_id=R)`` run again answered with the current
order as both before and after: a ``delta`` of 0 for a change that had cost ¥4,380 more.
"""

import pytest

from orderflow import Money, OrderChange, OrderLine
from orderflow.errors import InvalidValue
from tests.builders import place, shop

CAKE = OrderLine("L2", "CAKE-1", "羊羹", Money.yen(1620), 1)


@pytest.mark.parametrize(
    "taking_off",
    [
        OrderChange(remove_lines=frozenset({"L2"})),
        OrderChange(quantities={"L2": 0}),
    ],
)
def test_a_line_id_taken_off_is_not_given_to_another_line(taking_off: OrderChange) -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    s.desk.change("1001", taking_off)
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue) as refused:
        s.desk.change("1001", OrderChange(add_lines=(CAKE,)))
    assert refused.value.field == "change.add_lines[0].line_id"
    assert "used before" in str(refused.value)
    assert s.desk.get("1001") == before
    fresh = OrderLine("L9", "CAKE-1", "羊羹", Money.yen(1620), 1)  # a new id is taken
    assert [x.line_id for x in s.desk.change("1001", OrderChange(add_lines=(fresh,))).order.lines][
        -1
    ] == "L9"


def test_a_partial_cancel_leaves_the_id_used_too() -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    s.desk.cancel("1001", reason="欠品", lines={"L2": 1})
    with pytest.raises(InvalidValue, match="used before"):
        s.desk.change("1001", OrderChange(add_lines=(CAKE,)))
