"""The order store contract against SQLite (a file) and a real PostgreSQL server."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from orderflow.domain.order import Order
from orderflow.domain.queues import DEPOSIT_INDEX
from orderflow.errors import DepositTaken, StoreError
from orderflow.ports import OrderStore, TrackingLookup
from orderflow.stores import (
    PostgresPurchaseOrderStore,
    PostgresStore,
    SQLiteInventory,
    SQLitePurchaseOrderStore,
    SQLiteStore,
)
from orderflow.testing.contracts import OrderStoreContract
from orderflow.testing.store_contracts import _received, sample_orders
from tests.postgres import new_database


class TestSQLiteStore(OrderStoreContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> Iterator[None]:
        self.folder = tmp_path
        self.opened: list[SQLiteStore] = []
        yield
        for store in self.opened:
            store.close()

    def make_store(self) -> OrderStore:
        store = SQLiteStore(self.folder / f"shop{len(self.opened)}.sqlite3")
        self.opened.append(store)
        return store


@pytest.mark.postgres
class TestPostgresStore(OrderStoreContract):
    @pytest.fixture(autouse=True)
    def _server(self, postgres_uri: str) -> Iterator[None]:
        self.uri = postgres_uri
        self.opened: list[PostgresStore] = []
        yield
        for store in self.opened:
            store.close()

    def make_store(self) -> OrderStore:
        store = PostgresStore(new_database(self.uri))
        self.opened.append(store)
        return store


def test_postgres_store_refuses_a_connection_inside_a_transaction(postgres_uri: str) -> None:
    with psycopg.connect(new_database(postgres_uri)) as conn:  # not autocommit: used idle
        store = PostgresStore(conn)
        assert store.pending() == []
        conn.execute("SELECT 1")  # the host left a transaction open
        with pytest.raises(StoreError, match="inside a transaction"):
            store.pending()
        conn.rollback()
        assert store.pending() == []
        store.close()
        assert not conn.closed


SQLITE_PARTS: list[tuple[str, Callable[[Path], Any]]] = [
    ("orders", SQLiteStore),
    ("inventory", SQLiteInventory),
    ("purchase_orders", SQLitePurchaseOrderStore),
]


@pytest.mark.parametrize(("part", "opener"), SQLITE_PARTS, ids=[p for p, _ in SQLITE_PARTS])
def test_a_sqlite_file_of_a_newer_orderflow_is_refused_and_left_as_it_is(
    tmp_path: Path, part: str, opener: Callable[[Path], Any]
) -> None:
    path = tmp_path / "shop.sqlite3"
    for _, open_part in SQLITE_PARTS:  # the three parts share the file, each its version
        open_part(path).close()
    with sqlite3.connect(path) as conn:
        versions = dict(conn.execute("SELECT part, version FROM orderflow_schema").fetchall())
        assert versions == {"orders": 1, "inventory": 1, "purchase_orders": 1}
        conn.execute("UPDATE orderflow_schema SET version = 2 WHERE part = ?", (part,))
    with pytest.raises(StoreError, match=f"the {part} tables are of schema version 2, newer"):
        opener(path)
    for other, open_other in SQLITE_PARTS:
        if other != part:
            open_other(path).close()  # the other parts still open
    with sqlite3.connect(path) as conn:
        assert conn.execute(
            "SELECT version FROM orderflow_schema WHERE part = ?", (part,)
        ).fetchone() == (2,)  # not stamped back
        conn.execute("PRAGMA user_version = 7")  # a newer way of keeping versions: all refuse
    for _, open_part in SQLITE_PARTS:
        with pytest.raises(StoreError, match="format is 7, newer"):
            open_part(path)


def test_a_sqlite_file_of_before_the_parts_table_opens(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:  # as the versions before kept it: user_version 1 only
        conn.execute("DROP TABLE orderflow_schema")
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT part, version FROM orderflow_schema").fetchall() == [
            ("orders", 1)
        ]


@pytest.mark.postgres
def test_postgres_tables_of_a_newer_orderflow_are_refused(postgres_uri: str) -> None:
    uri = new_database(postgres_uri)
    PostgresStore(uri).close()
    PostgresPurchaseOrderStore(uri).close()
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute("UPDATE orderflow_schema SET version = 5")
    for opener in (PostgresStore, PostgresPurchaseOrderStore):
        with pytest.raises(StoreError, match="schema version 5, newer"):
            opener(uri)


ODD = "R'1\\$r0"
"""A deposit reference with what SQL quoting must take care of: a quote, a backslash, a $."""


def _counted_twice(store: OrderStore, drop_index: Callable[[], None]) -> list[Order]:
    """Two stored orders that both received deposit ``ODD``, as orderflow let before the index."""
    first, second = sample_orders()[:2]
    for order in (first, second):
        store.add(order)
    drop_index()
    store.save(_received(first, ODD), expected_version=first.version)
    store.save(_received(second, ODD), expected_version=second.version)
    return [first, second]


def _still_guarded(store: OrderStore, orders: list[Order]) -> None:
    first, second = (store.get(o.number) for o in orders)
    assert isinstance(store, TrackingLookup)
    assert store.orders_by_tracking(DEPOSIT_INDEX, ODD) == sorted([first.number, second.number])
    store.save(_received(first, "R-2"), expected_version=first.version)
    with pytest.raises(DepositTaken):  # every other deposit counts on one order
        store.save(_received(second, "R-2"), expected_version=second.version)


def test_a_sqlite_file_with_a_deposit_counted_twice_opens_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.sqlite3"

    def drop_index() -> None:
        with sqlite3.connect(path) as conn:
            conn.execute("DROP INDEX order_deposits_once")
        conn.close()

    with SQLiteStore(path) as store:
        orders = _counted_twice(store, drop_index)
    with caplog.at_level("WARNING", logger="orderflow.stores"), SQLiteStore(path) as store:
        _still_guarded(store, orders)
    assert f"deposit {ODD} is counted on orders" in caplog.text


@pytest.mark.postgres
def test_a_postgres_database_with_a_deposit_counted_twice_opens_and_says_so(
    postgres_uri: str, caplog: pytest.LogCaptureFixture
) -> None:
    uri = new_database(postgres_uri)

    def drop_index() -> None:
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute("DROP INDEX order_deposits_once")

    with PostgresStore(uri) as store:
        orders = _counted_twice(store, drop_index)
    with caplog.at_level("WARNING", logger="orderflow.stores"), PostgresStore(uri) as store:
        _still_guarded(store, orders)
    assert f"deposit {ODD} is counted on orders" in caplog.text


def _open_at_once(uri: str, openers: list[Callable[[str], Any]]) -> list[BaseException]:
    """Open each part on ``uri`` in its own thread, all at the same moment; what failed."""
    start = threading.Barrier(len(openers))
    failures: list[BaseException] = []

    def open_part(opener: Callable[[str], Any]) -> None:
        start.wait(timeout=30)
        try:
            opener(uri).close()
        except BaseException as failed:
            failures.append(failed)

    threads = [threading.Thread(target=open_part, args=(opener,)) for opener in openers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


@pytest.mark.postgres
def test_postgres_parts_created_at_once_do_not_collide(postgres_uri: str) -> None:
    """The order and purchase-order stores of a fresh database, started at the same moment."""
    for _ in range(5):
        uri = new_database(postgres_uri)
        assert _open_at_once(uri, [PostgresStore, PostgresPurchaseOrderStore]) == []
