"""The stores as a shop's workers use them: threads that come and go, forked processes, files
and databases of an older orderflow or of another application, errors that must not quote data.

Multi-process tests hand over with events and assert what was stored, never timings.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from orderflow.domain.address import Customer
from orderflow.errors import OrderNotFound, StoreError
from orderflow.stores import (
    PostgresInventory,
    PostgresStore,
    SQLiteInventory,
    SQLiteStore,
)
from orderflow.testing.store_contracts import sample_orders
from tests.postgres import new_database

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and fork")


def _one_thread_after_another(work: Callable[[], object], threads: int) -> None:
    for _ in range(threads):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()


def _open_files(path: Path) -> int:
    """How many file descriptors of this process are open on ``path`` (and its -wal, -shm)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        count += target.startswith(str(path))
    return count


def _look(store: Any, inventory: Any) -> None:
    with contextlib.suppress(OrderNotFound):
        store.get("nobody")
    inventory.available("TOKYO", "TEA")


@linux
def test_sqlite_connections_of_ended_threads_are_closed(tmp_path: Path) -> None:
    """A thread per request: before, every ended thread's connections stayed open (4 files)."""
    path = tmp_path / "shop.sqlite3"
    with SQLiteStore(path) as store, SQLiteInventory(path) as inventory:
        _one_thread_after_another(lambda: _look(store, inventory), 60)
        assert _open_files(path) <= 12  # the last thread's and the main thread's (before: 240)
        _look(store, inventory)


@pytest.mark.postgres
def test_postgres_connections_of_ended_threads_are_closed(postgres_uri: str) -> None:
    """Before, each ended thread kept its sessions until the server ran out of them."""
    uri = new_database(postgres_uri)
    name = psycopg.conninfo.conninfo_to_dict(uri)["dbname"]
    with PostgresStore(uri) as store, PostgresInventory(uri) as inventory:
        _one_thread_after_another(lambda: _look(store, inventory), 40)
        with psycopg.connect(postgres_uri, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)
            ).fetchone()
        assert row is not None and row[0] <= 4


FORK = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None


@linux
def test_a_forked_childs_writes_outlive_the_parent_closing_its_store(tmp_path: Path) -> None:
    """The parent forks a worker and closes its own store and inventory; the worker goes on.

    Before, the child's new connections shared the parent's lock state left in the child: the
    parent, closing last, deleted the write-ahead log the child still wrote to, and the child's
    order and receipt were lost.
    """
    assert FORK is not None
    orders = sample_orders()
    path = tmp_path / "shop.sqlite3"
    store, inventory = SQLiteStore(path), SQLiteInventory(path)
    store.add(orders[0])
    inventory.receive("TOKYO", "TEA", 5)
    used, closed, done = FORK.Event(), FORK.Event(), FORK.Event()

    def worker() -> None:
        store.add(orders[1])
        inventory.available("TOKYO", "TEA")
        used.set()
        closed.wait(30)
        store.add(orders[2])
        inventory.receive("TOKYO", "TEA", 1)
        done.set()

    child = FORK.Process(target=worker)
    child.start()
    assert used.wait(30)
    store.close()
    inventory.close()
    closed.set()
    assert done.wait(30)
    child.join(30)
    with SQLiteStore(path) as fresh, SQLiteInventory(path) as stock:
        assert [fresh.get(o.number) for o in orders[:3]] == orders[:3]
        assert stock.stock("TOKYO", "TEA").on_hand == 6


def _in_a_child(work: Callable[[], object]) -> str:
    """Run ``work`` in a forked child; what it raised (by class), or "ok"."""
    assert FORK is not None
    answer = FORK.Queue()

    def run() -> None:
        try:
            work()
        except BaseException as failed:
            answer.put(type(failed).__name__)
        else:
            answer.put("ok")

    child = FORK.Process(target=run)
    child.start()
    said: str = answer.get(timeout=60)
    child.join(30)
    return said


@linux
@pytest.mark.postgres
def test_a_forked_child_closing_its_copy_leaves_the_parents_sessions(
    fresh_postgres_db: str,
) -> None:
    """Before, the child's close() ended the parent's sessions (the socket is shared)."""
    store, inventory = PostgresStore(fresh_postgres_db), PostgresInventory(fresh_postgres_db)
    inventory.receive("TOKYO", "TEA", 5)
    assert store.pending() == []
    assert _in_a_child(store.close) == "ok"
    assert _in_a_child(inventory.close) == "ok"
    assert store.pending() == []  # the parent's own connections still work
    assert inventory.available("TOKYO", "TEA") == 5
    assert _in_a_child(lambda: inventory.available("TOKYO", "TEA")) == "ok"  # its own
    store.close()
    inventory.close()


@linux
@pytest.mark.postgres
def test_a_host_connection_is_refused_in_a_forked_child(fresh_postgres_db: str) -> None:
    """One psycopg Connection is one session: a child must not talk over the parent's socket."""
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        store = PostgresStore(conn)
        assert _in_a_child(store.pending) == "StoreError"
        assert store.pending() == []


def test_a_sqlite_file_of_the_store_schema_2_opens(tmp_path: Path) -> None:
    """The carrier-events release kept the store's version 2 in user_version: an older file."""
    path = tmp_path / "old.sqlite3"
    orders = sample_orders()
    with SQLiteStore(path) as store:
        for order in orders:
            store.add(order)
    with sqlite3.connect(path) as conn:  # as that release left it: no parts table, version 2
        conn.execute("DROP TABLE orderflow_schema")
        conn.execute("DROP TABLE order_index_version")
        conn.execute("DROP INDEX orders_points_due")
        conn.execute("ALTER TABLE orders DROP COLUMN points_due_at")
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    with SQLiteStore(path) as store, SQLiteInventory(path) as inventory:
        assert [store.get(o.number) for o in orders] == orders
        shipped = next(o for o in orders if o.shipments and o.shipments[0].tracking_number)
        carrier, number = shipped.shipments[0].carrier, shipped.shipments[0].tracking_number
        assert number is not None
        assert shipped.number in store.orders_by_tracking(carrier, number)
        inventory.receive("TOKYO", "TEA", 1)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    conn.close()


def test_a_sqlite_inventory_refuses_another_applications_stock_table(tmp_path: Path) -> None:
    path = tmp_path / "theirs.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE stock (warehouse TEXT, sku TEXT, on_hand INTEGER, reserved INTEGER, "
            "bin TEXT)"
        )
        conn.execute("INSERT INTO stock VALUES ('TOKYO', 'TEA', 3, 0, 'A-1')")
    conn.close()
    with pytest.raises(StoreError, match="stock are not orderflow's inventory"):
        SQLiteInventory(path)
    with sqlite3.connect(path) as conn:  # nothing made in their file
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"stock"}


@pytest.mark.postgres
def test_a_postgres_inventory_refuses_another_applications_stock_table(
    fresh_postgres_db: str,
) -> None:
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE stock (warehouse text, sku text, on_hand int, reserved int, bin text)"
        )
    with pytest.raises(StoreError, match="stock are not orderflow's inventory"):
        PostgresInventory(fresh_postgres_db)
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('stock_movements')").fetchone() == (None,)


@pytest.mark.postgres
def test_postgres_errors_do_not_quote_the_order(fresh_postgres_db: str) -> None:
    """jsonb refuses a NUL; the server's context quoted the document, the customer's name."""
    from orderflow.domain._values import replace

    order = sample_orders()[1]
    # the domain refuses a NUL now; a document of an older orderflow may still hold one
    customer = replace(Customer("C1", "見本花子", "hanako@example.jp"), name="見本\x00花子")
    named = replace(order, customer=customer)
    with PostgresStore(fresh_postgres_db) as store, pytest.raises(StoreError) as refused:
        store.add(named)
    assert "見本" not in str(refused.value)
    assert "hanako" not in str(refused.value)
    assert "見本" in str(refused.value.__cause__)  # the server's words stay in the cause


def test_a_release_that_failed_and_is_retried_leaves_the_next_workers_claim(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime, timedelta

    path = tmp_path / "shop.sqlite3"
    first, second = SQLiteStore(path, busy_timeout=0), SQLiteStore(path, busy_timeout=0)
    for order in sample_orders():
        first.add(order)
    start, lease = datetime(2030, 1, 1, tzinfo=UTC), timedelta(minutes=1)
    (number, *_) = first.claim_pending(now=start, lease=lease, limit=1)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process writes: the release cannot
    with pytest.raises(StoreError):
        first.release_claim(number)
    writer.execute("COMMIT")
    writer.close()
    assert number in second.claim_pending(now=start + 2 * lease, lease=lease, limit=10)

    first.release_claim(number)  # the first worker retries its own, long lapsed, release

    third = SQLiteStore(path)
    later = start + 2 * lease + timedelta(seconds=1)
    assert number not in third.claim_pending(now=later, lease=lease, limit=10)
    for store in (first, second, third):
        store.close()


def test_an_order_an_older_orderflow_stored_with_a_nul_is_read(tmp_path: Path) -> None:
    from orderflow.codec import dumps
    from orderflow.domain._values import replace

    order = sample_orders()[0]
    named = replace(order, customer=replace(order.customer, name="見本\x00花子"))
    path = tmp_path / "old.sqlite3"
    with SQLiteStore(path) as store:
        store.add(order)
    with sqlite3.connect(path) as conn:  # as the older orderflow wrote it
        conn.execute(
            "UPDATE orders SET document = ? WHERE number = ?", (dumps(named), order.number)
        )
    conn.close()
    with SQLiteStore(path) as store:
        read = store.get(order.number)
    assert read.customer.name == "見本\ufffd花子"
    assert read.lines == order.lines


def _open_new_file(path: Path, barrier: Any, answers: Any) -> None:
    barrier.wait()
    try:
        SQLiteStore(path).close()
        SQLiteInventory(path).close()
        answers.put("ok")
    except StoreError as error:
        answers.put(f"refused: {error}")


def test_workers_opening_a_new_file_at_the_same_moment_all_open_it(tmp_path: Path) -> None:
    """Turning a new file to WAL is tried again while busy (SQLite does not wait for it)."""
    context = multiprocessing.get_context("fork")
    refused: list[str] = []
    for round_ in range(20):
        path = tmp_path / f"new-{round_}.sqlite3"
        barrier, answers = context.Barrier(8), context.Queue()
        workers = [
            context.Process(target=_open_new_file, args=(path, barrier, answers)) for _ in range(8)
        ]
        for worker in workers:
            worker.start()
        refused.extend(a for a in (answers.get(timeout=60) for _ in workers) if a != "ok")
        for worker in workers:
            worker.join()
    assert refused == []
