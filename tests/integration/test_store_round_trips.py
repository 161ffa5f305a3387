"""Generated orders at every status come back unchanged from SQLite and PostgreSQL.

Equal values, and the same JSON bytes when encoded again: what a store keeps is exactly the order.
The stores are opened again for every check, so the order is read back from the database (not
from the store's own memory of what it saved).
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings

from orderflow import Order, codec
from orderflow.errors import DuplicateOrder
from orderflow.ports import OrderStore
from orderflow.stores import PostgresStore, SQLiteStore
from tests.postgres import new_database
from tests.strategies import shops_orders

ROUND_TRIPS = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _check(write: OrderStore, read: OrderStore, orders: list[Order]) -> None:
    for order in orders:
        try:
            write.add(order)
        except DuplicateOrder:  # the same number drawn again in this database: save over it
            stored = write.get(order.number)
            write.save(
                attrs.evolve(order, version=stored.version + 1), expected_version=stored.version
            )
            order = attrs.evolve(order, version=stored.version + 1)
        back = read.get(order.number)
        assert back == order
        assert codec.dumps(back) == codec.dumps(order)


@ROUND_TRIPS
@given(shops_orders())
def test_sqlite_keeps_orders_unchanged(
    tmp_path_factory: pytest.TempPathFactory, orders: list[Order]
) -> None:
    path = tmp_path_factory.mktemp("rt") / "shop.sqlite3"
    with SQLiteStore(path) as write, SQLiteStore(path) as read:
        _check(write, read, orders)


@pytest.fixture(scope="module")
def postgres_db(postgres_uri: str) -> Iterator[str]:
    uri = new_database(postgres_uri)
    PostgresStore(uri).close()  # the tables, emptied by each example
    yield uri


@ROUND_TRIPS
@given(shops_orders())
def test_postgres_keeps_orders_unchanged(postgres_db: str, orders: list[Order]) -> None:
    with psycopg.connect(postgres_db, autocommit=True) as conn:  # each example its own shop:
        conn.execute("TRUNCATE orders, order_holds, order_tracking")  # deposits are per shop
    with PostgresStore(postgres_db) as write, PostgresStore(postgres_db) as read:
        _check(write, read, orders)
