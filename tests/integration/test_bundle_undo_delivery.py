"""着荷取消 of a 同梱 box: the box was not delivered, for every order in it.

Found by the parcels hunt: ``undo_delivery`` of one order of a box took back that order's delivery
only. Its box mate stayed 着荷済 (bookable, points due) though the box was not delivered, and
the next ``resume`` (or a repeated ``deliver``) of either order followed the mate's delivered
shipment and delivered the undone order again, silently reverting the person's undo.
"""

from __future__ import annotations

import pytest

from orderflow import OrderStatus, ShipmentStatus
from orderflow.errors import MoveBlocked
from orderflow.testing import FakeShop, fake_shop
from tests.integration.test_bundles import STOCK, TRACKING, _two_accepted


def _box_delivered() -> FakeShop:
    shop = fake_shop(STOCK)
    desk = shop.desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1001")
    desk.ship("1001", "1001-S1", TRACKING)
    desk.deliver("1001", "1001-S1")
    assert desk.get("1002").status is OrderStatus.DELIVERED
    return shop


def test_an_undone_delivery_takes_back_the_whole_box() -> None:
    shop = _box_delivered()
    desk = shop.desk
    desk.undo_delivery("1001", "1001-S1", reason="隣家への誤配達")
    for number in ("1001", "1002"):
        order = desk.get(number)
        assert order.status is OrderStatus.SHIPPED
        assert [s.status for s in order.shipments] == [ShipmentStatus.SHIPPED]
    desk.resume("1002")  # nothing delivers the box again behind the person's back
    desk.resume("1001")
    assert desk.get("1001").status is OrderStatus.SHIPPED
    assert desk.get("1002").status is OrderStatus.SHIPPED
    assert desk.undo_delivery("1001", "1001-S1", reason="again").status is OrderStatus.SHIPPED
    desk.deliver("1002", "1002-S1")  # the box delivered after all: both orders
    assert desk.get("1001").status is OrderStatus.DELIVERED


def test_an_undo_is_refused_when_the_box_is_booked_with_another_order() -> None:
    shop = _box_delivered()
    desk = shop.desk
    desk.book("1002")
    with pytest.raises(MoveBlocked) as refused:
        desk.undo_delivery("1001", "1001-S1", reason="隣家への誤配達")
    assert "1002" in str(refused.value)
    assert desk.get("1001").status is OrderStatus.DELIVERED  # nothing changed
