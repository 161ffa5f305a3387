"""A box goes with one carrier, even when instructing it stopped half-way.

1001 and 1002 shared a box; instructing it with Sagawa timed out after 1001 was sent to the
warehouse. Asked again (without the carrier, or with another), 1002 went with the shop's
default carrier, Yamato: one box with two carriers' shipments, each order's notice pointing at
another carrier's tracking page, two label files for one box, and the box's carrier events
reaching one of its orders only.
"""

from __future__ import annotations

import pytest

from orderflow import ShipmentStatus
from orderflow.errors import InvalidValue, OutcomeUnknown
from orderflow.testing import FakeShop, Fault, fake_shop
from tests.integration.test_bundles import STOCK, _two_accepted


def _half_instructed(shop: FakeShop) -> None:
    """1001 and 1002 in one box; 1001 sent with Sagawa, then the warehouse did not answer."""
    desk = shop.desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    shop.warehouses["TOKYO"].fail_next("instruct", Fault.TIMEOUT_BEFORE)
    with pytest.raises(OutcomeUnknown):
        desk.instruct_shipping("1001", carrier="sagawa")


def _carriers(shop: FakeShop) -> dict[str, list[str]]:
    return {n: [s.carrier for s in shop.desk.get(n).shipments] for n in ("1001", "1002")}


def test_asked_again_without_a_carrier_the_box_keeps_its_carrier() -> None:
    shop = fake_shop(STOCK)
    _half_instructed(shop)
    shop.desk.instruct_shipping("1002")
    assert _carriers(shop) == {"1001": ["sagawa"], "1002": ["sagawa"]}
    assert all(
        s.status is ShipmentStatus.INSTRUCTED
        for n in ("1001", "1002")
        for s in shop.desk.get(n).shipments
    )


def test_asked_again_with_another_carrier_is_refused_and_changes_nothing() -> None:
    shop = fake_shop(STOCK)
    _half_instructed(shop)
    with pytest.raises(InvalidValue) as refused:
        shop.desk.instruct_shipping("1001", carrier="yamato")
    assert refused.value.field == "carrier" and "sagawa" in str(refused.value)
    assert _carriers(shop) == {"1001": ["sagawa"], "1002": []}
    shop.desk.instruct_shipping("1001", carrier="sagawa")  # the same carrier: goes on
    assert _carriers(shop) == {"1001": ["sagawa"], "1002": ["sagawa"]}
