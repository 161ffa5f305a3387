"""Repeating a command the order has already gone past returns the order (docs/concepts.md).

A worker that lost a race, or a retry after an error, may repeat ``allocate`` or
``instruct_shipping`` when another worker has since shipped, delivered or booked the order:
like ``accept`` and ``ship``, they return the order instead of raising ``MoveNotAllowed``.
"""

import pytest

from orderflow import Money, OrderStatus
from orderflow.errors import MoveNotAllowed
from tests.builders import TRACKING, place, shop, to_allocated

STEPS = ["shipped", "delivered", "booked"]


@pytest.mark.parametrize("step", STEPS)
def test_allocate_and_instruct_again_on_an_order_gone_further_return_it(step: str) -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    if step != "shipped":
        s.desk.deliver("1001", "1001-S1")
    if step == "booked":
        s.desk.book("1001")
    before = s.desk.get("1001")
    instructions = len(s.warehouses["TOKYO"].calls)
    reserved = dict(s.inventory.reserved)

    assert s.desk.allocate("1001") == before
    assert s.desk.instruct_shipping("1001") == before
    assert s.desk.get("1001").version == before.version
    assert len(s.warehouses["TOKYO"].calls) == instructions  # nothing sent again
    assert s.inventory.reserved == reserved


def test_instruct_before_allocation_and_on_a_cancelled_order_is_still_refused() -> None:
    s = shop()
    place(s)
    s.desk.accept("1001")  # 未引当 (the tests' shop does not auto-advance)
    with pytest.raises(MoveNotAllowed):
        s.desk.instruct_shipping("1001")
    s.desk.cancel("1001", reason="客都合")
    for again in (s.desk.instruct_shipping, s.desk.allocate):
        with pytest.raises(MoveNotAllowed):
            again("1001")


def test_reached_follows_the_forward_flow_and_cancelled_reaches_only_itself() -> None:
    forward = [s for s in OrderStatus if s is not OrderStatus.CANCELLED]
    for i, status in enumerate(forward):
        assert [status.reached(other) for other in forward] == [j <= i for j in range(8)]
        assert not status.reached(OrderStatus.CANCELLED)
        assert not OrderStatus.CANCELLED.reached(status)
    assert OrderStatus.CANCELLED.reached(OrderStatus.CANCELLED)


def test_a_refund_before_shipping_names_the_moves_the_status_allows() -> None:
    s = shop()
    to_allocated(s)
    with pytest.raises(MoveNotAllowed) as early:
        s.desk.refund("1001", Money.yen(100), reason="お詫び")
    assert "cancel" in early.value.allowed and "instruct_shipping" in early.value.allowed
    s.desk.cancel("1001", reason="客都合")
    with pytest.raises(MoveNotAllowed) as cancelled:
        s.desk.refund("1001", Money.yen(100), reason="お詫び")
    assert cancelled.value.allowed == ()  # a cancelled order: nothing, not "cancel"
