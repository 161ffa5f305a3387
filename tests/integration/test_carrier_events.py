"""Carrier events (配送状況): the rules, and whole flows on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from orderflow import (
    Address,
    CarrierEvent,
    Customer,
    Money,
    OrderDesk,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ShipmentStatus,
    ShopSettings,
    TrackingStatus,
    codec,
)
from orderflow.domain.events import CarrierReported
from orderflow.errors import InvalidValue, MoveBlocked, MoveNotAllowed, ProviderError
from orderflow.ports import OrderStore
from orderflow.testing import CarrierEventsContract, FakeCarrierEvents, FakeShop, Fault, fake_shop
from orderflow.testing.shop import desk_on

T = TrackingStatus
N1, N2 = "123456789013", "445566778812"


def shop_with(
    number: str = "1001", *, two: bool = False, method: PaymentMethod = PaymentMethod.CARD
) -> FakeShop:
    """An order shipped (one parcel, or two from two warehouses with ``two``)."""
    settings = ShopSettings(warehouses=("TOKYO", "OSAKA"))
    stock = {("TOKYO", "TEA"): 5, ("OSAKA", "MUG"): 5}
    shop = fake_shop(stock, settings=settings)
    place(shop.desk, number, two=two, method=method)
    return shop


def place(
    desk: OrderDesk, number: str, *, two: bool, method: PaymentMethod = PaymentMethod.CARD
) -> None:
    """Place, accept, instruct and ship the first parcel of order ``number``."""
    lines = [OrderLine("L1", "TEA", "緑茶", Money.yen(1080), 1)]
    if two:
        lines.append(OrderLine("L2", "MUG", "湯呑", Money.yen(2200), 1))
    desk.place(
        number=number,
        customer=Customer(f"C{number}", "山田 太郎", "taro@example.jp"),
        ship_to=Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678"),
        lines=lines,
        token="tok" if method is PaymentMethod.CARD else None,
        payment_method=method,
    )
    desk.accept(number)
    desk.instruct_shipping(number)
    desk.ship(number, f"{number}-S1", N1)


def ev(
    shop: FakeShop, kind: TrackingStatus, minutes: int, event_id: str, n: str = N1
) -> CarrierEvent:
    at = shop.clock.now() + timedelta(minutes=minutes)
    return CarrierEvent("yamato", n, kind, at, event_id, location="渋谷営業所")


def test_out_of_order_repeats_and_late_events_settle_on_the_newest() -> None:
    shop = shop_with()
    desk = shop.desk
    e = [ev(shop, k, m, f"e{m}") for k, m in ((T.PICKED_UP, 1), (T.IN_TRANSIT, 2), (T.ABSENT, 3))]
    report = desk.carrier_events([e[2], e[0], e[2]])
    assert (report.applied, report.late, report.duplicates) == (2, 0, 1)
    late = desk.carrier_events([e[1], e[0]])
    assert (late.applied, late.late, late.duplicates) == (0, 1, 1)
    shipment = desk.get("1001").shipments[0]
    assert (shipment.tracking, shipment.tracked_event) == (T.ABSENT, "e3")
    assert shipment.event_ids == ("e1", "e3", "e2")  # a batch is taken in the carrier's order
    version = desk.get("1001").version
    again = desk.carrier_events(e)  # everything again: nothing changes
    assert again.duplicates == 3 and again.orders == () and desk.get("1001").version == version
    reported = [x for x in desk.get("1001").history if isinstance(x, CarrierReported)]
    assert [x.late for x in reported] == [False, False, True]


def test_the_same_time_is_ordered_by_the_states_natural_order() -> None:
    shop = shop_with()
    same = [ev(shop, T.DELIVERED, 5, "b"), ev(shop, T.OUT_FOR_DELIVERY, 5, "a")]
    shop.desk.carrier_events(same)
    assert shop.desk.get("1001").shipments[0].tracking is T.DELIVERED
    assert shop.desk.get("1001").status is OrderStatus.DELIVERED


def test_unknown_and_shared_numbers_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    shop = shop_with()
    # the same tracking number as 1001's parcel, which ``ship`` refuses now: two workers at once,
    # or orders shipped before it did
    monkeypatch.setattr(type(shop.desk), "_check_number_unshared", lambda *args: None)
    place(shop.desk, "1002", two=False)
    monkeypatch.undo()
    before = {n: o.version for n, o in shop.store.orders.items()}
    events = [
        ev(shop, T.DELIVERED, 1, "u1", n=N2),  # no shipment has it
        ev(shop, T.DELIVERED, 1, "u2"),  # two orders share it
        ev(shop, T.DELIVERED, 1, "u3", n="123456789014"),  # a wrong check digit
        CarrierEvent("fedex", N1, T.DELIVERED, shop.clock.now(), "u4"),  # a carrier not known
    ]
    report = shop.desk.carrier_events(events)
    assert report.unknown == tuple(events) and report.applied == 0
    assert {n: o.version for n, o in shop.store.orders.items()} == before


def test_bad_input_names_the_field_and_changes_nothing() -> None:
    shop = shop_with()
    with pytest.raises(InvalidValue) as caught:
        shop.desk.carrier_events([ev(shop, T.DELIVERED, 1, "x"), "delivered"])  # type: ignore[list-item]
    assert caught.value.field == "events[1]"
    assert shop.desk.get("1001").status is OrderStatus.SHIPPED
    with pytest.raises(InvalidValue) as caught:
        CarrierEvent("yamato", N1, T.DELIVERED, shop.clock.now().replace(tzinfo=None), "x")
    assert caught.value.field == "at"
    with pytest.raises(InvalidValue) as caught:  # a tzinfo that answers nonsense
        CarrierEvent("yamato", N1, T.DELIVERED, shop.clock.now().replace(tzinfo=_Nonsense()), "x")
    assert caught.value.field == "at"
    with pytest.raises(InvalidValue) as caught:
        CarrierEvent("yamato", N1, "delivered", shop.clock.now(), "x")  # type: ignore[arg-type]
    assert caught.value.field == "kind"
    with pytest.raises(InvalidValue) as caught:
        shop.desk.undo_delivery("1001", "1001-S1", reason="")
    assert caught.value.field == "reason"


class _Nonsense(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise ValueError("no offset")

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "?"


def test_the_order_is_delivered_only_when_every_parcel_is() -> None:
    shop = shop_with(two=True)
    desk = shop.desk
    assert desk.get("1001").status is OrderStatus.SHIPPING_INSTRUCTED  # S2 still in Osaka
    desk.carrier_events([ev(shop, T.DELIVERED, 10, "d1")])
    order = desk.get("1001")
    assert order.shipments[0].tracking is T.DELIVERED
    assert order.shipments[0].status is ShipmentStatus.SHIPPED  # kept until the last ships
    desk.ship("1001", "1001-S2", N2)
    order = desk.get("1001")
    assert order.status is OrderStatus.SHIPPED
    assert order.shipments[0].status is ShipmentStatus.DELIVERED  # the carrier's word, acted on
    desk.carrier_events([ev(shop, T.DELIVERED, 20, "d2", n=N2)])
    assert desk.get("1001").status is OrderStatus.DELIVERED


def test_a_wrong_delivery_is_undone_before_booking_and_delivered_again() -> None:
    shop = shop_with()
    desk = shop.desk
    desk.carrier_events([ev(shop, T.DELIVERED, 10, "d1")])
    desk.carrier_events([ev(shop, T.ABSENT, 20, "a1")])  # newer than the delivery: in doubt
    assert [h.code for h in desk.get("1001").open_holds] == ["delivery_in_doubt"]
    undone = desk.undo_delivery("1001", "1001-S1", reason="誤配達")
    assert undone.status is OrderStatus.SHIPPED and not undone.open_holds
    assert undone.history[-2].reason == "誤配達"
    assert desk.undo_delivery("1001", "1001-S1", reason="誤配達") == undone  # again: as is
    desk.carrier_events([ev(shop, T.DELIVERED, 10, "d1")])  # the old delivery again: nothing
    assert desk.get("1001").status is OrderStatus.SHIPPED
    desk.carrier_events([ev(shop, T.DELIVERED, 30, "d2")])
    assert desk.get("1001").status is OrderStatus.DELIVERED
    desk.book("1001")
    with pytest.raises(MoveNotAllowed):
        desk.undo_delivery("1001", "1001-S1", reason="遅すぎ")


def test_one_parcel_of_two_is_undone_while_the_order_is_shipped() -> None:
    shop = shop_with(two=True)
    desk = shop.desk
    desk.ship("1001", "1001-S2", N2)
    desk.deliver("1001", "1001-S1")
    order = desk.undo_delivery("1001", "1001-S1", reason="誤配達")
    assert order.status is OrderStatus.SHIPPED
    assert order.shipments[0].status is ShipmentStatus.SHIPPED
    with pytest.raises(MoveBlocked):
        desk.undo_delivery("1001", "1001-S2", reason="not delivered")


def test_a_cod_delivery_is_not_undone_here() -> None:
    shop = shop_with(method=PaymentMethod.COD)
    shop.desk.carrier_events([ev(shop, T.DELIVERED, 10, "d1")])
    with pytest.raises(MoveBlocked, match="代引き"):
        shop.desk.undo_delivery("1001", "1001-S1", reason="誤配達")


def test_returned_and_lost_hold_the_order_and_the_customer_hears_what_a_person_expects() -> None:
    shop = shop_with()
    desk = shop.desk
    desk.carrier_events([ev(shop, T.OUT_FOR_DELIVERY, 1, "o1"), ev(shop, T.ABSENT, 2, "a1")])
    kinds = [n.kind for n in shop.notifier.sent]
    assert kinds[-1] == "absent" and "out_for_delivery" not in kinds  # only the state left
    assert "tneko" in str(shop.notifier.sent[-1].fact("tracking_url"))
    desk.carrier_events([ev(shop, T.OUT_FOR_DELIVERY, 3, "o2")])
    assert shop.notifier.sent[-1].kind == "out_for_delivery"
    desk.carrier_events([ev(shop, T.RETURNED_TO_SENDER, 4, "r1")])
    order = desk.get("1001")
    assert [h.code for h in order.open_holds] == ["returned_to_sender"]
    assert shop.notifier.sent[-1].kind == "returned_to_sender"
    assert "返送" in shop.notifier.sent[-1].subject
    desk.carrier_events([ev(shop, T.LOST, 5, "l1")])
    assert {h.code for h in desk.get("1001").open_holds} == {"returned_to_sender", "parcel_lost"}
    assert shop.notifier.sent[-1].kind == "returned_to_sender"  # no notice of a loss


def test_absent_too_long_holds_once_per_absence() -> None:
    shop = shop_with()
    desk = shop.desk
    desk.carrier_events([ev(shop, T.ABSENT, 0, "a1")])
    assert desk.sweep_absent() == []
    shop.clock.advance(timedelta(days=3))
    assert desk.sweep_absent() == ["1001"]
    assert desk.sweep_absent() == []
    desk.clear_hold("1001", "absent_uncollected")
    assert desk.sweep_absent() == []  # cleared by a person: not again for the same absence
    desk.carrier_events([ev(shop, T.ABSENT, 0, "a2")])  # absent again
    shop.clock.advance(timedelta(days=3))
    assert desk.sweep_absent() == ["1001"]


def test_absent_again_while_still_held_is_not_reported_held_again() -> None:
    """A second 持戻り while the first one's hold was still open: every sweep reported the order
    as held now, though nothing changed (campaign seed 170012459)."""
    shop = shop_with()
    desk = shop.desk
    desk.carrier_events([ev(shop, T.ABSENT, 0, "a1")])
    shop.clock.advance(timedelta(days=3))
    assert desk.sweep_absent() == ["1001"]
    desk.carrier_events([ev(shop, T.ABSENT, 0, "a2")])  # absent again, the hold still open
    shop.clock.advance(timedelta(days=3))
    held = desk.get("1001")
    assert desk.sweep_absent() == []
    assert desk.get("1001").version == held.version


def test_absent_with_long_event_ids_holds_once_per_absence() -> None:
    shop = shop_with()
    desk = shop.desk
    first, second = "E" * 199 + "1", "E" * 199 + "2"  # alike for their first 199 characters
    desk.carrier_events([ev(shop, T.ABSENT, 0, first)])
    shop.clock.advance(timedelta(days=3))
    assert desk.sweep_absent() == ["1001"]
    desk.clear_hold("1001", "absent_uncollected")
    assert desk.sweep_absent() == []  # cleared: nothing held, and none reported held
    desk.carrier_events([ev(shop, T.ABSENT, 0, second)])  # absent again
    shop.clock.advance(timedelta(days=3))
    assert desk.sweep_absent() == ["1001"]
    assert any(
        h.code == "absent_uncollected" and h.cleared_at is None for h in desk.get("1001").holds
    )


def test_polling_the_feed_counts_each_event_once_and_a_failure_changes_nothing() -> None:
    shop = shop_with()
    desk = shop.desk
    shop.carrier_feed.record(ev(shop, T.PICKED_UP, 1, "p1"), ev(shop, T.DELIVERED, 9, "d1"))
    shop.carrier_feed.repeat = True
    shop.carrier_feed.fail_next(Fault.TIMEOUT_BEFORE)
    with pytest.raises(Exception, match="no answer"):
        desk.poll_carrier_events(shop.clock.now())
    report = desk.poll_carrier_events(shop.clock.now())
    assert (report.applied, report.duplicates) == (2, 2)
    assert desk.get("1001").status is OrderStatus.DELIVERED


def test_a_feed_that_never_stops_answering_is_refused_not_read_forever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shop = shop_with()
    endless = itertools.repeat(ev(shop, T.DELIVERED, 1, "d1"))  # a pager that never ends
    monkeypatch.setattr(shop.carrier_feed, "poll", lambda since: endless)
    desk = shop.desk
    with pytest.raises(ProviderError, match="more than"):
        desk.poll_carrier_events(shop.clock.now())
    assert desk.get("1001").status is OrderStatus.SHIPPED


def test_a_failed_order_gives_its_events_back_for_retry() -> None:
    shop = shop_with()
    shop.notifier.fail_next("send", Fault.TIMEOUT_BEFORE)
    event = ev(shop, T.OUT_FOR_DELIVERY, 1, "o1")
    report = shop.desk.carrier_events([event])
    assert report.retry == (event,) and report.errors[0][0] == "1001"
    shop.desk.resume_pending()  # the notice, with the same key
    again = shop.desk.carrier_events(report.retry)
    assert again.duplicates == 1 and again.retry == ()  # it was recorded: once
    assert [n.kind for n in shop.notifier.sent].count("out_for_delivery") == 1


def test_shipments_with_tracking_round_trip_the_codec() -> None:
    shop = shop_with()
    shop.desk.carrier_events([ev(shop, T.ABSENT, 1, "a1"), ev(shop, T.PICKED_UP, 0, "p1")])
    shop.desk.carrier_events([ev(shop, T.IN_TRANSIT, 0, "i1")])
    order = shop.desk.get("1001")
    assert codec.loads(codec.dumps(order)) == order


class TestFakeCarrierEvents(CarrierEventsContract):
    def make_feed(self) -> FakeCarrierEvents:
        at = self.since
        return FakeCarrierEvents(
            [
                CarrierEvent("yamato", N1, T.PICKED_UP, at, "1"),
                CarrierEvent("yamato", N1, T.DELIVERED, at + timedelta(hours=5), "2"),
                CarrierEvent("yamato", N1, T.INSTRUCTED, at - timedelta(hours=5), "0"),
            ]
        )


def whole_flow(shop: FakeShop, store: OrderStore) -> None:
    """Two orders on ``store``: events in every disorder, an undo, a booking."""
    desk = desk_on(shop, store=store)
    place(desk, "2001", two=True)
    desk.ship("2001", "2001-S2", N2)
    events = [
        ev(shop, T.DELIVERED, 50, "d1"),
        ev(shop, T.PICKED_UP, 10, "p1"),
        ev(shop, T.OUT_FOR_DELIVERY, 40, "o1"),
        ev(shop, T.PICKED_UP, 10, "p1"),
        ev(shop, T.ABSENT, 45, "x2", n=N2),
        CarrierEvent("yamato", "200000000001", T.DELIVERED, shop.clock.now(), "u"),
    ]
    report = desk.carrier_events(events)
    assert (report.applied, report.late, report.duplicates) == (4, 0, 1)
    assert [e.event_id for e in report.unknown] == ["u"]
    late = desk.carrier_events([ev(shop, T.IN_TRANSIT, 20, "i1")])
    assert (late.applied, late.late) == (0, 1)
    assert desk.get("2001").status is OrderStatus.SHIPPED
    desk.carrier_events([ev(shop, T.DELIVERED, 90, "x3", n=N2)])
    assert desk.get("2001").status is OrderStatus.DELIVERED
    desk.undo_delivery("2001", "2001-S2", reason="誤配達")
    assert desk.get("2001").status is OrderStatus.SHIPPED
    desk.carrier_events([ev(shop, T.DELIVERED, 120, "x4", n=N2)])
    desk.book("2001")
    assert desk.get("2001").status is OrderStatus.BOOKED
    assert store.get("2001") == desk.get("2001")


def test_a_whole_flow_on_sqlite(tmp_path: Path) -> None:
    from orderflow.stores import SQLiteStore

    shop = fake_shop({("TOKYO", "TEA"): 5, ("OSAKA", "MUG"): 5}, settings=_two())
    with SQLiteStore(tmp_path / "shop.sqlite3") as store:
        whole_flow(shop, store)
    with SQLiteStore(tmp_path / "shop.sqlite3") as store:
        assert store.orders_by_tracking("yamato", N2) == ["2001"]


def test_a_whole_flow_on_postgres(postgres_uri: str) -> None:
    from orderflow.stores import PostgresStore
    from tests.postgres import new_database

    shop = fake_shop({("TOKYO", "TEA"): 5, ("OSAKA", "MUG"): 5}, settings=_two())
    with PostgresStore(new_database(postgres_uri)) as store:
        whole_flow(shop, store)
        assert store.orders_by_tracking("yamato", N1) == ["2001"]


def _two() -> ShopSettings:
    return ShopSettings(warehouses=("TOKYO", "OSAKA"))


@pytest.mark.parametrize("actor", [None, "", 5])
def test_the_absent_sweep_refuses_a_bad_actor_before_anything(actor: object) -> None:
    """It answered [] with an overdue parcel waiting: each order's refusal was swallowed."""
    shop = shop_with()
    desk = shop.desk
    desk.carrier_events([ev(shop, T.ABSENT, 0, "a1")])
    shop.clock.advance(timedelta(days=3))
    with pytest.raises(InvalidValue, match="actor"):
        desk.sweep_absent(actor=actor)  # type: ignore[arg-type]
    assert desk.get("1001").open_holds == ()
    assert desk.sweep_absent() == ["1001"]
