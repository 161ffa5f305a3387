"""A label scanned twice: a tracking number another order's parcel is in transit under is refused.

Two orders' parcels under one number (not packed together, 同梱) make the carrier's events for it
match both: they are left unknown, and neither order is ever delivered by them.
"""

from __future__ import annotations

import pytest

from orderflow import Customer, OrderStatus
from orderflow.errors import InvalidValue
from orderflow.testing import FakeShop, fake_shop
from tests.builders import STOCK, TRACKING, place

OTHER = "2234-5678-9010"


def _instructed(count: int) -> FakeShop:
    shop = fake_shop(dict(STOCK))
    for n in range(count):
        number = str(1001 + n)
        place(shop, number, customer=Customer(f"C{number}", "見本 花子", f"c{number}@example.jp"))
        shop.desk.accept(number)
        shop.desk.instruct_shipping(number)
    return shop


def test_a_number_another_order_left_under_is_refused_and_changes_nothing() -> None:
    shop = _instructed(2)
    desk = shop.desk
    desk.ship("1001", "1001-S1", TRACKING)
    before = desk.get("1002")
    with pytest.raises(InvalidValue) as refused:
        desk.ship("1002", "1002-S1", TRACKING)
    assert refused.value.field == "tracking_number"
    assert "1001" in str(refused.value)
    assert desk.get("1002") == before
    assert desk.ship("1002", "1002-S1", OTHER).status is OrderStatus.SHIPPED


def test_a_number_is_free_again_once_its_parcel_was_delivered() -> None:
    shop = _instructed(2)
    desk = shop.desk
    desk.ship("1001", "1001-S1", TRACKING)
    desk.deliver("1001", "1001-S1")  # carriers use numbers again
    assert desk.ship("1002", "1002-S1", TRACKING).status is OrderStatus.SHIPPED


def test_a_repeat_of_the_same_ship_is_no_conflict() -> None:
    shop = _instructed(1)
    desk = shop.desk
    first = desk.ship("1001", "1001-S1", TRACKING)
    assert desk.ship("1001", "1001-S1", TRACKING).version == first.version
