"""Time and the shop's calendar: dates are Japan's, and a sweep acts on what still holds.

The fakes' clock starts at 2026-11-22 00:00 UTC, 09:00 in Tokyo; 16:00 UTC is 01:00 the next
day in Tokyo, still the day before in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from orderflow import (
    CarrierEvent,
    GrantAt,
    Money,
    Order,
    OrderChange,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PointsGrant,
    ReturnReason,
    ShopSettings,
    TrackingStatus,
)
from orderflow.errors import InvalidValue, ReturnRefused
from orderflow.testing import FakeShop, fake_shop
from tests.builders import TRACKING, address, customer

SHIPMENT = "1001-S1"


def _shop(settings: ShopSettings | None = None, units: int = 10) -> FakeShop:
    return fake_shop({("TOKYO", "TEA-1"): units}, settings=settings, points={"C1": 0})


def _place(s: FakeShop, quantity: int = 2) -> None:
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), quantity)],
        token="tok_ok",
    )
    s.desk.accept("1001")


def _shipped(s: FakeShop) -> None:
    _place(s)
    s.desk.instruct_shipping("1001")
    s.desk.ship("1001", SHIPMENT, tracking_number=TRACKING)


def test_a_delivery_undone_no_longer_makes_its_points_due() -> None:
    grant = PointsGrant(at=GrantAt.DELIVERY, days=7)
    s = _shop(ShopSettings(points_grant=grant))
    _shipped(s)
    s.desk.deliver("1001", SHIPMENT)
    undone = s.desk.undo_delivery("1001", SHIPMENT, reason="隣家への誤配達")
    assert undone.points_due_at is None
    s.clock.advance(timedelta(days=7))
    assert s.desk.grant_points_due() == []  # not delivered: nothing earned yet
    assert s.points.balances["C1"] == 0
    s.desk.deliver("1001", SHIPMENT)  # the right door, a week later: due a week from now
    assert s.desk.get("1001").points_due_at == s.clock.now() + timedelta(days=7)
    s.clock.advance(timedelta(days=7))
    [order] = s.desk.grant_points_due()
    assert order.points_granted == 21 and s.points.balances["C1"] == 21


def test_points_due_after_shipment_stay_due_when_a_delivery_is_undone() -> None:
    s = _shop(ShopSettings(points_grant=PointsGrant(at=GrantAt.SHIPMENT, days=7)))
    _shipped(s)
    due = s.desk.get("1001").points_due_at
    s.desk.deliver("1001", SHIPMENT)
    assert s.desk.undo_delivery("1001", SHIPMENT, reason="誤配達").points_due_at == due


def test_an_arrival_date_already_past_in_japan_is_refused() -> None:
    s = _shop(units=1)
    s.clock.advance(timedelta(hours=16))  # 2026-11-23 01:00 in Tokyo, the 22nd in UTC
    _place(s, quantity=3)
    with pytest.raises(InvalidValue, match="2026-11-23 or later") as refused:
        s.desk.expect_arrival("1001", "L1", date(2026, 11, 22))
    assert refused.value.field == "on"
    assert s.desk.get("1001").arrivals == ()
    s.desk.expect_arrival("1001", "L1", date(2026, 11, 23))  # today in Japan


def test_a_delivery_date_already_past_in_japan_is_refused() -> None:
    s = _shop(units=1)
    s.clock.advance(timedelta(hours=16))  # 2026-11-23 01:00 in Tokyo
    _place(s, quantity=3)
    with pytest.raises(InvalidValue) as refused:
        s.desk.change("1001", OrderChange(delivery_date=date(2026, 11, 22)))
    assert refused.value.field == "delivery_date"
    assert s.desk.get("1001").delivery_date is None
    s.desk.change("1001", OrderChange(delivery_date=date(2026, 11, 23)))
    assert s.desk.get("1001").delivery_date == date(2026, 11, 23)


def test_the_return_window_counts_from_the_carriers_delivery_not_the_poll() -> None:
    s = _shop()
    _shipped(s)
    delivered = datetime(2026, 11, 22, 14, 50, tzinfo=UTC)  # 23:50 on the 22nd in Tokyo
    s.clock.advance(timedelta(days=1))  # polled at 09:00 on the 23rd
    event = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, delivered, "d1")
    s.desk.carrier_events([event])
    assert s.desk.get("1001").status is OrderStatus.DELIVERED
    s.clock.advance(timedelta(days=6))  # the 29th in Tokyo: day 8 of receipt
    before = s.desk.get("1001")
    s.clock.advance(timedelta(days=1))  # the 30th: day 9, past the law's 8 days
    with pytest.raises(ReturnRefused) as refused:
        s.desk.request_return("1001", {"L1": 1}, ReturnReason.CUSTOMER)
    assert refused.value.rule == "days"
    assert s.desk.get("1001") == before


def test_points_wait_while_a_person_checks_the_delivery() -> None:
    s = _shop(ShopSettings(points_grant=PointsGrant(at=GrantAt.DELIVERY, days=7)))
    _shipped(s)
    t = s.clock.now()
    s.clock.advance(timedelta(hours=5))
    delivered = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, t, "d1")
    s.desk.carrier_events([delivered])
    elsewhere = t + timedelta(hours=2)  # a newer event: the parcel is not at the door after all
    s.desk.carrier_events(
        [CarrierEvent("yamato", TRACKING, TrackingStatus.IN_TRANSIT, elsewhere, "d2")]
    )
    held = s.desk.get("1001")
    assert [h.code for h in held.open_holds] == ["delivery_in_doubt"]
    s.clock.advance(timedelta(days=7))
    assert s.desk.grant_points_due() == []  # a person has not said it was delivered
    assert s.points.balances["C1"] == 0 and s.desk.get("1001").points_granted == 0
    s.desk.clear_hold("1001", "delivery_in_doubt")  # it was: the points are due at once
    [order] = s.desk.grant_points_due()
    assert order.points_granted == 21 and s.points.balances["C1"] == 21


def test_a_delivery_clears_the_hold_of_a_parcel_absent_too_long() -> None:
    s = _shop()
    _shipped(s)
    t = s.clock.now()
    s.desk.carrier_events([CarrierEvent("yamato", TRACKING, TrackingStatus.ABSENT, t, "a1")])
    s.clock.advance(timedelta(days=3))
    assert s.desk.sweep_absent() == ["1001"]
    redelivered = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, s.clock.now(), "d1")
    s.desk.carrier_events([redelivered])  # 再配達: the customer has it
    order = s.desk.get("1001")
    assert order.open_holds == ()
    assert order.status is OrderStatus.DELIVERED
    assert s.desk.book("1001").status is OrderStatus.BOOKED  # nothing left for a person
    assert s.desk.sweep_absent() == []


def test_points_due_after_delivery_count_from_the_carriers_delivery() -> None:
    s = _shop(ShopSettings(points_grant=PointsGrant(at=GrantAt.DELIVERY, days=7)))
    _shipped(s)
    delivered = datetime(2026, 11, 22, 14, 50, tzinfo=UTC)  # 23:50 on the 22nd in Tokyo
    s.clock.advance(timedelta(days=3))  # the feed was down: polled three days later
    event = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, delivered, "d1")
    s.desk.carrier_events([event])
    assert s.desk.get("1001").points_due_at == delivered + timedelta(days=7)
    s.clock.advance(delivered + timedelta(days=7) - s.clock.now())
    [order] = s.desk.grant_points_due()
    assert order.points_granted == 21


def test_a_short_lived_authorization_is_not_renewed_at_every_sweep() -> None:
    """A gateway giving 3-day authorizations, the shop renewing 3 days ahead: each renewal was
    due again at once, so every sweep authorized anew and e-mailed the customer."""
    s = _shop()
    s.gateway.auth_days = 3
    _place(s)
    renewed = []
    for _ in range(6 * 24 * 2):  # every half hour for six days
        s.clock.advance(timedelta(minutes=30))
        renewed += [o.number for o in s.desk.reauthorize_expiring()]
    assert 3 <= len(renewed) <= 5  # halfway through each authorization's life
    assert [n.kind for n in s.notifier.sent].count("authorization_renewed") == len(renewed)
    order = s.desk.get("1001")
    assert s.desk.payment_confirmed(order)  # it never lapsed
    assert list(s.gateway.live_authorizations().values()) == [Money.yen(2160)]


def test_sweep_absent_leaves_alone_a_parcel_delivered_while_it_ran() -> None:
    """The sweep reads the open orders, then holds them one by one: a 配達完了 that lands in
    between (a webhook while a long sweep runs) must not leave a delivered order held."""
    s = _shop()
    _shipped(s)
    s.desk.carrier_events(
        [CarrierEvent("yamato", TRACKING, TrackingStatus.ABSENT, s.clock.now(), "a1")]
    )
    s.clock.advance(timedelta(days=3))
    listed = s.desk._orders_due  # the orders the sweep judges, read before it acts

    def webhook_lands_meanwhile(by: datetime) -> Iterator[Order]:
        orders = list(listed(by))
        assert [o.number for o in orders] == ["1001"]
        now = s.clock.now()
        s.desk.carrier_events(
            [CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, now, "d1")]
        )
        return iter(orders)

    s.desk._orders_due = webhook_lands_meanwhile  # type: ignore[method-assign]
    assert s.desk.sweep_absent() == []
    order = s.desk.get("1001")
    assert order.status is OrderStatus.DELIVERED and order.open_holds == ()


def _konbini_order(settings: ShopSettings | None = None) -> FakeShop:
    """Konbini order 1001 (¥2,160), unpaid, its number valid 7 days."""
    s = _shop(settings)
    s.desk.place(
        number="1001",
        customer=customer(),
        ship_to=address(),
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)],
        payment_method=PaymentMethod.KONBINI,
    )
    return s


def _lapsed_konbini_order() -> FakeShop:
    """Konbini order 1001, unpaid, a second past its number's deadline."""
    s = _konbini_order()
    s.clock.advance(timedelta(days=7, seconds=1))
    return s


def test_expire_unpaid_spares_an_order_given_a_new_number_while_it_ran() -> None:
    """An operator's change gave the konbini order a new number (a new deadline, a week on)
    between the sweep reading its list and cancelling: the customer just received that number."""
    s = _lapsed_konbini_order()  # past the first number's deadline
    listed = s.desk._orders_due  # the orders the sweep judges, read before it acts

    def changed_meanwhile(by: datetime) -> Iterator[Order]:
        orders = list(listed(by))
        assert [o.number for o in orders] == ["1001"]
        s.desk.change("1001", OrderChange(quantities={"L1": 1}))
        return iter(orders)

    s.desk._orders_due = changed_meanwhile  # type: ignore[method-assign]
    assert s.desk.expire_unpaid() == []
    order = s.desk.get("1001")
    assert order.status is not OrderStatus.CANCELLED
    assert order.payment.instruction("deadline") == (s.clock.now() + timedelta(days=7)).isoformat()
    s.desk._orders_due = listed  # type: ignore[method-assign]
    s.clock.advance(timedelta(days=7, seconds=1))  # the new number lapses unpaid too
    assert [o.number for o in s.desk.expire_unpaid()] == ["1001"]
    assert s.desk.get("1001").status is OrderStatus.CANCELLED


def test_expire_unpaid_returns_only_the_orders_it_cancelled() -> None:
    s = _lapsed_konbini_order()
    listed = s.desk._orders_due

    def paid_meanwhile(by: datetime) -> Iterator[Order]:
        orders = list(listed(by))
        assert [o.number for o in orders] == ["1001"]
        s.desk.record_konbini_payment("1001", reference="P-1", amount=Money.yen(2160))
        return iter(orders)

    s.desk._orders_due = paid_meanwhile  # type: ignore[method-assign]
    assert s.desk.expire_unpaid() == []  # paid in time after all: nothing cancelled
    assert s.desk.get("1001").status is not OrderStatus.CANCELLED


def test_provisional_points_are_not_confirmed_for_a_delivery_undone() -> None:
    """仮ポイント granted at delivery, confirmed 8 days on (the return window): a delivery
    undone left the confirmation scheduled, and the points were confirmed for a parcel the
    customer never had."""
    grant = PointsGrant(at=GrantAt.DELIVERY, confirm_days=8)
    s = _shop(ShopSettings(points_grant=grant))
    _shipped(s)
    assert s.desk.deliver("1001", SHIPMENT).points_provisional
    assert s.desk.undo_delivery("1001", SHIPMENT, reason="誤配達").points_due_at is None
    s.clock.advance(timedelta(days=8))
    assert s.desk.grant_points_due() == []
    assert s.points.provisional == {("C1", "1001"): 21} and s.points.balances["C1"] == 0
    s.desk.deliver("1001", SHIPMENT)  # delivered at last: confirmed 8 days from now
    assert s.desk.get("1001").points_due_at == s.clock.now() + timedelta(days=8)
    s.clock.advance(timedelta(days=8))
    [order] = s.desk.grant_points_due()
    assert not order.points_provisional and s.points.balances["C1"] == 21
    assert order.points_granted == 21  # granted once


def test_expire_unpaid_waits_the_grace_for_a_payment_reported_late() -> None:
    """Paid at the till an hour before the deadline, reported by the provider the next morning:
    with ``konbini_grace`` the sweep in between leaves the order for its payment."""
    s = _konbini_order(ShopSettings(konbini_grace=timedelta(days=1)))
    deadline = datetime.fromisoformat(s.desk.get("1001").payment.instruction("deadline") or "")
    s.clock.advance(timedelta(days=7, hours=6))  # past the deadline, within the grace
    assert s.desk.expire_unpaid() == []
    paid = s.desk.record_konbini_payment(
        "1001", reference="K-1", amount=Money.yen(2160), paid_at=deadline - timedelta(hours=1)
    )
    assert paid.status is OrderStatus.ORDERED and not paid.open_holds  # paid: goes on
    assert paid.payment.received == Money.yen(2160) and paid.payment.refund_owed == Money.yen(0)
    s.clock.advance(timedelta(days=2))
    assert s.desk.expire_unpaid() == []


def test_expire_unpaid_cancels_once_the_grace_is_over() -> None:
    s = _konbini_order(ShopSettings(konbini_grace=timedelta(hours=12)))
    s.clock.advance(timedelta(days=7, hours=12))
    assert s.desk.expire_unpaid() == []  # the deadline and the grace, to the second
    s.clock.advance(timedelta(seconds=1))
    assert [o.number for o in s.desk.expire_unpaid()] == ["1001"]


@pytest.mark.parametrize("grace", [timedelta(seconds=-1), 3600, timedelta(days=3651)])
def test_a_bad_grace_is_refused_naming_it(grace: object) -> None:
    with pytest.raises(InvalidValue, match="konbini_grace"):
        ShopSettings(konbini_grace=grace)  # type: ignore[arg-type]
