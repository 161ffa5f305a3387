"""``next_moves`` leaves out 着荷取消 unless a delivery may really be undone (docs/concepts.md).

It listed ``undo_delivery`` for every shipped order, and the command then raised
``MoveBlocked`` ("not delivered") on an order none of whose shipments had arrived.
"""

from orderflow import Move, PaymentMethod, next_moves
from tests.builders import TRACKING, place, shop, to_allocated


def test_undo_delivery_is_offered_only_once_a_shipment_arrived() -> None:
    s = shop()
    to_allocated(s)
    s.desk.instruct_shipping("1001")
    shipped = s.desk.ship("1001", "1001-S1", TRACKING)
    assert next_moves(shipped) == (Move.DELIVER,)
    delivered = s.desk.deliver("1001", "1001-S1")
    assert Move.UNDO_DELIVERY in next_moves(delivered)
    undone = s.desk.undo_delivery("1001", "1001-S1", reason="誤配")  # offered: it works
    assert next_moves(undone) == (Move.DELIVER,)


def test_a_cod_parcel_whose_money_was_collected_is_not_offered_for_undoing() -> None:
    s = shop()
    place(s, payment_method=PaymentMethod.COD, token=None)
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", "1001-S1", TRACKING)
    delivered = s.desk.deliver("1001", "1001-S1")
    assert Move.UNDO_DELIVERY not in next_moves(delivered)
