"""A tracking number names one parcel: desk.ship refuses one another parcel of the order has.

A number scanned twice (the first parcel's label read again for the second) was taken: the two
shipments shared it, so every carrier event for it came back as unknown (a number several
shipments share) — the first parcel, tracked until then, was never delivered by its events.
"""

from __future__ import annotations

import pytest

from orderflow import (
    OrderDesk,
    OrderStatus,
    ShipmentStatus,
)
from orderflow.errors import InvalidValue
from orderflow.testing import fake_shop
from tests.builders import allocated_tea, one_short

FIRST, SECOND = "1234-5678-9013", "1234-5678-9024"


def _instructed(desk: OrderDesk, number: str, customer: str) -> None:
    allocated_tea(desk, number, customer)
    desk.instruct_shipping(number)


def test_the_second_parcel_of_an_order_may_not_take_the_firsts_number() -> None:
    shop = one_short()
    desk = shop.desk
    desk.ship_available("1001")
    desk.ship("1001", "1001-S1", FIRST)
    desk.deliver("1001", "1001-S1")  # delivered, but days ago at most: a number scanned twice
    desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")
    with pytest.raises(InvalidValue) as refused:
        desk.ship("1001", "1001-S2", FIRST)
    assert refused.value.field == "tracking_number" and "1001-S1" in str(refused.value)
    order = desk.get("1001")
    assert order.shipments[1].status is ShipmentStatus.INSTRUCTED  # nothing changed
    assert shop.inventory.stock("TOKYO", "TEA-1").reserved == 1
    assert desk.ship("1001", "1001-S2", SECOND).status is OrderStatus.SHIPPED


def test_another_orders_number_is_not_compared() -> None:
    """Carriers use their numbers again; a 同梱 box's orders share one (tests/…/test_bundles)."""
    shop = fake_shop({("TOKYO", "TEA-1"): 10})
    desk = shop.desk
    _instructed(desk, "1001", "C1")
    desk.ship("1001", "1001-S1", FIRST)
    desk.deliver("1001", "1001-S1")
    _instructed(desk, "1002", "C2")
    assert desk.ship("1002", "1002-S1", FIRST).status is OrderStatus.SHIPPED
