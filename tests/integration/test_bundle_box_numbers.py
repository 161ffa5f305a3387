"""A 同梱 box's number is checked against every order of the box before the box moves.

Found by the 20,000-flow campaign (seeds 5696, 9574, 17118) once an order's parcels had to leave
under numbers of their own: 1001 sent one box from OSAKA under a number, then the TOKYO box was
shipped from 1003 under the same number. 1003 had no other parcel and took it, but 1001's part
of the TOKYO box could not follow (its OSAKA parcel has that number), nor leave under any other
(the box's number is the box's): 1001 stayed 出荷指示済 for good.
"""

from __future__ import annotations

import pytest

from orderflow import Customer, Money, OrderLine, OrderStatus, ShipmentStatus, ShopSettings
from orderflow.errors import InvalidValue
from orderflow.testing import fake_shop
from tests.integration.test_bundles import HOME

NUMBER = "123456789013"
OTHER = "200000000001"


def _two_boxes() -> object:
    shop = fake_shop(
        {("TOKYO", "TEA-1"): 10, ("OSAKA", "MUG-1"): 10},
        settings=ShopSettings(warehouses=("TOKYO", "OSAKA")),
    )
    desk = shop.desk
    tea = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)
    mug = OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1)
    for number, lines in (("1001", [tea, mug]), ("1003", [tea])):
        desk.place(
            number=number,
            customer=Customer("C1", "山田 太郎", "c1@example.jp"),
            ship_to=HOME,
            lines=lines,
            token="tok",
        )
        for hold in desk.get(number).open_holds:  # the second order is a suspected duplicate
            desk.clear_hold(number, hold.code)
        desk.accept(number)
        desk.allocate(number)
    desk.bundle(["1001", "1003"])
    desk.instruct_shipping("1001")
    return shop


def test_a_box_is_not_sent_under_a_number_another_box_of_its_orders_left_under() -> None:
    shop = _two_boxes()
    desk = shop.desk  # type: ignore[attr-defined]
    first = desk.get("1001")
    by_warehouse = {s.warehouse: s.shipment_id for s in first.shipments}
    desk.ship("1001", by_warehouse["OSAKA"], NUMBER)  # the OSAKA box: 1001 alone
    [tokyo_1003] = desk.get("1003").shipments
    before = (desk.get("1001"), desk.get("1003"))
    with pytest.raises(InvalidValue) as caught:
        desk.ship("1003", tokyo_1003.shipment_id, NUMBER)  # 1001's OSAKA parcel has it
    assert caught.value.field == "tracking_number"
    assert (desk.get("1001"), desk.get("1003")) == before  # nothing of the box moved
    desk.ship("1003", tokyo_1003.shipment_id, OTHER)  # the TOKYO box's own number
    for number in ("1001", "1003"):
        order = desk.get(number)
        assert order.status is OrderStatus.SHIPPED
        assert all(s.status is ShipmentStatus.SHIPPED for s in order.shipments)
