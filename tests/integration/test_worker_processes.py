"""Worker processes on one database, as a shop runs them: forked workers, each with its own store.

Two workers run the same command on one order at once; three sweep while a fourth runs
commands; a worker is killed inside a transaction; a report reads for long while workers write;
another program holds the file's write lock. The workers are forked after the shop was set up,
so each has a copy of the fakes: every call a worker made is in its copy, sent back to the test.
The workers meet at barriers; nothing is asserted about timings.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from orderflow import Order, OrderDesk, OrderStatus, QueueQuery
from orderflow.errors import ConcurrencyError, OrderflowError, OutcomeUnknown, StoreError
from orderflow.ports import Inventory, OrderStore
from orderflow.stores import PostgresInventory, PostgresStore, SQLiteInventory, SQLiteStore
from orderflow.testing import FakeShop, Fault
from orderflow.testing.shop import desk_on
from tests import builders
from tests.builders import STOCK, TRACKING, address, customer, lines
from tests.postgres import new_database

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks workers")

FORK = multiprocessing.get_context("fork")
NUMBER = "1001"


class Shop:
    """A shop on fakes whose orders and stock are in a database that forked workers reopen."""

    def __init__(self, open_store: Callable[[], OrderStore], open_stock: Callable[[], Inventory]):
        self.open_store, self.open_stock = open_store, open_stock
        self.fakes = builders.shop()  # every step is the test's own (no auto-advance)
        stock = open_stock()
        for (warehouse, sku), units in STOCK.items():
            stock.receive(warehouse, sku, units, reason="入荷")  # type: ignore[attr-defined]
        self.desk = self.worker_desk()

    def worker_desk(self) -> OrderDesk:
        """A desk on this process's copy of the fakes and connections of its own."""
        return desk_on(self.fakes, store=self.open_store(), inventory=self.open_stock())

    def place(self, number: str) -> Order:
        return self.desk.place(
            number=number, customer=customer(), ship_to=address(), lines=lines(), token="tok"
        )


@pytest.fixture(params=["sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    if request.param == "sqlite":
        path = tmp_path / "shop.sqlite3"
        yield Shop(lambda: SQLiteStore(path), lambda: SQLiteInventory(path))
    else:
        conninfo = new_database(request.getfixturevalue("postgres_uri"))
        yield Shop(lambda: PostgresStore(conninfo), lambda: PostgresInventory(conninfo))


def _providers(fakes: FakeShop) -> list[Any]:
    values = [getattr(fakes, field.name) for field in attrs.fields(type(fakes))]
    found = [value for value in values if hasattr(value, "calls")]
    return found + list(fakes.warehouses.values())


def _calls(fakes: FakeShop) -> list[tuple[str, str]]:
    """Every call made to a provider, (method, key), in this process's copy of the fakes."""
    return [(call.method, call.key) for fake in _providers(fakes) for call in fake.calls]


def _work(fakes: FakeShop) -> list[tuple[str, str]]:
    """Every piece of work a provider did, (method, key)."""
    return [done for fake in _providers(fakes) for done in fake.work_done]


def _run_workers(jobs: list[Callable[[], object]]) -> list[Any]:
    """Run each job in a forked worker; what each returned, or the class of what it raised."""
    answers = FORK.Queue()

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            answers.put((index, job()))
        except BaseException as failed:
            answers.put((index, type(failed).__name__))

    workers = [FORK.Process(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for worker in workers:
        worker.start()
    said = dict(answers.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(30)
    return [said[i] for i in range(len(jobs))]


def test_two_workers_shipping_one_order_at_once_capture_once(shop: Shop) -> None:
    """Both decided on the same version; the loser fails its version check before any call."""
    shop.place(NUMBER)
    shop.desk.accept(NUMBER)
    shop.desk.allocate(NUMBER)
    shop.desk.instruct_shipping(NUMBER)
    before = len(_calls(shop.fakes))
    decided = FORK.Barrier(2)

    def ship() -> tuple[str, list[tuple[str, str]], list[tuple[str, str]]]:
        desk = shop.worker_desk()
        store: Any = desk.executor.ports.store
        save, waited = store.save, list[int]()

        def save_when_both_decided(order: Order, *, expected_version: int) -> None:
            if not waited:
                waited.append(decided.wait(60))
            save(order, expected_version=expected_version)

        store.save = save_when_both_decided
        try:
            desk.ship(NUMBER, f"{NUMBER}-S1", TRACKING)
            outcome = "shipped"
        except ConcurrencyError:
            outcome = "lost"
        fakes = shop.fakes
        return outcome, _calls(fakes)[before:], [w for w in _work(fakes) if w[0] != "reserve"]

    answers = _run_workers([ship, ship])

    assert sorted(a[0] for a in answers) == ["lost", "shipped"], answers
    (winner,) = [a for a in answers if a[0] == "shipped"]
    (loser,) = [a for a in answers if a[0] == "lost"]
    assert loser[1] == []  # not one call to any provider
    captures = [key for method, key in winner[2] if method == "capture"]
    assert len(captures) == 1
    order = shop.open_store().get(NUMBER)
    assert order.status is OrderStatus.SHIPPED and not order.outbox
    assert len(order.shipments) == 1
    stock = shop.open_stock()
    assert stock.stock("TOKYO", "TEA-1").on_hand == STOCK["TOKYO", "TEA-1"] - 2  # type: ignore[attr-defined]


PENDING = 9
COMMANDED = 4


def _pending_and_commanded(shop: Shop) -> tuple[list[str], list[str]]:
    """Orders whose authorization timed out (pending, for the sweepers) and orders placed
    whole (for the commanding worker to accept and allocate)."""
    shop.fakes.gateway.fail_next("authorize", Fault.TIMEOUT_BEFORE, times=PENDING)
    pending = [f"P{n:03d}" for n in range(PENDING)]
    for number in pending:
        with pytest.raises(OutcomeUnknown):
            shop.place(number)
    commanded = [f"C{n:03d}" for n in range(COMMANDED)]
    for number in commanded:
        shop.place(number)
    return pending, commanded


def test_three_sweeping_workers_and_a_commanding_one_finish_each_order_once(shop: Shop) -> None:
    """Three workers run ``resume_pending`` while a fourth accepts and allocates other orders."""
    pending, commanded = _pending_and_commanded(shop)
    before = len(shop.fakes.gateway.work_done)
    start = FORK.Barrier(4)

    def sweep() -> tuple[list[str], list[tuple[str, str]]]:
        desk = shop.worker_desk()
        start.wait(60)
        finished = [order.number for order in desk.resume_pending(batch=2)]
        return finished, shop.fakes.gateway.work_done[before:]

    def command() -> list[str]:
        desk = shop.worker_desk()
        start.wait(60)
        for number in commanded:
            desk.accept(number)
            desk.allocate(number)
        return [desk.get(number).status.name for number in commanded]

    *sweeps, commands = _run_workers([sweep, sweep, sweep, command])

    assert commands == ["ALLOCATED"] * COMMANDED, commands
    finished = sorted(n for swept in sweeps for n in swept[0] if n in pending)
    assert finished == pending  # each pending order finished by one worker
    authorized = [key for swept in sweeps for method, key in swept[1] if method == "authorize"]
    assert len(authorized) == PENDING == len(set(authorized))  # none authorized twice
    store = shop.open_store()
    assert list(store.pending()) == []
    assert all(store.get(n).payment.authorized for n in pending)
    stock: Any = shop.open_stock()
    held = {line.sku: line.quantity * COMMANDED for line in lines()}  # reserved once per order
    assert {sku: stock.stock("TOKYO", sku).reserved for sku in held} == held


def test_a_postgres_worker_killed_inside_a_save_holds_nothing(postgres_uri: str) -> None:
    """The server rolls the dead worker's transaction back and frees the order's row."""
    conninfo = new_database(postgres_uri)
    shop = Shop(lambda: PostgresStore(conninfo), lambda: PostgresInventory(conninfo))
    placed = shop.place(NUMBER)
    inside = FORK.Event()

    def save_and_hang() -> None:
        store = PostgresStore(conninfo)

        def hang(*_: object) -> bool:
            inside.set()
            return threading.Event().wait()  # never set: killed here, inside the transaction

        store._known.holds_unchanged = hang  # type: ignore[method-assign,assignment]
        store.save(placed, expected_version=placed.version)

    worker = FORK.Process(target=save_and_hang)
    worker.start()
    assert inside.wait(60)  # its UPDATE is done, its transaction open: the row is locked
    assert worker.pid is not None
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(30)

    accepted = shop.worker_desk().accept(NUMBER)  # waits for no one

    assert accepted.status is OrderStatus.UNALLOCATED and accepted.version > placed.version
    assert shop.open_store().get(NUMBER) == accepted


def test_a_long_read_on_the_sqlite_file_does_not_stop_the_writers(tmp_path: Path) -> None:
    """A report holds one snapshot of the file (WAL) while two threads place and accept orders."""
    path = tmp_path / "shop.sqlite3"
    shop = Shop(lambda: SQLiteStore(path), lambda: SQLiteInventory(path))
    shop.place("R000")
    report = sqlite3.connect(path, isolation_level=None)
    report.execute("BEGIN")
    assert report.execute("SELECT count(*) FROM orders").fetchone() == (1,)
    start, failed = threading.Barrier(2), []

    def write(prefix: str) -> None:
        start.wait()
        try:
            for n in range(3):
                shop.desk.place(
                    number=f"{prefix}{n:03d}",
                    customer=customer(),
                    ship_to=address(),
                    lines=lines()[:1],
                    token="tok",
                )
                shop.desk.accept(f"{prefix}{n:03d}")
        except BaseException as error:
            failed.append(error)

    writers = [threading.Thread(target=write, args=(p,)) for p in "AB"]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()

    assert failed == []
    assert report.execute("SELECT count(*) FROM orders").fetchone() == (1,)  # its snapshot
    report.execute("COMMIT")
    assert report.execute("SELECT count(*) FROM orders").fetchone() == (7,)
    report.close()
    assert len(shop.desk.queue(QueueQuery.by_status(OrderStatus.UNALLOCATED))) == 6


def test_a_file_locked_by_another_program_fails_with_orderflows_error_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """Past the busy timeout, every call that writes raises StoreError; reads go on (WAL)."""
    path = tmp_path / "shop.sqlite3"
    shop = Shop(
        lambda: SQLiteStore(path, busy_timeout=0), lambda: SQLiteInventory(path, busy_timeout=0)
    )
    placed = shop.place(NUMBER)
    calls = len(_calls(shop.fakes))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a migration script, a backup tool: the write lock is taken

    attempts: dict[str, Callable[[], object]] = {
        "accept": lambda: shop.desk.accept(NUMBER),
        "cancel": lambda: shop.desk.cancel(NUMBER, reason="お客様都合"),
        "place": lambda: shop.place("1002"),
        "resume_pending": shop.desk.resume_pending,
        "receive": lambda: shop.open_stock().receive("TOKYO", "TEA-1", 1),  # type: ignore[attr-defined]
    }
    refused = {}
    for name, attempt in attempts.items():
        with pytest.raises(OrderflowError) as error:
            attempt()
        refused[name] = error.value
    assert all(isinstance(e, StoreError) for e in refused.values()), refused
    assert "database is locked" in str(refused["accept"])
    assert shop.desk.get(NUMBER) == placed  # reads go on
    assert shop.desk.queue(QueueQuery.by_status(OrderStatus.ORDERED)) == [NUMBER]
    assert len(_calls(shop.fakes)) == calls  # no provider was asked anything

    other.execute("COMMIT")
    other.close()
    assert shop.desk.accept(NUMBER).status is OrderStatus.UNALLOCATED


def test_threads_sharing_one_desk_sweep_and_command_on_one_file(tmp_path: Path) -> None:
    """One desk (one store object) for a web server's threads and two sweeping threads."""
    path = tmp_path / "shop.sqlite3"
    shop = Shop(lambda: SQLiteStore(path), lambda: SQLiteInventory(path))
    pending, commanded = _pending_and_commanded(shop)
    start = threading.Barrier(4)
    swept: list[list[str]] = [[], []]
    failed: list[BaseException] = []

    def sweep(index: int) -> None:
        start.wait()
        swept[index] = [order.number for order in shop.desk.resume_pending(batch=2)]

    def command(numbers: list[str]) -> None:
        start.wait()
        try:
            for number in numbers:
                shop.desk.accept(number)
                shop.desk.allocate(number)
        except BaseException as error:
            failed.append(error)

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(2)]
    threads += [threading.Thread(target=command, args=(commanded[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failed == []
    assert sorted(n for numbers in swept for n in numbers if n in pending) == pending
    for number in pending:  # timed out once, then asked by one worker only
        asked = [
            c for c in shop.fakes.gateway.calls_to("authorize") if (c.key or "").startswith(number)
        ]
        assert len(asked) == 2, (number, asked)
    assert list(shop.desk.executor.ports.store.pending()) == []
    statuses = {shop.desk.get(n).status for n in commanded}
    assert statuses == {OrderStatus.ALLOCATED}


def _close_while_threads_work(path: Path) -> list[str]:
    """Three threads place and accept orders while this one closes the store, again and again."""
    stock_of = {("TOKYO", sku): 1000 for sku in ("TEA-1", "MUG-1", "CAKE-1")}
    fakes = builders.shop(stock_of)
    store, stock = SQLiteStore(path), SQLiteInventory(path)
    for (warehouse, sku), units in stock_of.items():
        stock.receive(warehouse, sku, units)
    desk = desk_on(fakes, store=store, inventory=stock)
    failed: list[str] = []

    def work(prefix: str) -> None:
        try:
            for n in range(25):
                number = f"{prefix}{n:03d}"
                desk.place(
                    number=number, customer=customer(), ship_to=address(), lines=lines(), token="t"
                )
                desk.accept(number)
                desk.allocate(number)
        except BaseException as error:
            failed.append(f"{type(error).__name__}: {error}")

    workers = [threading.Thread(target=work, args=(p,)) for p in "ABC"]
    for worker in workers:
        worker.start()
    while any(worker.is_alive() for worker in workers):
        store.close()  # from another thread; the store opens new connections when used again
    for worker in workers:
        worker.join()
    return failed


def test_closing_a_sqlite_store_while_threads_use_it_does_not_crash_them(tmp_path: Path) -> None:
    """Before, close() closed the connections threads were using: the process died (SIGSEGV).

    Run in a forked child, so that the crash is the child's exit status and not pytest's.
    """
    answers = FORK.Queue()
    child = FORK.Process(
        target=lambda: answers.put(_close_while_threads_work(tmp_path / "shop.sqlite3"))
    )
    child.start()
    child.join(120)
    assert child.exitcode == 0, f"the worker died: exit status {child.exitcode}"
    assert answers.get(timeout=10) == []  # the threads' work went on, over new connections
    store = SQLiteStore(tmp_path / "shop.sqlite3")
    assert store.count(QueueQuery.by_status(OrderStatus.ALLOCATED)) == 75
