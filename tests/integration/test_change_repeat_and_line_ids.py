"""注文変更: a line id once taken off stays used; a repeated request answers as the first did.

A line removed by a change (``remove_lines``, a quantity of 0, a partial cancel of all its
units) left its id free: a later change could add another SKU under it, although an added line
takes "a line id the order has not used", and the history, the shipments and a return name
lines by their id. And ``desk.change(..., request_id=R)`` run again answered with the current
order as both before and after: a ``delta`` of 0 for a change that had cost ¥4,380 more.
"""

from pathlib import Path

import pytest

from orderflow import Money, OrderChange, OrderLine
from orderflow.errors import InvalidValue, PaymentDeclined
from orderflow.stores import SQLiteStore
from orderflow.testing import Fault
from orderflow.testing.shop import desk_on
from tests.builders import address, customer, lines, place, shop

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


def test_a_repeated_change_answers_as_the_first_call_did() -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    change = OrderChange(quantities={"L1": 3})
    first = s.desk.change("1001", change, request_id="R1")
    assert first.delta == Money.yen(1080)
    again = s.desk.change("1001", change, request_id="R1")
    assert (again.before, again.after, again.delta) == (first.before, first.after, first.delta)
    assert (again.points_to_grant_before, again.points_to_grant_after) == (
        first.points_to_grant_before,
        first.points_to_grant_after,
    )
    assert s.desk.get("1001").lines[0].quantity == 3  # once
    s.desk.change("1001", OrderChange(quantities={"L1": 1}), request_id="R2")  # moved on since
    late = s.desk.change("1001", change, request_id="R1")
    assert (late.before, late.after, late.delta) == (first.before, first.after, first.delta)
    assert s.desk.get("1001").lines[0].quantity == 1


def test_a_repeated_partial_cancel_of_a_whole_line_returns_the_order() -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    first = s.desk.cancel("1001", reason="欠品", lines={"L2": 1}, request_id="C1")
    again = s.desk.cancel("1001", reason="欠品", lines={"L2": 1}, request_id="C1")
    assert again == first == s.desk.get("1001")


def test_a_repeated_refused_card_switch_is_refused_again() -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")
    s.gateway.fail_next("authorize", Fault.DECLINE)
    change = OrderChange(token="tok_other")
    with pytest.raises(PaymentDeclined):
        s.desk.change("1001", change, request_id="R1")
    before = s.desk.get("1001")
    with pytest.raises(PaymentDeclined):
        s.desk.change("1001", change, request_id="R1")
    assert s.desk.get("1001") == before


def test_the_first_answer_and_the_used_ids_are_kept_in_a_sqlite_file(tmp_path: Path) -> None:
    s = shop()
    desk = desk_on(s, store=SQLiteStore(tmp_path / "shop.sqlite3"))
    desk.place(number="1001", customer=customer(), ship_to=address(), lines=lines(), token="tok")
    desk.accept("1001")
    change = OrderChange(remove_lines=frozenset({"L2"}))
    first = desk.change("1001", change, request_id="R1")
    again = desk.change("1001", change, request_id="R1")
    assert (again.before, again.after) == (first.before, first.after) and first.delta
    with pytest.raises(InvalidValue, match="used before"):
        desk.change("1001", OrderChange(add_lines=(CAKE,)))
