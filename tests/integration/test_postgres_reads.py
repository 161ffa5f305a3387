"""A read on PostgreSQL is one round trip where the session allows it, a transaction elsewhere.

Every read was sent as ``BEGIN``, the statement and ``COMMIT``: three round trips, and a card
lifecycle made 32 transactions where 17 write (a worker spent about a fifth of its time on them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import set_json_loads

from orderflow.stores import PostgresInventory, PostgresPurchaseOrderStore, PostgresStore
from orderflow.testing.store_contracts import sample_orders

pytestmark = pytest.mark.postgres


@pytest.fixture
def begun(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """The transactions orderflow begins (``Connection.transaction``), one item each."""
    seen: list[object] = []
    real = psycopg.Connection.transaction

    def transaction(conn: psycopg.Connection[Any], *args: Any, **kwargs: Any) -> Any:
        seen.append(conn)
        return real(conn, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "transaction", transaction)
    yield seen


def test_reads_of_its_own_sessions_begin_no_transaction(
    fresh_postgres_db: str, begun: list[object]
) -> None:
    orders = sample_orders()
    store, inventory = PostgresStore(fresh_postgres_db), PostgresInventory(fresh_postgres_db)
    purchases = PostgresPurchaseOrderStore(fresh_postgres_db)
    store.add(orders[0])
    inventory.receive("TOKYO", "TEA", 5)
    begun.clear()
    assert store.get(orders[0].number) == orders[0]
    assert [o.number for o in store.orders_of_customer(orders[0].customer.id, orders[0].placed_at)]
    assert inventory.available("TOKYO", "TEA") == 5
    assert inventory.knows("TEA") and not inventory.knows("NONE")
    assert purchases.open_purchase_orders() == []
    assert begun == []
    store.save(orders[0], expected_version=orders[0].version)  # a write: its transaction
    assert len(begun) == 1
    for closing in (store, inventory, purchases):
        closing.close()


def test_a_read_on_a_session_of_another_default_reads_committed_in_a_transaction(
    fresh_postgres_db: str, begun: list[object]
) -> None:
    """A host's session whose default is ``serializable`` (a DBA's setting): its transaction."""
    name = conninfo_to_dict(fresh_postgres_db)["dbname"]
    with psycopg.connect(fresh_postgres_db, autocommit=True) as admin:
        admin.execute(
            f"ALTER DATABASE \"{name}\" SET default_transaction_isolation = 'serializable'"
        )
    order = sample_orders()[0]
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        store = PostgresStore(conn)
        store.add(order)
        begun.clear()
        assert store.get(order.number) == order
        assert begun == [conn]
    own = PostgresStore(fresh_postgres_db)  # its own sessions read committed whatever the default
    begun.clear()
    assert own.get(order.number) == order
    assert begun == []
    own.close()


def test_a_read_of_an_order_it_has_in_memory_parses_no_json(fresh_postgres_db: str) -> None:
    """The driver parsed every ``jsonb`` document it read into Python objects (100 µs for an
    order), although the store had that version in memory and threw the result away."""
    parsed: list[str] = []

    def loads(text: str | bytes) -> Any:
        parsed.append("jsonb")
        return json.loads(text)

    set_json_loads(loads)
    try:
        store = PostgresStore(fresh_postgres_db)
        order = sample_orders()[0]
        store.add(order)
        assert store.get(order.number) == order
        assert store.orders_of_customer(order.customer.id, order.placed_at) == [order]
        assert store.pending() == [o for o in [order] if o.outbox]
        assert list(store.open_orders()) == [o for o in [order] if not o.status.is_final]
        store.close()
        other = PostgresStore(fresh_postgres_db)  # nothing in memory: the text is decoded
        assert other.get(order.number) == order
        other.close()
    finally:
        set_json_loads(json.loads)
    assert parsed == []
