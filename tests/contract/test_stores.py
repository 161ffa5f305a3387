"""The order store contract against SQLite (a file) and a real PostgreSQL server."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from orderflow.errors import StoreError
from orderflow.ports import OrderStore
from orderflow.stores import (
    PostgresPurchaseOrderStore,
    PostgresStore,
    SQLiteInventory,
    SQLitePurchaseOrderStore,
    SQLiteStore,
)
from orderflow.testing.contracts import OrderStoreContract
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
