"""A refused キャンセル says what works instead, as a refused change does.

``cancel`` of a shipped order said only "move 'cancel' is not allowed from status SHIPPED;
allowed moves: deliver, undo_delivery": nothing about the return or refund that remains. Of an
order shipped in part (分納) it offered ``recall``, which is refused while units wait, and not
``drop_missing``.
"""

import pytest

from orderflow import Requester
from orderflow.errors import MoveNotAllowed, PolicyRefused
from tests.builders import TRACKING, place, shop, to_allocated

PART_STOCK = {("TOKYO", "TEA-1"): 10, ("TOKYO", "MUG-1"): 0, ("TOKYO", "CAKE-1"): 5}


def test_a_shipped_order_points_to_a_return_or_a_refund() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    for step in ("shipped", "delivered", "booked"):
        if step == "delivered":
            s.desk.deliver("1001", "1001-S1")
        if step == "booked":
            s.desk.book("1001")
        before = s.desk.get("1001")
        with pytest.raises(MoveNotAllowed) as refused:
            s.desk.cancel("1001", reason="客都合")
        assert "a return or a refund is what remains" in str(refused.value)
        assert refused.value.instead and refused.value.move == "cancel"
        assert s.desk.get("1001") == before


def test_an_order_shipped_in_part_points_to_drop_missing() -> None:
    s = shop(PART_STOCK)
    place(s)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.ship_available("1001")
    with pytest.raises(MoveNotAllowed) as refused:
        s.desk.cancel("1001", reason="客都合")
    assert "drop_missing" in str(refused.value)


def test_an_instructed_order_points_to_recall() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    with pytest.raises(MoveNotAllowed) as refused:
        s.desk.cancel("1001", reason="客都合")
    assert "desk.recall" in str(refused.value)
    s.desk.recall("1001")
    assert s.desk.cancel("1001", reason="客都合").status.name == "CANCELLED"


def test_a_customer_refused_after_shipment_is_told_the_same_alternative() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    before = s.desk.get("1001")
    with pytest.raises(MoveNotAllowed) as operator:
        s.desk.cancel("1001", reason="客都合")
    with pytest.raises(PolicyRefused) as refused:
        s.desk.cancel("1001", reason="客都合", requester=Requester.customer())
    assert refused.value.instead == operator.value.instead
    assert "a return or a refund is what remains" in str(refused.value)
    assert s.desk.get("1001") == before


def test_a_customer_refused_while_a_cancel_still_works_is_told_nothing_more() -> None:
    s = shop()
    to_allocated(s)  # the default policy lets a customer cancel only before 引当済
    with pytest.raises(PolicyRefused) as refused:
        s.desk.cancel("1001", reason="客都合", requester=Requester.customer())
    assert refused.value.instead == ""  # the shop can still cancel it: no other way to name
    assert "place a new order" not in str(refused.value)
