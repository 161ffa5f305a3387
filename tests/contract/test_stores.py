"""The order store contract against SQLite (a file) and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from orderflow.errors import StoreError
from orderflow.ports import OrderStore
from orderflow.stores import PostgresStore, SQLiteStore
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
