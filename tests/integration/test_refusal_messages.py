"""A refusal tells an operator the truth and, where one exists, the command that works instead.

A change (or a partial ``cancel(lines=…)``) of an order shipped in part (分納, 出荷指示済) said
"cancel it and place a new order instead", although a cancel is refused there too and
``drop_missing`` is what drops the units still waiting.

``next_moves`` offered 出荷指示取消 on such an order (and on one whose parcel had left), 着荷 on
an order none of whose parcels had left, and 着荷取消 on a delivery a return was taken on; each
command then raised ``MoveBlocked``. That last refusal said "the order has returns (R1): it was
received", read as "the return was received" when it was only requested.
"""

import pytest

from orderflow import Move, OrderChange, ShopSettings
from orderflow.domain.policy import Requester
from orderflow.domain.returns import ReturnReason
from orderflow.errors import ChangeRefused, MoveBlocked, MoveNotAllowed
from orderflow.testing import FakeShop
from tests.builders import TRACKING, place, shop, to_allocated

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


def test_next_moves_leaves_out_a_recall_the_order_refuses() -> None:
    s = _shipped_in_part()
    assert Move.RECALL not in s.desk.next_moves("1001")
    before = s.desk.get("1001")
    with pytest.raises(MoveBlocked, match="drop_missing") as blocked:
        s.desk.recall("1001")
    assert blocked.value.move == "recall"
    assert s.desk.get("1001") == before
    s.desk.drop_missing("1001", actor="operator")
    assert Move.RECALL in s.desk.next_moves("1001")  # offered once it works
    assert s.desk.recall("1001").status.name == "ALLOCATED"


def test_next_moves_leaves_out_a_recall_once_a_parcel_left() -> None:
    stock = {("TOKYO", "TEA-1"): 10, ("OSAKA", "MUG-1"): 5, ("TOKYO", "CAKE-1"): 5}
    s = shop(stock, ShopSettings(auto_advance=False, warehouses=("TOKYO", "OSAKA")))
    to_allocated(s)
    order = s.desk.instruct_shipping("1001")
    assert len(order.shipments) == 2
    s.desk.ship("1001", order.shipments[0].shipment_id, TRACKING)
    assert Move.RECALL not in s.desk.next_moves("1001")
    with pytest.raises(MoveBlocked, match="already left"):
        s.desk.recall("1001")


def test_next_moves_offers_a_delivery_only_once_a_parcel_is_with_the_carrier() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    assert Move.DELIVER not in s.desk.next_moves("1001")
    with pytest.raises(MoveBlocked, match="has not been shipped"):
        s.desk.deliver("1001", "1001-S1")
    s.desk.ship("1001", "1001-S1", TRACKING)
    assert Move.DELIVER in s.desk.next_moves("1001")


def test_a_delivery_with_a_return_requested_is_not_offered_for_undoing() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    s.desk.deliver("1001", "1001-S1")
    s.desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    assert Move.UNDO_DELIVERY not in s.desk.next_moves("1001")
    before = s.desk.get("1001")
    with pytest.raises(MoveBlocked) as blocked:
        s.desk.undo_delivery("1001", "1001-S1", reason="誤配")
    message = str(blocked.value)
    assert "customer received the goods" in message and "R1" in message
    assert "it was received" not in message  # read as "the return was received": it was not
    assert s.desk.get("1001") == before
