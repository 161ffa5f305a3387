"""A box moves as one, even when the ship of its first order stopped half-way.

Found by the fresh campaign (seed 253297): 1001 and 1003 shared a box; 1003 shipped, its
shipping notice timed out, and the sweep finished the notice but not the rest of the box: 1001's
part stayed instructed. Recalled, it came back from a warehouse it had left in the box, and was
shipped again on its own; 1003's notice had asked the driver to collect both orders' money.
"""

from __future__ import annotations

import pytest

from orderflow import OrderStatus, ShipmentStatus
from orderflow.errors import MoveNotAllowed, OutcomeUnknown
from orderflow.testing import FakeShop, Fault, fake_shop
from tests.integration.test_bundles import STOCK, TRACKING, _two_accepted


def _box_shipped_half(shop: FakeShop) -> None:
    """1001 and 1002 in one box; 1001 shipped, and its notice timed out before 1002 was told."""
    desk = shop.desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1001")
    shop.notifier.fail_next("send", Fault.TIMEOUT_BEFORE)
    with pytest.raises(OutcomeUnknown):
        desk.ship("1001", "1001-S1", TRACKING)
    assert desk.get("1002").shipments[0].status is ShipmentStatus.INSTRUCTED  # left behind


def test_the_sweep_finishes_the_box() -> None:
    shop = fake_shop(STOCK)
    _box_shipped_half(shop)
    shop.desk.resume_pending()
    mate = shop.desk.get("1002")
    assert mate.status is OrderStatus.SHIPPED
    assert mate.shipments[0].tracking_number == TRACKING  # the box's number


def test_a_recall_does_not_take_back_what_left_in_the_box() -> None:
    shop = fake_shop(STOCK)
    _box_shipped_half(shop)
    with pytest.raises(MoveNotAllowed) as refused:  # nothing of it is in the warehouse now
        shop.desk.recall("1002")
    assert refused.value.status == "SHIPPED"
    mate = shop.desk.get("1002")  # what its box did was recorded first, as a command does
    assert [s.status for s in mate.shipments] == [ShipmentStatus.SHIPPED]
    assert not shop.warehouses["TOKYO"].calls_to("recall")


def test_a_delivery_of_the_box_delivers_what_lagged_behind() -> None:
    shop = fake_shop(STOCK)
    _box_shipped_half(shop)
    shop.desk.deliver("1001", "1001-S1")
    assert shop.desk.get("1002").status is OrderStatus.DELIVERED


def test_the_label_file_has_no_label_for_a_box_that_left() -> None:
    """1002's part of the box is still instructed in its order, but the box left under 1001's
    label: a label for it would be a second label (and 代引き) for a parcel that is gone."""
    from orderflow.cli import labels_to_print

    shop = fake_shop(STOCK)
    _box_shipped_half(shop)
    assert labels_to_print(shop.desk, "yamato") == []
    shop.desk.resume_pending()  # the box's move is recorded: nothing to label either
    assert labels_to_print(shop.desk, "yamato") == []


def test_the_carriers_delivery_of_the_box_delivers_what_lagged_behind() -> None:
    """The box's 配達完了 came from the carrier's feed before the sweep: 1001 was delivered and
    its notice sent with it, so the sweep found nothing pending, and 1002 — in the box the
    customer received — stayed 出荷指示済 for good, its card never captured."""
    from datetime import timedelta

    from orderflow import CarrierEvent, TrackingStatus

    shop = fake_shop(STOCK)
    _box_shipped_half(shop)
    at = shop.clock.now() + timedelta(minutes=5)
    event = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, at, "e1")
    report = shop.desk.carrier_events([event])
    assert report.errors == () and report.retry == ()
    shop.desk.resume_pending()
    mate = shop.desk.get("1002")
    assert mate.status is OrderStatus.DELIVERED
    assert mate.shipments[0].tracking_number == TRACKING
    assert mate.payment.captured == shop.desk.totals(mate).total
