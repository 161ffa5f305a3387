"""同梱: two orders of one customer in one parcel, each keeping its payment, totals and history."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from orderflow import (
    Address,
    CarrierEvent,
    Customer,
    Money,
    Order,
    OrderChange,
    OrderDesk,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ShipmentStatus,
    TrackingStatus,
)
from orderflow.domain.events import Bundled, Unbundled
from orderflow.errors import InvalidValue, MoveBlocked, OutcomeUnknown
from orderflow.stores import PostgresInventory, PostgresStore, SQLiteInventory, SQLiteStore
from orderflow.testing import FakeShop, Fault, fake_shop
from orderflow.testing.shop import desk_on
from tests.postgres import new_database

STOCK = {("TOKYO", "TEA-1"): 10, ("TOKYO", "MUG-1"): 10}
HOME = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")
TRACKING = "123456789013"


def _place(
    desk: OrderDesk,
    number: str,
    customer_id: str = "C1",
    *,
    ship_to: Address = HOME,
    method: PaymentMethod = PaymentMethod.CARD,
    delivery_date: date | None = None,
) -> None:
    desk.place(
        number=number,
        customer=Customer(customer_id, "山田 太郎", f"{customer_id}@example.jp"),
        ship_to=ship_to,
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)],
        token="tok" if method is PaymentMethod.CARD else None,
        payment_method=method,
    )
    if delivery_date is not None:
        desk.change(number, OrderChange(delivery_date=delivery_date))


def _accepted(desk: OrderDesk, *numbers: str) -> None:
    """Accepted, the review's holds on repeat orders cleared by a person, allocated."""
    for number in numbers:
        if desk.get(number).status is OrderStatus.ORDERED:
            desk.accept(number)
    for number in numbers:
        for hold in desk.get(number).open_holds:
            desk.clear_hold(number, hold.code)
        if desk.get(number).status is not OrderStatus.ALLOCATED:
            desk.allocate(number)


def _two_accepted(desk: OrderDesk) -> None:
    _place(desk, "1001")
    _place(desk, "1002", "C1-guest")  # a guest order: the same name, street and phone
    _accepted(desk, "1001", "1002")


def test_candidates_by_recipient_and_one_parcel_for_both() -> None:
    shop = fake_shop(STOCK)
    desk = shop.desk
    _two_accepted(desk)
    _place(
        desk,
        "1003",
        "C9",
        ship_to=Address("530-0001", "大阪府", "大阪市北区梅田", "1-1", "他人 次郎", "06-0000-0000"),
    )
    assert desk.bundle_candidates() == [("1001", "1002")]
    first, second = desk.bundle(["1002", "1001"])
    assert first.bundle == second.bundle == ("1001", "1002")
    assert isinstance(first.history[-1], Bundled)
    assert desk.bundle_candidates() == []  # bundled orders are no more candidates
    desk.instruct_shipping("1001")  # instructs the whole parcel
    a, b = desk.get("1001"), desk.get("1002")
    assert a.status is b.status is OrderStatus.SHIPPING_INSTRUCTED
    assert a.shipments[0].parcel == b.shipments[0].parcel == "P-1001-TOKYO"
    told = [s for s in shop.warehouses["TOKYO"].instructed.values()]
    assert {s.parcel for s in told} == {"P-1001-TOKYO"}  # the warehouse packs them together
    desk.ship("1002", "1002-S1", TRACKING)  # the box leaves: both orders are shipped
    a, b = desk.get("1001"), desk.get("1002")
    assert a.status is b.status is OrderStatus.SHIPPED
    assert a.shipments[0].tracking_number == b.shipments[0].tracking_number
    desk.deliver("1001", "1001-S1")
    assert desk.get("1002").status is OrderStatus.DELIVERED
    for number in ("1001", "1002"):  # each keeps its own money
        order = desk.book(number)
        assert order.payment.captured == desk.totals(order).total


def test_orders_that_cannot_share_a_parcel_are_refused_and_unchanged() -> None:
    desk = fake_shop(STOCK).desk
    _place(desk, "1001")
    _place(desk, "1002", method=PaymentMethod.COD)
    _place(desk, "1003", delivery_date=date(2026, 12, 24))
    _place(
        desk,
        "1004",
        "C2",
        ship_to=Address("150-0001", "東京都", "渋谷区神宮前", "9-9", "山田 太郎", "03-1234-5678"),
    )
    for others, why in [
        (["1001"], "two orders or more"),
        (["1001", "1002"], "代引き"),
        (["1001", "1003"], "delivery date"),
        (["1001", "1004"], "another customer"),
        (["1001", "1001"], "named twice"),
    ]:
        with pytest.raises(InvalidValue, match=why):
            desk.bundle(others)
    assert all(not desk.get(n).bundle for n in ("1001", "1002", "1003", "1004"))


def test_a_parcel_waits_for_all_its_orders_and_can_be_undone_until_instructed() -> None:
    desk = fake_shop({("TOKYO", "TEA-1"): 1}).desk
    _place(desk, "1001")
    _place(desk, "1002")
    _accepted(desk, "1001", "1002")  # no tea left for 1002
    assert desk.get("1002").status is not OrderStatus.ALLOCATED
    desk.bundle(["1001", "1002"])
    with pytest.raises(MoveBlocked, match="waits for 1002"):
        desk.instruct_shipping("1001")
    assert desk.get("1001").status is OrderStatus.ALLOCATED
    left = desk.unbundle("1002")
    assert [o.bundle for o in left] == [(), ()]  # a parcel of one is no parcel
    assert isinstance(desk.get("1001").history[-1], Unbundled)
    order = desk.instruct_shipping("1001")
    assert order.shipments[0].parcel is None


def test_a_parcel_with_an_order_on_hold_is_not_instructed_in_half() -> None:
    shop = fake_shop(STOCK)
    desk = shop.desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.raise_hold("1002", "manual", "確認")  # 引当済, but a person must look first
    with pytest.raises(MoveBlocked, match="manual"):
        desk.instruct_shipping("1001")
    a, b = desk.get("1001"), desk.get("1002")
    assert a.status is b.status is OrderStatus.ALLOCATED  # no half box at the warehouse
    assert not shop.warehouses["TOKYO"].instructed
    assert [o.bundle for o in desk.unbundle("1002")] == [(), ()]  # still free to leave
    desk.cancel("1002", reason="不正の疑い")
    assert desk.instruct_shipping("1001").shipments[0].parcel is None


def test_a_recalled_order_leaves_its_box() -> None:
    """Recalled out of an instructed parcel, an order is no longer in the box: it went back in
    it with another address, and once the box left it could be neither instructed nor
    unbundled (its cancel raised)."""
    shop = fake_shop(STOCK)
    desk = shop.desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1001")
    recalled = desk.recall("1002")
    assert recalled.status is OrderStatus.ALLOCATED and recalled.bundle == ()
    assert isinstance(recalled.history[-1], Unbundled)
    osaka = Address("530-0001", "大阪府", "大阪市北区梅田", "1-1", "山田 太郎", "06-0000-0000")
    desk.change("1002", OrderChange(ship_to=osaka))
    _accepted(desk, "1002")
    alone = desk.instruct_shipping("1002")
    assert alone.shipments[0].parcel is None  # not in the box that goes to Tokyo
    desk.ship("1001", "1001-S1", TRACKING)
    assert desk.get("1002").shipments[0].status is ShipmentStatus.INSTRUCTED


def test_a_box_packed_again_gets_a_name_of_its_own() -> None:
    """An order recalled out of a box that went on without it, packed again with another order,
    is in a new box: before, both boxes were called P-1001-TOKYO, so shipping the first box
    shipped the second one's order under its number, and the label file put both in one box
    (campaign seed 20265439)."""
    shop = fake_shop(STOCK)
    desk = shop.desk
    _two_accepted(desk)
    _place(desk, "1003", "C1-again")
    _accepted(desk, "1003")
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1001")
    desk.recall("1001")  # out of the first box, which stays at the warehouse with 1002
    _accepted(desk, "1001")
    desk.bundle(["1001", "1003"])
    desk.bundle(["1003", "1001"])  # a repeat changes nothing: the same box
    desk.instruct_shipping("1003")
    first = desk.get("1002").shipments[0].parcel
    second = {s.parcel for n in ("1001", "1003") for s in desk.get(n).shipments}
    assert first == "P-1001-TOKYO" and len(second) == 1 and first not in second
    told = shop.warehouses["TOKYO"].instructed.values()
    assert len({s.parcel for s in told}) == 2  # the warehouse packs two boxes
    desk.ship("1002", "1002-S1", TRACKING)  # the first box leaves alone
    assert desk.get("1002").status is OrderStatus.SHIPPED
    assert {desk.get(n).status for n in ("1001", "1003")} == {OrderStatus.SHIPPING_INSTRUCTED}


def test_an_order_recalled_before_its_box_left_may_still_be_cancelled() -> None:
    desk = fake_shop(STOCK).desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1002")
    desk.recall("1002")
    desk.ship("1001", "1001-S1", TRACKING)  # the box leaves without it
    cancelled = desk.cancel("1002", reason="お客様都合")
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.bundle == ()
    assert desk.get("1001").status is OrderStatus.SHIPPED


def test_a_cancelled_order_leaves_the_parcel() -> None:
    desk = fake_shop(STOCK).desk
    _two_accepted(desk)
    _place(desk, "1003", "C1-again")
    _accepted(desk, "1001", "1002", "1003")
    desk.bundle(["1001", "1002", "1003"])
    cancelled = desk.cancel("1002", reason="お客様都合")
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.bundle == ()
    assert desk.get("1001").bundle == desk.get("1003").bundle == ("1001", "1003")
    desk.instruct_shipping("1003")
    assert {s.parcel for n in ("1001", "1003") for s in desk.get(n).shipments} == {"P-1001-TOKYO"}
    with pytest.raises(InvalidValue):
        desk.unbundle("1001")  # instructed: too late


def _flow_on(shop: FakeShop, desk: OrderDesk) -> None:
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1002")
    desk.ship("1001", "1001-S1", TRACKING)
    statuses = {desk.get(n).shipments[0].status for n in ("1001", "1002")}
    assert statuses == {ShipmentStatus.SHIPPED}


def test_a_parcel_on_a_sqlite_file(tmp_path: Path) -> None:
    shop = fake_shop(STOCK)
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    _flow_on(shop, desk_on(shop, store=SQLiteStore(path), inventory=inventory))


def test_a_parcel_on_postgres(postgres_uri: str) -> None:
    shop = fake_shop(STOCK)
    conninfo = new_database(postgres_uri)
    inventory = PostgresInventory(conninfo)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    _flow_on(shop, desk_on(shop, store=PostgresStore(conninfo), inventory=inventory))


def test_the_parts_of_a_split_order_are_packed_on_their_own() -> None:
    """Found by the campaign: a split part inherited its parent's parcel (which did not name it)."""
    desk = fake_shop(STOCK).desk
    desk.place(
        number="1001",
        customer=Customer("C1", "山田 太郎", "C1@example.jp"),
        ship_to=HOME,
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)],
        token="tok",
    )
    _place(desk, "1002", "C1-guest")
    _accepted(desk, "1001", "1002")
    desk.bundle(["1001", "1002"])
    parts = desk.split("1001", [{"L1": 1}, {"L1": 1}])
    assert len(parts) == 2 and all(part.bundle == () for part in parts)


OSAKA = Address("530-0001", "大阪府", "大阪市北区梅田", "1-1-1", "鈴木 花子", "06-1234-5678")


@pytest.mark.parametrize(
    "change",
    [
        OrderChange(ship_to=OSAKA),
        OrderChange(payment_method=PaymentMethod.COD),
        OrderChange(delivery_date=date(2030, 1, 5)),
    ],
    ids=["address", "cod", "delivery_date"],
)
def test_a_bundled_order_is_not_changed_out_of_its_parcel(change: OrderChange) -> None:
    """A change that would pack one box for two addresses, COD and prepaid, or two dates."""
    shop = fake_shop(STOCK)
    desk = shop.desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    before = desk.get("1001")
    for dry_run in (True, False):
        with pytest.raises(InvalidValue, match="unbundle"):
            desk.change("1001", change, dry_run=dry_run)
    assert desk.get("1001") == before
    desk.unbundle("1001")  # out of the parcel first: then the change is the order's own
    assert desk.change("1001", change).order.bundle == ()


def test_a_bundled_order_may_change_what_keeps_its_parcel() -> None:
    desk = fake_shop(STOCK).desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.change("1001", OrderChange(quantities={"L1": 2}))
    desk.change("1001", OrderChange(payment_method=PaymentMethod.POSTPAY))
    assert desk.get("1001").bundle == ("1001", "1002")


def test_a_parcels_carrier_events_reach_every_order_in_it() -> None:
    """The orders of one box share its tracking number: the carrier's word is for each."""
    shop = fake_shop(STOCK)
    desk = shop.desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1001")
    desk.ship("1001", "1001-S1", TRACKING)
    at = shop.clock.now()
    event = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, at, "e1")
    report = desk.carrier_events([event])
    assert report.unknown == ()
    assert report.orders == ("1001", "1002")
    assert {desk.get(n).status for n in ("1001", "1002")} == {OrderStatus.DELIVERED}
    assert desk.carrier_events([event]).duplicates == 2


def _two_instructed() -> FakeShop:
    """Orders 1001 and 1002, not packed together, each instructed as one parcel."""
    shop = fake_shop(STOCK)
    _two_accepted(shop.desk)
    for number in ("1001", "1002"):
        shop.desk.instruct_shipping(number)
    return shop


def test_one_number_on_two_orders_that_share_no_parcel_is_refused_for_the_second() -> None:
    """A mistake (one label on two boxes) is refused: the carrier's events for the number would
    match both and stay unknown, delivering neither."""
    shop = _two_instructed()
    desk = shop.desk
    desk.ship("1001", "1001-S1", TRACKING)
    with pytest.raises(InvalidValue) as refused:
        desk.ship("1002", "1002-S1", TRACKING)
    assert refused.value.field == "tracking_number"
    event = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, shop.clock.now(), "e1")
    assert desk.carrier_events([event]).orders == ("1001",)
    assert [desk.get(n).status for n in ("1001", "1002")] == [
        OrderStatus.DELIVERED,
        OrderStatus.SHIPPING_INSTRUCTED,
    ]


def test_one_number_again_after_its_parcel_arrived_leaves_the_events_unknown() -> None:
    """Carriers use numbers again: a parcel delivered frees its number; an event both parcels
    could have (the second sent within carrier_clock_tolerance of the first's delivery) is left
    to a person."""
    shop = _two_instructed()
    desk = shop.desk
    desk.ship("1001", "1001-S1", TRACKING)
    desk.deliver("1001", "1001-S1")
    desk.ship("1002", "1002-S1", TRACKING)
    event = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, shop.clock.now(), "e1")
    assert desk.carrier_events([event]).unknown == (event,)
    assert desk.get("1002").status is OrderStatus.SHIPPED


class _Crash(Exception):
    pass


def test_shipping_a_parcel_again_after_a_crash_finishes_every_order() -> None:
    """The process died after saving the other order's shipment: its capture was left pending."""
    shop = fake_shop(STOCK)
    desk = shop.desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    desk.instruct_shipping("1001")
    save = shop.store.save

    def dying(order: Order, *, expected_version: int) -> None:
        save(order, expected_version=expected_version)
        if order.number == "1002" and order.status is OrderStatus.SHIPPED:
            shop.store.save = save  # type: ignore[method-assign]
            raise _Crash

    shop.store.save = dying  # type: ignore[method-assign]
    with pytest.raises(_Crash):
        desk.ship("1001", "1001-S1", TRACKING)
    assert desk.get("1002").outbox  # the other order's effects were left pending
    desk.ship("1001", "1001-S1", TRACKING)  # the docs: run the same command again
    assert shop.store.pending() == []
    for number in ("1001", "1002"):
        order = desk.get(number)
        assert order.payment.captured == desk.totals(order).total


def test_a_split_order_leaves_its_parcel() -> None:
    """As a cancelled order does: the other order was left in a parcel with a closed order."""
    desk = fake_shop(STOCK).desk
    desk.place(
        number="1001",
        customer=Customer("C1", "山田 太郎", "C1@example.jp"),
        ship_to=HOME,
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)],
        token="tok",
    )
    _place(desk, "1002", "C1-guest")
    _place(desk, "1003", "C1-again")
    _accepted(desk, "1001", "1002", "1003")
    desk.bundle(["1001", "1002"])
    desk.split("1001", [{"L1": 1}, {"L1": 1}])
    assert desk.get("1001").bundle == desk.get("1002").bundle == ()
    desk.bundle(["1002", "1003"])  # free to share a parcel again
    assert desk.get("1002").bundle == ("1002", "1003")


@pytest.mark.parametrize("command", ["split", "cancel", "unbundle"])
def test_leaving_a_parcel_again_after_a_crash_frees_every_order(command: str) -> None:
    """The process died between the orders' saves: the command run again finishes the job."""
    shop = fake_shop(STOCK)
    desk = shop.desk
    desk.place(
        number="1001",
        customer=Customer("C1", "山田 太郎", "C1@example.jp"),
        ship_to=HOME,
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)],
        token="tok",
    )
    _place(desk, "1002", "C1-guest")
    _accepted(desk, "1001", "1002")
    desk.bundle(["1001", "1002"])
    save = shop.store.save

    def dying(order: Order, *, expected_version: int) -> None:
        save(order, expected_version=expected_version)
        if isinstance(order.history[-1], Unbundled):
            shop.store.save = save  # type: ignore[method-assign]
            raise _Crash

    def run() -> object:
        if command == "split":
            return desk.split("1001", [{"L1": 1}, {"L1": 1}])
        if command == "cancel":
            return desk.cancel("1001", reason="お客様都合")
        return desk.unbundle("1001")

    shop.store.save = dying  # type: ignore[method-assign]
    with pytest.raises(_Crash):
        run()
    run()  # the docs: run the same command again
    assert desk.get("1001").bundle == desk.get("1002").bundle == ()
    assert sum(isinstance(e, Unbundled) for e in desk.get("1002").history) == 1
    desk.instruct_shipping("1002")
    assert desk.get("1002").shipments[0].parcel is None


def test_an_order_whose_box_left_without_it_is_instructed_on_its_own() -> None:
    """The parcel's instruction timed out after the first order; the warehouse shipped the box
    with that order alone. Instructing again put the second order in the box that had left, so
    its notice asked the driver of a gone box to collect it (fresh campaign seed 170011867)."""
    shop = fake_shop(STOCK)
    desk = shop.desk
    _two_accepted(desk)
    desk.bundle(["1001", "1002"])
    shop.warehouses["TOKYO"].fail_next("instruct", Fault.TIMEOUT_AFTER)
    with pytest.raises(OutcomeUnknown):
        desk.instruct_shipping("1001")
    desk.resume("1001")
    assert desk.get("1002").status is OrderStatus.ALLOCATED  # never sent to the warehouse
    desk.ship("1001", "1001-S1", TRACKING)  # the box leaves with 1001 alone
    order = desk.instruct_shipping("1002")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED
    assert order.bundle == () and order.shipments[0].parcel is None  # on its own
    assert desk.get("1001").status is OrderStatus.SHIPPED


def test_an_order_in_another_parcel_is_refused_saying_how_to_take_it_out() -> None:
    desk = fake_shop(STOCK).desk
    _two_accepted(desk)
    _place(desk, "1003", "C1-again")
    _accepted(desk, "1003")
    desk.bundle(["1001", "1002"])
    with pytest.raises(InvalidValue, match=r"1002 already share.*desk\.unbundle\('1002'\)"):
        desk.bundle(["1002", "1003"])
    assert desk.get("1003").bundle == ()
    desk.unbundle("1002")
    assert [o.bundle for o in desk.bundle(["1002", "1003"])] == [("1002", "1003")] * 2


def test_an_event_for_a_number_used_again_goes_to_the_parcel_on_its_way_then() -> None:
    """Carriers use numbers again: weeks after the first parcel arrived, the event is the
    second parcel's; a late event of the first parcel's days stays the first's."""
    shop = _two_instructed()
    desk = shop.desk
    desk.ship("1001", "1001-S1", TRACKING)
    first_day = shop.clock.now()
    desk.deliver("1001", "1001-S1")
    shop.clock.advance(timedelta(days=30))
    desk.ship("1002", "1002-S1", TRACKING)
    late = CarrierEvent("yamato", TRACKING, TrackingStatus.IN_TRANSIT, first_day, "old-1")
    now = CarrierEvent("yamato", TRACKING, TrackingStatus.DELIVERED, shop.clock.now(), "new-1")
    report = desk.carrier_events([late, now])
    assert report.unknown == ()
    assert desk.get("1002").status is OrderStatus.DELIVERED
    assert [
        e.detail("event_id") for e in desk.get("1001").history if e.name == "carrier_reported"
    ] == ["old-1"]
