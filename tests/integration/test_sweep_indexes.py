"""The sweeps read their indexes, not every open order.

The timed sweeps read the deadlines list (期限管理); the reconciliation of bank deposits (入金消込)
reads the orders holding the accounts deposited to (``ACCOUNT_INDEX``); a month's journal export
(仕訳出力) the booked orders changed since the month began (``QueueQuery.booked_since``).

``expire_unpaid``, ``reauthorize_expiring`` and ``sweep_absent`` went through every open order,
decoding each, at every run: with tens of thousands of orders open a sweep run from cron every
few minutes read them all to act on a handful. The stores index each open order's earliest clock
(``deadline_at``: a konbini number's deadline, an authorization's expiry, a parcel 持戻り since);
a sweep reads the orders whose clock is due and judges only those.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

from orderflow import (
    CarrierEvent,
    Deposit,
    Disposition,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    QueueQuery,
    ReturnReason,
    ShopSettings,
    TrackingStatus,
)
from orderflow.cli import booked_entries
from orderflow.domain.queues import ACCOUNT_INDEX, WAITING_INDEX, deadline_at, queue_facts
from orderflow.ports import OrderStore
from orderflow.stores import PostgresStore, SQLiteStore, _sql
from orderflow.testing import FakeShop, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import address, customer, place, shop
from tests.postgres import new_database

STOCK = {("TOKYO", sku): 1000 for sku in ("TEA-1", "MUG-1", "CAKE-1")} | {("TOKYO", "NEW-1"): 0}
JST = timezone(timedelta(hours=9))
LINE = [OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)]


def _new_tea_ordered(s: FakeShop) -> None:
    """Order W-1 of two units of NEW-1, of which no unit is in stock, accepted (未引当)."""
    s.desk.place(
        number="W-1",
        customer=attrs.evolve(customer(), id="C-W"),
        ship_to=address(),
        lines=[OrderLine("L1", "NEW-1", "新茶", Money.yen(2000), 2)],
        token="tok_ok",
    )
    s.desk.accept("W-1")


def _place(s: FakeShop, number: str, method: PaymentMethod = PaymentMethod.CARD) -> Order:
    s.desk.place(
        number=number,
        customer=customer(),
        ship_to=address(),
        lines=LINE,
        payment_method=method,
        token="tok_ok" if method is PaymentMethod.CARD else None,
    )
    return s.desk.accept(number)


def _reads(store: OrderStore) -> tuple[list[str], Callable[[], None]]:
    """The numbers of the orders read from ``store`` from now on (and how to stop counting)."""
    read: list[str] = []
    get, open_orders = store.get, store.open_orders

    def counted_get(number: str) -> Order:
        read.append(number)
        return get(number)

    def counted_open() -> Iterator[Order]:
        for order in open_orders():
            read.append(order.number)
            yield order

    store.get = counted_get  # type: ignore[method-assign]
    store.open_orders = counted_open  # type: ignore[method-assign]

    def stop() -> None:
        store.get, store.open_orders = get, open_orders  # type: ignore[method-assign]

    return read, stop


@pytest.fixture
def sqlite_shop(tmp_path: Path) -> Iterator[FakeShop]:
    s = fake_shop(STOCK, settings=ShopSettings(auto_advance=False))
    with SQLiteStore(tmp_path / "shop.sqlite3") as store:
        s.desk = desk_on(s, store=store)
        yield s


def test_a_sweep_reads_only_the_orders_whose_clock_is_due(sqlite_shop: FakeShop) -> None:
    s = sqlite_shop
    _place(s, "K-1", PaymentMethod.KONBINI)  # its number is valid 7 days
    for n in range(30):
        _place(s, f"C-{n:02}")  # card orders, authorized for 30 days
    s.clock.advance(timedelta(days=7, seconds=1))
    read, stop = _reads(s.desk.executor.ports.store)
    try:
        expired = s.desk.expire_unpaid()
        assert [o.number for o in expired] == ["K-1"]
        assert set(read) == {"K-1"}  # not the thirty card orders
        read.clear()
        assert s.desk.reauthorize_expiring() == []  # 23 days before the cards lapse
        assert s.desk.sweep_absent() == []
        assert read == []
    finally:
        stop()


def test_reconciling_reads_only_the_orders_holding_the_accounts_paid_to(
    sqlite_shop: FakeShop,
) -> None:
    s = sqlite_shop
    bank = [_place(s, f"B-{n}", PaymentMethod.BANK_TRANSFER) for n in range(3)]
    for n in range(20):
        _place(s, f"C-{n:02}")
    paid = bank[1]
    account = paid.payment.instruction("account")
    assert account is not None
    due = s.desk.totals(paid).total
    deposit = Deposit(account, due, "ﾔﾏﾀﾞ ﾀﾛｳ", s.clock.now().date(), "R-1")
    read, stop = _reads(s.desk.executor.ports.store)
    try:
        report = s.desk.reconcile_deposits(
            [deposit, attrs.evolve(deposit, account="9999999", reference="R-2")]
        )
    finally:
        stop()
    assert [m.order_number for m in report.reconciliation.matched] == ["B-1"]
    assert [d.account for d in report.reconciliation.unmatched] == ["9999999"]
    assert set(read) == {"B-1"}
    assert s.desk.payment_confirmed(s.desk.get("B-1"))


def test_each_sweep_acts_on_an_sqlite_file(sqlite_shop: FakeShop) -> None:
    s = sqlite_shop
    _place(s, "C-1")
    s.desk.allocate("C-1")
    s.desk.instruct_shipping("C-1")
    s.desk.ship("C-1", "C-1-S1", tracking_number="123456789013")
    _place(s, "C-2")  # authorized, not shipped
    s.desk.carrier_events(
        [CarrierEvent("yamato", "123456789013", TrackingStatus.ABSENT, s.clock.now(), "a1")]
    )
    s.clock.advance(timedelta(days=28))  # C-2's authorization lapses in 2 days
    assert [o.number for o in s.desk.reauthorize_expiring()] == ["C-2"]
    assert s.desk.sweep_absent() == ["C-1"]  # 持戻り for 28 days
    assert s.desk.reauthorize_expiring() == []  # renewed: its clock is a month on again
    renewed = s.desk.get("C-2")
    clock = deadline_at(renewed)
    assert clock is not None and clock > s.clock.now() + timedelta(days=29)


def test_a_final_order_has_no_clock() -> None:
    s = fake_shop(STOCK, settings=ShopSettings(auto_advance=False))
    order = _place(s, "K-1", PaymentMethod.KONBINI)
    assert deadline_at(order) == datetime.fromisoformat(order.payment.instruction("deadline") or "")
    s.clock.advance(timedelta(days=8))
    [cancelled] = s.desk.expire_unpaid()
    assert cancelled.status is OrderStatus.CANCELLED
    assert queue_facts(cancelled).deadline_at is None
    assert s.store.queue(QueueQuery.deadlines(s.clock.now() + timedelta(days=3650))) == []


def _forget_the_clocks(execute: Callable[..., Any]) -> None:
    """As tables of index version 3 were: no ``deadline_at`` and ``booked_changed_at`` columns,
    no indexes of them, no accounts nor SKUs waited for among the index keys."""
    for column, index in (("deadline_at", "deadlines"), ("booked_changed_at", "booked_changed")):
        execute(f"DROP INDEX orders_{index}")
        execute(f"ALTER TABLE orders DROP COLUMN {column}")
    execute(f"DELETE FROM order_tracking WHERE carrier IN ('{ACCOUNT_INDEX}', '{WAITING_INDEX}')")
    execute("UPDATE order_index_version SET version = 3")


def _older_tables_are_indexed_again(
    open_store: Callable[[], SQLiteStore | PostgresStore],
    on_tables: Callable[[Callable[[Callable[..., Any]], None]], None],
) -> None:
    """Orders saved, the tables taken back to version 3, then a store opens them again."""
    s = fake_shop(STOCK, settings=ShopSettings(auto_advance=False))
    with open_store() as store:
        s.desk = desk_on(s, store=store)
        _place(s, "K-1", PaymentMethod.KONBINI)
        account = _place(s, "B-1", PaymentMethod.BANK_TRANSFER).payment.instruction("account")
        _booked(s, "A")
        _new_tea_ordered(s)
    on_tables(_forget_the_clocks)
    s.clock.advance(timedelta(days=8))
    with open_store() as store:
        assert store.queue(QueueQuery.deadlines(s.clock.now())) == ["K-1"]
        assert store.orders_by_tracking(ACCOUNT_INDEX, account or "") == ["B-1"]
        assert store.orders_by_tracking(WAITING_INDEX, "NEW-1") == ["W-1"]
        assert store.queue(QueueQuery.booked_since(s.clock.now() - timedelta(days=9))) == ["A"]
        s.desk = desk_on(s, store=store)
        assert [o.number for o in s.desk.expire_unpaid()] == ["K-1"]


def test_a_sqlite_file_of_an_older_orderflow_is_indexed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    monkeypatch.setattr(_sql, "REINDEX_PAGE", 1)  # a page at a time: each of three pages

    def on_tables(change: Callable[[Callable[..., Any]], None]) -> None:
        with sqlite3.connect(path) as conn:
            change(conn.execute)

    _older_tables_are_indexed_again(lambda: SQLiteStore(path), on_tables)


def test_a_postgres_database_of_an_older_orderflow_is_indexed_again(
    postgres_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    conninfo = new_database(postgres_uri)
    monkeypatch.setattr(_sql, "REINDEX_PAGE", 2)  # a page at a time: two pages

    def on_tables(change: Callable[[Callable[..., Any]], None]) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            change(conn.execute)

    _older_tables_are_indexed_again(lambda: PostgresStore(conninfo), on_tables)


def _booked(s: FakeShop, number: str) -> None:
    """Order ``number`` of a customer of its own, booked (計上済) with one parcel."""
    place(s, number, customer=attrs.evolve(customer(), id=f"C-{number}"))
    s.desk.accept(number)
    s.desk.allocate(number)
    s.desk.instruct_shipping(number)
    s.desk.ship(
        number,
        f"{number}-S1",
        {"A": "123456789013", "B": "223456789010", "C": "323456789014"}[number],
    )
    s.desk.deliver(number, f"{number}-S1")
    s.desk.book(number)


def test_a_months_journal_export_reads_the_orders_changed_that_month(tmp_path: Path) -> None:
    """``export-journal --from`` read every booked order the shop ever had, each month."""
    s = shop()
    with SQLiteStore(tmp_path / "shop.sqlite3") as store:
        s.desk = desk_on(s, store=store)
        for number in ("A", "B"):
            _booked(s, number)  # in November
        s.clock.advance(datetime(2026, 12, 5, 10, tzinfo=JST) - s.clock.now())
        s.desk.request_return("B", {"L2": 1}, ReturnReason.DEFECTIVE)
        s.desk.receive_return("B", "R1", [Disposition("L2", 1, "TOKYO")])
        _booked(s, "C")
        read: list[str] = []
        december = booked_entries(s.desk, each=read.append, since=date(2026, 12, 1))
        assert sorted(read) == ["B", "C"]  # not A, booked and left alone in November
        assert [e.reference for e in december] == ["B/R1", "C"]
        assert [e.reference for e in booked_entries(s.desk)] == ["A", "B", "B/R1", "C"]


def test_a_receipt_reads_only_the_orders_waiting_for_its_sku(sqlite_shop: FakeShop) -> None:
    """入荷: ``receive`` read every open order to find the few waiting for the SKU."""
    s = sqlite_shop
    for n in range(20):
        _place(s, f"C-{n:02}")
        s.desk.allocate(f"C-{n:02}")  # tea on the shelf: reserved, waiting for nothing
    _new_tea_ordered(s)
    assert s.desk.allocate("W-1").status is OrderStatus.PARTIALLY_ALLOCATED  # none in stock yet
    read, stop = _reads(s.desk.executor.ports.store)
    try:
        served = s.desk.receive("TOKYO", "NEW-1", 5, receipt_id="R-1")
    finally:
        stop()
    assert [o.number for o in served] == ["W-1"]
    assert set(read) == {"W-1"}
    assert s.desk.get("W-1").status is OrderStatus.ALLOCATED
