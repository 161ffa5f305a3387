"""着荷取消 takes back the points grant its delivery made due (``GrantAt.DELIVERY``).

Found by the parcels hunt: with points granted 7 days after delivery, a delivery undone (the
parcel went to the wrong door) kept ``points_due_at``; a week later the sweep granted the points
of an order that was not delivered (still 出荷済), and the delivery that came after started no
new count.
"""

from __future__ import annotations

from datetime import timedelta

from orderflow import (
    Address,
    Customer,
    GrantAt,
    Money,
    OrderLine,
    OrderStatus,
    PointsGrant,
    ShopSettings,
)
from orderflow.testing import FakeShop, fake_shop


def _delivered(grant: PointsGrant) -> FakeShop:
    shop = fake_shop({("TOKYO", "TEA-1"): 10}, settings=ShopSettings(points_grant=grant))
    desk = shop.desk
    desk.place(
        number="1001",
        customer=Customer("C1", "山田 太郎", "taro@example.jp"),
        ship_to=Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678"),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 10)],
        token="tok_visa",
    )
    desk.accept("1001")
    desk.instruct_shipping("1001")
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    desk.deliver("1001", "1001-S1")
    return shop


def test_no_points_for_an_order_whose_delivery_was_undone() -> None:
    shop = _delivered(PointsGrant(at=GrantAt.DELIVERY, days=7))
    desk = shop.desk
    order = desk.undo_delivery("1001", "1001-S1", reason="隣家への誤配達")
    assert order.status is OrderStatus.SHIPPED and order.points_due_at is None
    shop.clock.advance(timedelta(days=8))
    assert desk.grant_points_due() == []
    assert desk.get("1001").points_granted == 0

    desk.deliver("1001", "1001-S1")  # delivered now, to the right door: the count starts
    assert desk.get("1001").points_due_at == shop.clock.now() + timedelta(days=7)
    shop.clock.advance(timedelta(days=7))
    [granted] = desk.grant_points_due()
    assert granted.points_granted == 108


def test_a_grant_counted_from_shipment_is_kept() -> None:
    shop = _delivered(PointsGrant(at=GrantAt.SHIPMENT, days=7))
    due = shop.desk.get("1001").points_due_at
    assert due is not None
    order = shop.desk.undo_delivery("1001", "1001-S1", reason="隣家への誤配達")
    assert order.points_due_at == due  # it still shipped
