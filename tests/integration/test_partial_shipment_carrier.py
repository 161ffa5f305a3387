"""分納: the rest of an order shipped in part goes with the carrier its first parcel went with."""

from __future__ import annotations

from orderflow import Address, Customer, Money, OrderLine
from orderflow.testing import fake_shop

HOME = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")


def test_the_rest_of_an_order_shipped_in_part_goes_with_its_carrier() -> None:
    """分納 sent with Sagawa: the units a receipt reserves later leave with Sagawa too, not with
    the shop's default carrier; an instruction naming a carrier still takes it."""
    shop = fake_shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 5})
    desk = shop.desk
    desk.place(
        number="1001",
        customer=Customer("C1", "山田 太郎", "t@example.jp"),
        ship_to=HOME,
        lines=[
            OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 3),
            OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
        ],
        token="tok_visa",
    )
    desk.accept("1001")
    desk.ship_available("1001", carrier="sagawa")
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")  # instructed at once, as S2
    shop.inventory.receive("TOKYO", "TEA-1", 1, key="wms-1")
    desk.allocate("1001")
    desk.instruct_shipping("1001", carrier="yamato")  # S3: the operator's choice
    carriers = [(s.shipment_id, s.carrier) for s in desk.get("1001").shipments]
    assert carriers == [("1001-S1", "sagawa"), ("1001-S2", "sagawa"), ("1001-S3", "yamato")]
