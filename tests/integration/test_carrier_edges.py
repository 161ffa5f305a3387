"""Carrier events at the edges: a wrong date far ahead, a lost parcel found, a returned one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderflow import CarrierEvent, OrderStatus, ShipmentStatus, ShopSettings, TrackingStatus
from orderflow.domain.events import HoldCleared
from orderflow.errors import InvalidValue
from orderflow.testing import FakeShop, fake_shop
from tests.integration.test_carrier_events import N1, N2, ev, place, shop_with

T = TrackingStatus


def _shop(tolerance: timedelta, *, two: bool = False) -> FakeShop:
    settings = ShopSettings(warehouses=("TOKYO", "OSAKA"), carrier_clock_tolerance=tolerance)
    shop = fake_shop({("TOKYO", "TEA"): 5, ("OSAKA", "MUG"): 5}, settings=settings)
    place(shop.desk, "1001", two=two)
    return shop


def test_an_event_dated_far_ahead_is_refused_and_does_not_freeze_the_shipment() -> None:
    """A wrong date (a year ahead) was the newest state: the real 配達完了 after it was late."""
    shop = shop_with()
    desk = shop.desk
    version = desk.get("1001").version
    wrong = ev(shop, T.IN_TRANSIT, 60 * 24 * 365, "typo")
    report = desk.carrier_events([wrong])
    assert report.ahead == (wrong,) and (report.applied, report.late) == (0, 0)
    assert report.orders == () and desk.get("1001").version == version  # nothing changed
    delivered = desk.carrier_events([ev(shop, T.DELIVERED, 10, "d1")])
    assert (delivered.applied, delivered.late) == (1, 0)
    order = desk.get("1001")
    assert order.status is OrderStatus.DELIVERED
    assert order.shipments[0].event_ids == ("d1",)  # the refused event is not recorded


def test_the_tolerance_is_the_shops_and_a_refused_event_counts_once_its_time_has_come() -> None:
    shop = _shop(timedelta(hours=1))
    desk = shop.desk
    soon = ev(shop, T.OUT_FOR_DELIVERY, 61, "o1")
    assert desk.carrier_events([soon, ev(shop, T.PICKED_UP, 60, "p1")]).ahead == (soon,)
    assert desk.get("1001").shipments[0].tracking is T.PICKED_UP
    shop.clock.advance(timedelta(minutes=5))
    again = desk.carrier_events([soon])  # given again once its time is near: applied
    assert (again.applied, again.ahead) == (1, ())
    assert desk.get("1001").shipments[0].tracking is T.OUT_FOR_DELIVERY


@pytest.mark.parametrize("bad", [timedelta(seconds=-1), timedelta(days=3651), 3600, None])
def test_a_bad_tolerance_is_refused_naming_the_field(bad: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        ShopSettings(carrier_clock_tolerance=bad)  # type: ignore[arg-type]
    assert caught.value.field == "carrier_clock_tolerance"


def test_a_lost_parcel_delivered_after_all_clears_its_hold_and_the_order_goes_on() -> None:
    shop = shop_with()
    desk = shop.desk
    desk.carrier_events([ev(shop, T.LOST, 5, "l1")])
    assert [h.code for h in desk.get("1001").open_holds] == ["parcel_lost"]
    desk.carrier_events([ev(shop, T.DELIVERED, 10, "d1")])
    order = desk.get("1001")
    assert order.status is OrderStatus.DELIVERED and order.open_holds == ()
    cleared = [e for e in order.history if isinstance(e, HoldCleared)]
    assert [e.code for e in cleared] == ["parcel_lost"]
    assert "配達完了" in cleared[0].reason and cleared[0].actor == "carrier"
    assert desk.book("1001").status is OrderStatus.BOOKED  # as any delivered order


def test_the_lost_hold_stays_while_another_parcel_of_the_order_is_still_lost() -> None:
    shop = shop_with(two=True)
    desk = shop.desk
    desk.ship("1001", "1001-S2", N2)
    desk.carrier_events([ev(shop, T.LOST, 5, "l1"), ev(shop, T.LOST, 5, "l2", n=N2)])
    desk.carrier_events([ev(shop, T.DELIVERED, 10, "d1")])
    assert [h.code for h in desk.get("1001").open_holds] == ["parcel_lost"]
    desk.carrier_events([ev(shop, T.DELIVERED, 10, "d2", n=N2)])
    order = desk.get("1001")
    assert order.status is OrderStatus.DELIVERED and order.open_holds == ()


@pytest.mark.parametrize("one_batch", [False, True])
def test_a_delivery_after_a_return_to_sender_is_the_parcel_back_at_the_shop(
    one_batch: bool,
) -> None:
    """It made the order 着荷済 (the customer's) with its returned_to_sender hold still open."""
    shop = shop_with()
    desk = shop.desk
    events = [ev(shop, T.RETURNED_TO_SENDER, 5, "r1"), ev(shop, T.DELIVERED, 60, "d1")]
    if one_batch:
        desk.carrier_events(events)
    else:
        for event in events:
            desk.carrier_events([event])
    order = desk.get("1001")
    assert order.status is OrderStatus.SHIPPED
    assert order.shipments[0].status is ShipmentStatus.SHIPPED
    assert order.shipments[0].tracking is T.DELIVERED  # the carrier's word is kept
    assert [h.code for h in order.open_holds] == ["returned_to_sender"]


def test_a_returned_parcel_cleared_by_a_person_is_not_held_again_when_it_reaches_the_shop() -> None:
    shop = shop_with()
    desk = shop.desk
    desk.carrier_events([ev(shop, T.RETURNED_TO_SENDER, 5, "r1")])
    desk.clear_hold("1001", "returned_to_sender")
    desk.carrier_events([ev(shop, T.DELIVERED, 60, "d1")])
    order = desk.get("1001")
    assert order.status is OrderStatus.SHIPPED and order.open_holds == ()


def test_an_event_of_the_right_time_in_another_zone_is_not_ahead() -> None:
    shop = _shop(timedelta(minutes=1))
    jst = shop.clock.now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    event = CarrierEvent("yamato", N1, T.DELIVERED, jst, "d1")
    assert shop.desk.carrier_events([event]).applied == 1


@pytest.mark.parametrize("arrival", ["late", "one batch"])
def test_a_delivery_overtaken_by_a_newer_event_holds_the_order_whatever_the_arrival(
    arrival: str,
) -> None:
    """In order, 配達完了 then 持戻り held the order delivery_in_doubt; late or in one batch the
    配達完了 was recorded and dropped: the order sat 出荷済 with no hold and nobody asked."""
    shop = shop_with()
    desk = shop.desk
    delivered, absent = ev(shop, T.DELIVERED, 30, "d1"), ev(shop, T.ABSENT, 60, "a1")
    if arrival == "late":
        desk.carrier_events([absent])
        assert desk.carrier_events([delivered]).late == 1
    else:
        desk.carrier_events([absent, delivered])
    order = desk.get("1001")
    assert order.shipments[0].tracking is T.ABSENT
    assert [h.code for h in order.open_holds] == ["delivery_in_doubt"]
    desk.deliver("1001", "1001-S1")  # a person checked: it was delivered
    desk.clear_hold("1001", "delivery_in_doubt")
    assert desk.book("1001").status is OrderStatus.BOOKED


def test_a_late_event_older_than_a_delivery_holds_nothing() -> None:
    shop = shop_with()
    desk = shop.desk
    desk.carrier_events([ev(shop, T.DELIVERED, 30, "d1")])
    desk.carrier_events([ev(shop, T.OUT_FOR_DELIVERY, 20, "o1")])  # older: late, as expected
    assert desk.get("1001").open_holds == ()


@pytest.mark.parametrize(
    ("kind", "hold"), [(T.RETURNED_TO_SENDER, "returned_to_sender"), (T.LOST, "parcel_lost")]
)
def test_a_delivery_in_doubt_undone_takes_the_hold_of_the_carriers_word(
    kind: TrackingStatus, hold: str
) -> None:
    # delivered, then the carrier says 返送 (or 紛失): in doubt; a person agrees with the carrier
    shop = shop_with()
    desk = shop.desk
    desk.carrier_events([ev(shop, T.DELIVERED, 5, "d1")])
    desk.carrier_events([ev(shop, kind, 10, "x1")])
    assert [h.code for h in desk.get("1001").open_holds] == ["delivery_in_doubt"]
    order = desk.undo_delivery("1001", "1001-S1", reason="配送業者に確認済み")
    assert order.status is OrderStatus.SHIPPED
    assert [h.code for h in order.open_holds] == [hold]  # not an order that waits for nothing
