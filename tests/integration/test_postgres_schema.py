"""``postgres_schema()``: the DDL a shop's migrations run, then the stores open with create=False.

A shop whose migrations own the schema had nothing to write them from: the tables existed only
in the stores' source. The script must make exactly what the stores make themselves.
"""

from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from orderflow.stores import (
    PostgresInventory,
    PostgresPurchaseOrderStore,
    PostgresStore,
    postgres_schema,
)
from orderflow.testing import fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import TRACKING, address, customer, lines
from tests.postgres import new_database

_SHAPE = (
    "SELECT table_name, column_name, data_type, is_nullable, column_default "
    "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
)
_INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
_CHECKS = (
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = 'public'::regnamespace ORDER BY 1"
)
_VERSIONS = (
    "SELECT 'part:' || part, version FROM orderflow_schema UNION ALL "
    "SELECT 'inventory', version FROM inventory_schema UNION ALL "
    "SELECT 'index', version FROM order_index_version ORDER BY 1"
)


def _shape(uri: str) -> list[list[Any]]:
    with psycopg.connect(uri) as conn:
        return [conn.execute(q).fetchall() for q in (_SHAPE, _INDEXES, _CHECKS, _VERSIONS)]


def test_the_script_makes_what_the_stores_make(postgres_uri: str) -> None:
    made_by_stores = new_database(postgres_uri)
    for opened in (
        PostgresStore(made_by_stores),
        PostgresInventory(made_by_stores),
        PostgresPurchaseOrderStore(made_by_stores),
    ):
        opened.close()
    by_script = new_database(postgres_uri)
    with psycopg.connect(by_script, autocommit=True) as conn:
        conn.execute(postgres_schema())
        conn.execute(postgres_schema())  # twice is harmless
    assert _shape(by_script) == _shape(made_by_stores)


def test_stores_opened_with_create_false_run_a_lifecycle(postgres_uri: str) -> None:
    uri = new_database(postgres_uri)
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(postgres_schema())
    store, stock = PostgresStore(uri, create=False), PostgresInventory(uri, create=False)
    stock.receive("TOKYO", "TEA-1", 5, reason="入荷")
    for sku in ("MUG-1", "CAKE-1"):
        stock.receive("TOKYO", sku, 5, reason="入荷")
    desk = desk_on(fake_shop(), store=store, inventory=stock)
    desk.place(number="1001", customer=customer(), ship_to=address(), lines=lines(), token="t")
    desk.accept("1001")
    desk.instruct_shipping("1001")
    desk.ship("1001", "1001-S1", TRACKING)
    assert desk.get("1001").status.name == "SHIPPED"
    assert stock.stock("TOKYO", "TEA-1").on_hand == 3
    store.close()
    stock.close()


def test_a_store_in_a_schema_of_its_own_leaves_the_other_schemas_deposit_index(
    postgres_uri: str,
) -> None:
    # Shop A in ``public``, shop B in ``shop_b`` with ``public`` after it on the search path (as
    # PostgreSQL's default ``"$user", public`` gives a role with a schema of its name): opening
    # B's store dropped A's ``order_deposits_once`` (an unqualified DROP INDEX found A's), so A
    # let one deposit count on two orders until its store was opened again.
    uri = new_database(postgres_uri)
    PostgresStore(uri).close()
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA shop_b")
    PostgresStore(make_conninfo(uri, options="-c search_path=shop_b,public")).close()
    with psycopg.connect(uri) as conn:
        guarded = conn.execute(
            "SELECT schemaname FROM pg_indexes WHERE indexname = 'order_deposits_once' ORDER BY 1"
        ).fetchall()
    assert guarded == [("public",), ("shop_b",)]
