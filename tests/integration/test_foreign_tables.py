"""A shop's database that already has tables of orderflow's names, made by its own application.

A shop adding orderflow to its existing database may well have a table ``orders`` of its own.
The stores refuse it before making or changing anything (``StoreError`` naming the table), as
the inventories refuse another ``stock``: an ``orders`` table sharing some column names was
altered (two columns added, six indexes) and orderflow's tables were made beside it, and the
store then failed reading the shop's rows as documents (``CodecError`` on ``schema``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from orderflow.errors import StoreError
from orderflow.stores import (
    PostgresPurchaseOrderStore,
    PostgresStore,
    SQLitePurchaseOrderStore,
    SQLiteStore,
)

THEIR_ORDERS = {
    "few-columns": "orders (id INTEGER PRIMARY KEY, number TEXT, status TEXT, total INTEGER)",
    "many-columns": (
        "orders (number TEXT PRIMARY KEY, version INTEGER, status TEXT, customer_id TEXT, "
        "placed_at TEXT, final INTEGER, awaiting_method TEXT, ready_to_instruct INTEGER, "
        "instructed_at TEXT, pending_since TEXT, document TEXT, total INTEGER)"
    ),
}
ROW = {
    "few-columns": "INSERT INTO orders VALUES (1, 'A-1', 'paid', 3300)",
    "many-columns": (
        "INSERT INTO orders VALUES ('A-1', 1, 'paid', 'c1', '2024-01-01', 0, NULL, 0, NULL, "
        "NULL, '{}', 3300)"
    ),
}


def _schema(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    conn.close()
    return rows


@pytest.mark.parametrize("shape", sorted(THEIR_ORDERS))
def test_a_sqlite_store_refuses_the_shops_own_orders_table(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "shop.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE {THEIR_ORDERS[shape]}")
        conn.execute(ROW[shape])
    conn.close()
    before = _schema(path)
    with pytest.raises(StoreError, match=r"shop\.sqlite3'?: the table\(s\) orders are not orderf"):
        SQLiteStore(path)
    assert _schema(path) == before  # nothing made, nothing altered
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (0,)
    conn.close()


def test_a_sqlite_store_refuses_another_orderflow_schema_table(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orderflow_schema (name TEXT, applied TEXT)")
    conn.close()
    with pytest.raises(StoreError, match="orderflow_schema are not orderflow's"):
        SQLiteStore(path)


def test_a_sqlite_purchase_order_store_refuses_another_purchase_orders_table(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE purchase_orders (id INTEGER, supplier TEXT, final INTEGER)")
    conn.close()
    before = _schema(path)
    with pytest.raises(StoreError, match="purchase_orders are not orderflow's"):
        SQLitePurchaseOrderStore(path)
    assert _schema(path) == before


def _pg_columns(conninfo: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ).fetchall():
            found.setdefault(table, set()).add(column)
    return found


@pytest.mark.postgres
@pytest.mark.parametrize("shape", sorted(THEIR_ORDERS))
def test_a_postgres_store_refuses_the_shops_own_orders_table(
    fresh_postgres_db: str, shape: str
) -> None:
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {THEIR_ORDERS[shape]}")
        conn.execute(ROW[shape])
    before = _pg_columns(fresh_postgres_db)
    with pytest.raises(StoreError, match=r"PostgreSQL: the table\(s\) orders are not orderflow's"):
        PostgresStore(fresh_postgres_db)
    assert _pg_columns(fresh_postgres_db) == before


@pytest.mark.postgres
def test_a_postgres_purchase_order_store_refuses_another_purchase_orders_table(
    fresh_postgres_db: str,
) -> None:
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE purchase_orders (id int, supplier text)")
    before = _pg_columns(fresh_postgres_db)
    with pytest.raises(StoreError, match="purchase_orders are not orderflow's"):
        PostgresPurchaseOrderStore(fresh_postgres_db)
    assert _pg_columns(fresh_postgres_db) == before
