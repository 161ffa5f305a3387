"""中途引当 that moves: a receipt fills the waiting orders, dates are told, the customer chooses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import attrs
import pytest

from orderflow import (
    Context,
    Customer,
    Money,
    Order,
    OrderDesk,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)
from orderflow.domain.decisions import backorders
from orderflow.domain.events import ArrivalExpected, StockWaitAccepted
from orderflow.errors import InvalidValue, MoveNotAllowed, ProviderTimeout
from orderflow.stores import PostgresInventory, PostgresStore, SQLiteInventory, SQLiteStore
from orderflow.testing import FakeShop, Fault
from orderflow.testing.shop import desk_on
from tests.builders import address, pay_in_full, shop
from tests.postgres import new_database

STOCK = {("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 10, ("TOKYO", "CAKE-1"): 10}
TEA = [
    OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2),
    OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
]


def _waiting(s: FakeShop, numbers: list[str], desk: OrderDesk | None = None) -> None:
    """Orders of 2 teas and a mug each, accepted and allocated as far as the stock goes."""
    desk = desk or s.desk
    for number in numbers:
        who = Customer(f"C{number}", "見本 花子", f"c{number}@example.jp")  # no duplicate hold
        desk.place(number=number, customer=who, ship_to=address(), lines=TEA, token="tok")
        desk.accept(number)
        desk.allocate(number)


def test_a_receipt_fills_the_waiting_orders_oldest_first() -> None:
    s = shop(STOCK)
    _waiting(s, ["1001", "1002", "1003"])
    statuses = {s.desk.get(n).status for n in ("1001", "1002", "1003")}
    assert statuses == {OrderStatus.PARTIALLY_ALLOCATED}  # the mugs are there, the teas not
    before = {n: s.desk.get(n).unallocated() for n in ("1001", "1002", "1003")}
    assert before["1001"] == {"L1": 1}
    served = s.desk.receive("TOKYO", "TEA-1", 3, receipt_id="R-1")
    assert [o.number for o in served] == ["1001", "1002"]  # 1 for 1001, 2 for 1002
    assert s.desk.get("1001").status is OrderStatus.ALLOCATED
    assert s.desk.get("1002").status is OrderStatus.ALLOCATED
    assert s.desk.get("1003").unallocated() == {"L1": 2}
    assert s.inventory.available("TOKYO", "TEA-1") == 0


def test_a_receipt_is_counted_once() -> None:
    s = shop(STOCK)
    _waiting(s, ["1001"])
    s.desk.receive("TOKYO", "TEA-1", 5, receipt_id="R-1")
    again = s.desk.receive(
        "TOKYO", "TEA-1", 5, receipt_id="R-1"
    )  # the same delivery reported twice
    assert again == []
    assert s.inventory.on_hand[("TOKYO", "TEA-1")] == 6
    assert s.inventory.available("TOKYO", "TEA-1") == 5 - 1


def test_a_priority_goes_before_age() -> None:
    s = shop(STOCK)
    _waiting(s, ["1001", "1002"])
    served = s.desk.receive(
        "TOKYO", "TEA-1", 2, receipt_id="R-1", priority=lambda o: o.number != "1002"
    )
    assert [o.number for o in served] == ["1002"]


def test_orders_on_hold_are_not_served() -> None:
    s = shop(STOCK)
    _waiting(s, ["1001", "1002"])
    s.desk.raise_hold("1001", "check", "確認")
    served = s.desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")
    assert [o.number for o in served] == ["1002"]


def test_the_receipt_sweep_fills_orders_when_stock_came_in_outside_the_desk() -> None:
    s = shop(STOCK)
    _waiting(s, ["1001", "1002", "1003"])
    s.desk.raise_hold("1002", "check", "確認")
    assert s.desk.fill_backorders() == []  # nothing came in yet
    s.inventory.receive("TOKYO", "TEA-1", 3, key="wms-77")  # booked by the warehouse system
    served = s.desk.fill_backorders()
    assert [o.number for o in served] == ["1001", "1003"]  # oldest first, the held one left
    assert s.desk.get("1001").status is OrderStatus.ALLOCATED
    assert s.desk.get("1003").status is OrderStatus.ALLOCATED
    assert s.desk.get("1002").unallocated() == {"L1": 2}
    assert s.inventory.available("TOKYO", "TEA-1") == 0
    assert s.desk.fill_backorders() == []  # again: nothing changes
    with pytest.raises(InvalidValue, match="priority"):
        s.desk.fill_backorders(priority="newest")  # type: ignore[arg-type]


def test_an_expected_date_is_told_with_reserved_and_waiting_lines_apart() -> None:
    s = shop(STOCK)
    _waiting(s, ["1001"])
    order = s.desk.expect_arrival("1001", "L1", date(2026, 12, 1))
    assert order.arrivals == (("L1", date(2026, 12, 1)),)
    assert isinstance(order.history[-1], ArrivalExpected)
    notice = s.notifier.sent[-1]
    assert notice.kind == "backorder"
    assert "湯呑 ×1" in str(notice.fact("reserved")) and "緑茶 ×1" in str(notice.fact("reserved"))
    assert notice.fact("waiting") == "緑茶 ×1 (2026-12-01)"
    assert "入荷待ち" in notice.body
    s.desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1")
    assert s.desk.get("1001").arrivals == ()  # nothing waits any more


def test_an_expected_date_is_refused_for_a_line_not_waiting_or_a_past_day() -> None:
    s = shop(STOCK)
    _waiting(s, ["1001"])
    with pytest.raises(InvalidValue, match="line_id"):
        s.desk.expect_arrival("1001", "L2", date(2026, 12, 1))  # the mug is reserved
    with pytest.raises(InvalidValue, match="on"):
        s.desk.expect_arrival("1001", "L1", date(2020, 1, 1))
    with pytest.raises(InvalidValue, match="on"):
        s.desk.expect_arrival("1001", "L1", "2026-12-01")  # type: ignore[arg-type]
    assert s.desk.get("1001").arrivals == ()


def test_the_customer_waits_or_drops_the_waiting_units() -> None:
    s = shop(STOCK)
    _waiting(s, ["1001", "1002"])
    waited = s.desk.wait_for_stock("1001")
    assert isinstance(waited.history[-1], StockWaitAccepted)
    dropped = s.desk.drop_missing("1001")
    assert dropped.status is OrderStatus.ALLOCATED
    assert {line.line_id: line.quantity for line in dropped.lines} == {"L1": 1, "L2": 1}
    assert dropped.payment.method is not None
    total = s.desk.totals(dropped).total
    assert total == Money.yen(1080 + 2200)
    nothing = s.desk.drop_missing("1002")  # nothing of the tea was there: the tea goes
    assert {line.line_id for line in nothing.lines} == {"L2"}
    with pytest.raises(InvalidValue):
        s.desk.drop_missing("1002")  # nothing waits any more
    with pytest.raises(MoveNotAllowed):
        s.desk.wait_for_stock("1002")


def test_a_receipt_that_times_out_is_finished_by_calling_again() -> None:
    s = shop(STOCK)
    _waiting(s, ["1001"])
    s.inventory.fail_next("receive", Fault.TIMEOUT_AFTER)
    with pytest.raises(ProviderTimeout):
        s.desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-9")
    served = s.desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-9")
    assert [o.number for o in served] == ["1001"]
    assert s.inventory.on_hand[("TOKYO", "TEA-1")] == 2  # once


def _backorders_on(s: FakeShop, desk: OrderDesk, on_hand: Callable[[], int]) -> None:
    _waiting(s, ["1001", "1002"], desk)
    served = desk.receive("TOKYO", "TEA-1", 3, receipt_id="R-1")
    assert [o.number for o in served] == ["1001", "1002"]
    assert desk.receive("TOKYO", "TEA-1", 3, receipt_id="R-1") == []
    assert on_hand() == 4
    assert all(desk.get(n).status is OrderStatus.ALLOCATED for n in ("1001", "1002"))


def test_backorders_on_a_sqlite_file(tmp_path: Path) -> None:
    s = shop(STOCK)
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    desk = desk_on(s, store=SQLiteStore(path), inventory=inventory)
    _backorders_on(s, desk, lambda: inventory.stock("TOKYO", "TEA-1").on_hand)


def test_backorders_on_postgres(postgres_uri: str) -> None:
    s = shop(STOCK)
    conninfo = new_database(postgres_uri)
    inventory = PostgresInventory(conninfo)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    desk = desk_on(s, store=PostgresStore(conninfo), inventory=inventory)
    _backorders_on(s, desk, lambda: inventory.stock("TOKYO", "TEA-1").on_hand)


def test_receive_refuses_bad_input_and_changes_nothing() -> None:
    s = shop(STOCK)
    for args, field in [
        (("NARNIA", "TEA-1", 1), "warehouse"),
        (("TOKYO", "TEA-1", 0), "quantity"),
        (("TOKYO", "TEA-1", True), "quantity"),
        (("TOKYO", "", 1), "sku"),
    ]:
        with pytest.raises(InvalidValue, match=field):
            s.desk.receive(*args, receipt_id="R-1")
    with pytest.raises(InvalidValue, match="receipt_id"):
        s.desk.receive("TOKYO", "TEA-1", 1, receipt_id="")
    assert s.inventory.on_hand[("TOKYO", "TEA-1")] == 1


def test_the_receipt_sweep_reads_the_open_orders_once_whatever_the_skus() -> None:
    # a grown shop waits for many SKUs: reading every open order again for each SKU made the
    # sweep cost SKUs × open orders (minutes on a file of tens of thousands of orders)
    stock = {("TOKYO", f"T{k}"): 0 for k in range(4)} | {("TOKYO", "MUG-1"): 10}
    s = shop(stock)
    for n, skus in enumerate([["T0", "T1"], ["T1"], ["T2", "T3"], ["T3"]]):
        number = f"100{n}"
        lines = [OrderLine(f"L{i}", sku, "茶", Money.yen(1080), 1) for i, sku in enumerate(skus)]
        who = Customer(f"C{number}", "見本 花子", f"c{number}@example.jp")
        s.desk.place(number=number, customer=who, ship_to=address(), lines=lines, token="tok")
        s.desk.accept(number)
    reads: list[int] = []
    real = s.store.open_orders

    def counted() -> list[Order]:
        reads.append(1)
        return real()

    s.store.open_orders = counted  # type: ignore[method-assign]
    for k in range(4):
        s.inventory.receive("TOKYO", f"T{k}", 2, key=f"wms-{k}")
    served = s.desk.fill_backorders()
    assert len(reads) == 1
    assert [o.number for o in served] == ["1000", "1001", "1002", "1003"]  # each once
    assert {s.desk.get(f"100{n}").status for n in range(4)} == {OrderStatus.ALLOCATED}
    assert s.desk.fill_backorders() == []


def _held_before_reading_stock(s: FakeShop, method: PaymentMethod) -> Order:
    """Order 1001 accepted into 未引当 on hold: a transfer not paid yet, or remarks to read."""
    s.desk.place(
        number="1001",
        customer=Customer("C1", "見本 花子", "c1@example.jp"),
        ship_to=address(),
        lines=[TEA[1]],
        token="tok" if method is PaymentMethod.CARD else None,
        payment_method=method,
        remarks="" if method is PaymentMethod.BANK_TRANSFER else "置き配希望",
    )
    order = s.desk.accept("1001")
    assert order.status is OrderStatus.UNALLOCATED and order.open_holds
    return order


@pytest.mark.parametrize("method", [PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD])
def test_drop_missing_refuses_an_order_on_hold_whose_stock_was_never_read(
    method: PaymentMethod,
) -> None:
    """未引当 on hold (a transfer not paid yet, remarks to read) has nothing reserved because
    nobody read the stock yet, not because it is missing: dropping 'what waits for stock' must
    not cancel the whole order (every unit is on the shelf)."""
    s = shop(STOCK)
    order = _held_before_reading_stock(s, method)
    with pytest.raises(InvalidValue) as refused:
        s.desk.drop_missing("1001")
    assert refused.value.field == "number"
    assert "hold" in str(refused.value)
    order = s.desk.get("1001")
    assert order.status is OrderStatus.UNALLOCATED
    assert [(line.line_id, line.quantity) for line in order.lines] == [("L2", 1)]
    pay_in_full(s)  # a transfer's wait lifts itself when the money is recorded
    for hold in s.desk.get("1001").open_holds:  # a person lets it go on: reserved as usual
        s.desk.clear_hold("1001", hold.code)
    assert s.desk.allocate("1001").status is OrderStatus.ALLOCATED


def test_an_order_on_hold_whose_stock_was_never_read_is_told_no_expected_date() -> None:
    """入荷予定日 and 'wait for stock' are for units found missing: a transfer not paid yet
    (未引当 on hold, its stock on the shelf) must not get a backorder notice."""
    s = shop(STOCK)
    before = _held_before_reading_stock(s, PaymentMethod.BANK_TRANSFER)
    sent = len(s.notifier.sent)
    calls: list[Callable[[], object]] = [
        lambda: s.desk.expect_arrival("1001", "L2", date(2026, 12, 1)),
        lambda: s.desk.wait_for_stock("1001"),
    ]
    for call in calls:
        with pytest.raises(InvalidValue) as refused:
            call()
        assert refused.value.field == "number" and "hold" in str(refused.value)
    assert s.desk.get("1001") == before and len(s.notifier.sent) == sent


def test_waiting_for_nothing_is_refused_naming_number() -> None:
    """An order 未引当 with nothing missing (its waiting units dropped, a drop-shipped line left)
    was refused naming a field ``order`` that wait_for_stock has not (fresh campaign seed
    20270195): the caller passes ``number``."""
    s = shop({("TOKYO", "MUG-1"): 10, ("TOKYO", "TEA-1"): 0})
    lines = [TEA[0], OrderLine("D1", "MUG-1", "湯呑", Money.yen(2200), 1, supplier="ACME")]
    who = Customer("C1", "見本 花子", "c1@example.jp")
    s.desk.place(number="1001", customer=who, ship_to=address(), lines=lines, token="tok")
    s.desk.accept("1001")
    s.desk.allocate("1001")
    dropped = s.desk.drop_missing("1001")
    assert dropped.unallocated() == {}
    unread = attrs.evolve(dropped, status=OrderStatus.UNALLOCATED)  # as the campaign's order was
    with pytest.raises(InvalidValue) as refused:
        backorders.accept_wait(unread, Context(s.clock.now(), "customer"))
    assert refused.value.field == "number"


def test_the_backorder_notice_says_nothing_is_reserved_when_nothing_is() -> None:
    s = shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 10, ("TOKYO", "CAKE-1"): 10})
    who = Customer("C1", "見本 花子", "c1@example.jp")
    tea = [OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)]
    s.desk.place(number="1001", customer=who, ship_to=address(), lines=tea, token="tok")
    s.desk.accept("1001")
    s.desk.allocate("1001")
    s.desk.expect_arrival("1001", "L1", date(2026, 12, 1))
    notice = s.notifier.sent[-1]
    assert notice.kind == "backorder"
    for text in (notice.text, attrs.evolve(notice, locale="en").text, notice.html):
        assert "確保済みです" not in text and "are reserved for you" not in text
        assert "\n-\n" not in text and ">-<" not in text  # no dash standing for no lines
    assert "まだ確保できておりません" in notice.text
    assert "None of the items" in attrs.evolve(notice, locale="en").text
    assert "緑茶 ×2 (2026年12月1日)" in notice.text
