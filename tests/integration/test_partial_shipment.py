"""分納: ship what is reserved now and the rest when it comes, as shipments of one order."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderflow import Customer, Money, OrderDesk, OrderLine, OrderStatus, PaymentMethod
from orderflow.domain.status import Move
from orderflow.errors import InvalidValue, MoveBlocked, MoveNotAllowed
from orderflow.stores import PostgresInventory, PostgresStore, SQLiteInventory, SQLiteStore
from orderflow.testing import FakeShop
from orderflow.testing.shop import desk_on
from tests.builders import address, shop
from tests.postgres import new_database

STOCK = {("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 10, ("TOKYO", "CAKE-1"): 10}
TEA = [
    OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2),
    OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
]


def _short(
    s: FakeShop,
    number: str = "1001",
    desk: OrderDesk | None = None,
    method: PaymentMethod = PaymentMethod.CARD,
) -> None:
    """An order of 2 teas and a mug, one tea short: 中途引当."""
    desk = desk or s.desk
    who = Customer(f"C{number}", "見本 花子", f"c{number}@example.jp")
    desk.place(
        number=number,
        customer=who,
        ship_to=address(),
        lines=TEA,
        token="tok",
        payment_method=method,
    )
    desk.accept(number)
    desk.allocate(number)
    assert desk.get(number).status is OrderStatus.PARTIALLY_ALLOCATED


def _whole_flow(s: FakeShop, desk: OrderDesk) -> None:
    _short(s, desk=desk)
    order = desk.ship_available("1001")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED
    assert order.unallocated() == {"L1": 1}
    [first] = order.shipments
    assert first.shipment_id == "1001-S1"
    assert {(line.line_id, line.quantity) for line in first.lines} == {("L1", 1), ("L2", 1)}
    assert desk.ship_available("1001") == desk.get("1001")  # a repeat changes nothing
    order = desk.ship("1001", "1001-S1", "1234-5678-9013")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED  # one tea still waits
    assert order.payment.captured == Money.yen(0)  # taken once, at the last unit
    order = desk.deliver("1001", "1001-S1")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED  # a parcel delivered meanwhile
    with pytest.raises(MoveNotAllowed):
        desk.book("1001")
    served = desk.receive("TOKYO", "TEA-1", 3, receipt_id="R-1")
    assert [o.number for o in served] == ["1001"]
    order = desk.get("1001")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED and not order.unallocated()
    assert [s.shipment_id for s in order.shipments] == ["1001-S1", "1001-S2"]
    assert [(line.line_id, line.quantity) for line in order.shipments[1].lines] == [("L1", 1)]
    order = desk.ship("1001", "1001-S2", "1234-5678-9024")
    assert order.status is OrderStatus.SHIPPED
    assert order.payment.captured == order.totals(desk.settings.tax).total
    order = desk.deliver("1001", "1001-S2")
    assert order.status is OrderStatus.DELIVERED
    assert desk.book("1001").status is OrderStatus.BOOKED


def test_ship_what_is_there_and_the_rest_when_it_comes() -> None:
    s = shop(STOCK)
    _whole_flow(s, s.desk)
    assert s.inventory.on_hand[("TOKYO", "TEA-1")] == 2  # 1 + 3 received − 2 shipped
    assert s.inventory.reserved.get(("TOKYO", "TEA-1"), 0) == 0


def test_partial_shipment_on_a_sqlite_file(tmp_path: Path) -> None:
    s = shop(STOCK)
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    desk = desk_on(s, store=SQLiteStore(path), inventory=inventory)
    _whole_flow(s, desk)
    assert inventory.stock("TOKYO", "TEA-1").on_hand == 2


def test_partial_shipment_on_postgres(postgres_uri: str) -> None:
    s = shop(STOCK)
    conninfo = new_database(postgres_uri)
    inventory = PostgresInventory(conninfo)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    desk = desk_on(s, store=PostgresStore(conninfo), inventory=inventory)
    _whole_flow(s, desk)


def test_instruct_shipping_of_a_short_order_asks_for_the_customers_choice() -> None:
    s = shop(STOCK)
    _short(s)
    before = s.desk.get("1001")
    with pytest.raises(MoveBlocked, match="ship_available"):
        s.desk.instruct_shipping("1001")
    assert s.desk.get("1001") == before


def test_the_rest_waits_for_a_receipt_and_is_not_recalled() -> None:
    s = shop(STOCK)
    _short(s)
    s.desk.ship_available("1001")
    assert s.desk.instruct_shipping("1001") == s.desk.get("1001")  # nothing new to instruct
    with pytest.raises(MoveBlocked, match="分納"):
        s.desk.recall("1001")
    assert s.desk.get("1001").status is OrderStatus.SHIPPING_INSTRUCTED


def test_a_receipt_allocated_by_hand_is_instructed_as_a_further_shipment() -> None:
    s = shop(STOCK)
    _short(s)
    s.desk.ship_available("1001")
    s.inventory.on_hand[("TOKYO", "TEA-1")] += 1  # stock put in outside the desk
    order = s.desk.allocate("1001")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED and not order.unallocated()
    assert len(order.shipments) == 1
    order = s.desk.instruct_shipping("1001")
    assert [sh.shipment_id for sh in order.shipments] == ["1001-S1", "1001-S2"]
    assert Move.INSTRUCT_SHIPPING in s.desk.next_moves("1001")


def test_cod_collects_the_whole_total_on_the_first_parcel() -> None:
    s = shop(STOCK)
    _short(s, method=PaymentMethod.COD)
    order = s.desk.ship_available("1001")
    total = order.totals(s.desk.settings.tax).total
    assert order.shipments[0].cod_amount == total
    s.desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")
    order = s.desk.get("1001")
    assert order.shipments[1].cod_amount is None
    s.desk.ship("1001", "1001-S1", "1234-5678-9013")
    order = s.desk.deliver("1001", "1001-S1")
    assert order.payment.received == total
    s.desk.ship("1001", "1001-S2", "1234-5678-9024")
    assert s.desk.deliver("1001", "1001-S2").status is OrderStatus.DELIVERED


def test_ship_available_refuses_what_it_cannot_do_and_changes_nothing() -> None:
    s = shop(STOCK)
    with pytest.raises(InvalidValue, match="number"):
        s.desk.ship_available("")
    _short(s)
    before = s.desk.get("1001")
    with pytest.raises(InvalidValue, match="carrier"):
        s.desk.ship_available("1001", carrier="nope")
    assert s.desk.get("1001") == before
    s.desk.place(
        number="1002",
        customer=Customer("C2", "見本 花子", "c2@example.jp"),
        ship_to=address(),
        lines=TEA,
        token="tok",
    )
    with pytest.raises(MoveNotAllowed):
        s.desk.ship_available("1002")  # 受注: nothing reserved yet
