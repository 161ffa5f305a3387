"""Reads of a key no order can have (not text, a lone surrogate, a NUL) answer "none" alike.

A host reads the store with numbers from its own requests (``store.get(request.args["n"])``).
Such a key was ``UnicodeEncodeError`` on both engines, and PostgreSQL's ``StoreError`` (NUL, a
number) where SQLite said ``OrderNotFound``: the engines now answer as for any unknown key.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from orderflow.errors import InvalidValue, OrderNotFound
from orderflow.stores import (
    PostgresPurchaseOrderStore,
    PostgresStore,
    SQLitePurchaseOrderStore,
    SQLiteStore,
)
from orderflow.testing.store_contracts import sample_orders
from tests.postgres import new_database

ODD = ["\ud800", "a\x00b", 1001, None]


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        made: Any = SQLiteStore(tmp_path / "shop.sqlite3")
    else:
        made = PostgresStore(new_database(request.getfixturevalue("postgres_uri")))
    made.add(sample_orders()[0])
    yield made
    made.close()


@pytest.mark.parametrize("key", ODD)
def test_a_key_no_order_can_have_is_not_found(store: Any, key: Any) -> None:
    with pytest.raises(OrderNotFound):
        store.get(key)
    since = datetime(2000, 1, 1, tzinfo=UTC)
    assert store.orders_of_customer(key, since) == []
    assert store.orders_by_tracking(key, "1234") == []
    assert store.orders_by_tracking("yamato", key) == []
    store.release_claim(key)  # nothing to give back
    assert store.get(sample_orders()[0].number) == sample_orders()[0]  # the rest untouched


@pytest.mark.parametrize("key", ODD)
@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_purchase_order_key_no_order_can_have_is_not_found(
    engine: str, key: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if engine == "sqlite":
        purchases: Any = SQLitePurchaseOrderStore(tmp_path / "shop.sqlite3")
    else:
        uri = request.getfixturevalue("postgres_uri")
        purchases = PostgresPurchaseOrderStore(new_database(uri))
    with pytest.raises(OrderNotFound):
        purchases.get(key)
    purchases.close()


@pytest.mark.parametrize("since", [None, "2026-01-01", datetime(2026, 1, 1)])
def test_orders_of_a_customer_since_no_aware_moment_is_refused(store: Any, since: Any) -> None:
    """A naive ``since`` was read in the machine's zone (SQLite) or the session's (PostgreSQL),
    and ``None`` or text raised ``AttributeError``: each is ``InvalidValue`` naming ``since``."""
    with pytest.raises(InvalidValue) as refused:
        store.orders_of_customer(sample_orders()[0].customer.id, since)
    assert refused.value.field == "since"
