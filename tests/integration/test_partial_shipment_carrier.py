"""分納: the rest of an order shipped in part goes with the carrier its first parcel went with."""

from __future__ import annotations

from tests.builders import one_short


def test_the_rest_of_an_order_shipped_in_part_goes_with_its_carrier() -> None:
    """分納 sent with Sagawa: the units a receipt reserves later leave with Sagawa too, not with
    the shop's default carrier; an instruction naming a carrier still takes it."""
    shop = one_short(3)
    desk = shop.desk
    desk.ship_available("1001", carrier="sagawa")
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")  # instructed at once, as S2
    shop.inventory.receive("TOKYO", "TEA-1", 1, key="wms-1")
    desk.allocate("1001")
    desk.instruct_shipping("1001", carrier="yamato")  # S3: the operator's choice
    carriers = [(s.shipment_id, s.carrier) for s in desk.get("1001").shipments]
    assert carriers == [("1001-S1", "sagawa"), ("1001-S2", "sagawa"), ("1001-S3", "yamato")]
