"""着荷取消 of a parcel delivered while the rest of its order waits (分納, several warehouses).

Found by the parcels hunt: a parcel may be delivered in 出荷指示済 (the rest of the order still in
a warehouse or waiting for stock), and a newer carrier event contradicting that delivery holds
the order ``delivery_in_doubt`` — "a person undoes the delivery or clears the hold". But
``undo_delivery`` was refused (``MoveNotAllowed``) in 出荷指示済: the person could only clear the
hold, accepting a delivery the carrier had taken back, and while held the order's missing units
were not served by receipts.
"""

from __future__ import annotations

from datetime import timedelta

from orderflow import (
    CarrierEvent,
    OrderStatus,
    ShipmentStatus,
    TrackingStatus,
)
from orderflow.domain.machine import allowed_moves
from orderflow.domain.status import Move
from tests.builders import one_short


def test_a_parcel_delivered_while_the_rest_waits_can_be_undone() -> None:
    shop = one_short()
    desk = shop.desk
    desk.ship_available("1001")  # one tea and the mug now, the other tea when it comes
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    desk.deliver("1001", "1001-S1")
    t = shop.clock.now() + timedelta(minutes=30)
    back = CarrierEvent("yamato", "123456789013", TrackingStatus.RETURNED_TO_SENDER, t, "e1")
    desk.carrier_events([back])  # newer than the delivery: in doubt
    assert [h.code for h in desk.get("1001").open_holds] == ["delivery_in_doubt"]
    assert Move.UNDO_DELIVERY in desk.next_moves("1001")

    order = desk.undo_delivery("1001", "1001-S1", reason="返送された")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED
    assert order.shipments[0].status is ShipmentStatus.SHIPPED
    # the carrier's 返送 stands: the parcel is on its way back, a person looks
    assert [h.code for h in order.open_holds] == ["returned_to_sender"]
    assert desk.undo_delivery("1001", "1001-S1", reason="again") == order  # a repeat

    desk.clear_hold("1001", "returned_to_sender")  # the person will send S1 again
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")  # the rest is served again
    assert [s.shipment_id for s in desk.get("1001").shipments] == ["1001-S1", "1001-S2"]
    desk.ship("1001", "1001-S2", "1234-5678-9024")
    assert desk.get("1001").status is OrderStatus.SHIPPED  # S1 on its way back, S2 out


def test_the_machine_declares_it() -> None:
    assert Move.UNDO_DELIVERY in allowed_moves(OrderStatus.SHIPPING_INSTRUCTED)
