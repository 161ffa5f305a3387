"""PostgreSQL as a shop's workers meet it: strict defaults, one connection shared, sessions ended.

A database whose ``default_transaction_isolation`` is ``serializable`` (a shop's DBA may set it),
one ``psycopg.Connection`` given to the store and to the inventory, a session the server ended
(a restart, a fail-over, ``idle_session_timeout``). The races are set up with a row lock held by
another session and the server's own view of who waits (``pg_stat_activity``), never timings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from typing import Any

import attrs
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row

from orderflow import Order, QueueQuery
from orderflow.errors import ConcurrencyError, InvalidValue, StoreError
from orderflow.stores import PostgresInventory, PostgresPurchaseOrderStore, PostgresStore
from orderflow.testing import FixedClock
from orderflow.testing.store_contracts import sample_orders

pytestmark = pytest.mark.postgres


@pytest.fixture
def admin(fresh_postgres_db: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        yield conn


def _strict(admin: psycopg.Connection[Any], level: str) -> None:
    """New sessions of the test's database begin their transactions at ``level``."""
    name = conninfo_to_dict(admin.info.dsn)["dbname"]
    admin.execute(f"ALTER DATABASE \"{name}\" SET default_transaction_isolation = '{level}'")


def _until_one_waits(admin: psycopg.Connection[Any]) -> None:
    """Return once a session of the database waits for a lock (the server says so)."""
    for _ in range(3000):
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
        if row is not None and row[0]:
            return
        time.sleep(0.01)
    raise AssertionError("no session ever waited for the lock")


def _in_a_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    said: list[object] = []

    def run() -> None:
        try:
            said.append(work())
        except Exception as failed:
            said.append(failed)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, said


def _end_sessions(admin: psycopg.Connection[Any]) -> None:
    """End every other session of the database, as a restart would, and wait till they are gone."""
    admin.execute(
        "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )


@pytest.mark.parametrize("level", ["serializable", "repeatable read"])
@pytest.mark.parametrize("given", ["conninfo", "connection"])
def test_a_save_racing_another_loses_the_version_check_on_a_strict_database(
    fresh_postgres_db: str, admin: psycopg.Connection[Any], level: str, given: str
) -> None:
    """Before, the loser got PostgreSQL's serialization error (a StoreError), not the race's.

    The desk retries a lost race (ConcurrencyError) by reloading the order; a StoreError failed
    the command, and a sweep logged it as a warning.
    """
    _strict(admin, level)
    source = fresh_postgres_db
    if given == "connection":
        source = psycopg.connect(fresh_postgres_db, autocommit=True)  # type: ignore[assignment]
    store = PostgresStore(source)
    order = sample_orders()[0]
    store.add(order)
    with psycopg.connect(fresh_postgres_db) as other:  # another worker, saving first
        other.execute("UPDATE orders SET version = version + 1 WHERE number = %s", (order.number,))
        thread, said = _in_a_thread(lambda: store.save(order, expected_version=order.version))
        _until_one_waits(admin)
        other.commit()
        thread.join()
    assert len(said) == 1 and isinstance(said[0], ConcurrencyError), said
    assert said[0].actual == order.version + 1
    store.close()


def test_a_reservation_racing_a_stock_move_on_a_serializable_database(
    fresh_postgres_db: str, admin: psycopg.Connection[Any]
) -> None:
    """Before, the reservation failed (StoreError: could not serialize access)."""
    _strict(admin, "serializable")
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        inventory = PostgresInventory(conn)
        inventory.receive("TOKYO", "TEA", 10)
        with psycopg.connect(fresh_postgres_db) as other:
            other.execute("UPDATE stock SET reserved = reserved + 1")  # another worker's 引当
            thread, said = _in_a_thread(
                lambda: inventory.reserve(key="1001:1", warehouse="TOKYO", sku="TEA", quantity=2)
            )
            _until_one_waits(admin)
            other.commit()
            thread.join()
        assert said == [2]
        assert inventory.stock("TOKYO", "TEA").reserved == 3


def test_a_store_and_an_inventory_on_one_connection_take_turns(
    fresh_postgres_db: str, admin: psycopg.Connection[Any]
) -> None:
    """One connection for both, as a small shop writes it; a desk's threads use both at once.

    Before, each object had a lock of its own: the inventory's request, begun while the store's
    save was inside its transaction, was refused (``the connection is inside a transaction``),
    or became a savepoint of the save ("transaction commit at the wrong nesting level").
    """
    order = sample_orders()[0]
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        store, inventory = PostgresStore(conn), PostgresInventory(conn)
        inventory.receive("TOKYO", "TEA", 10)
        store.add(order)
        with psycopg.connect(fresh_postgres_db) as other:
            other.execute("SELECT 1 FROM orders WHERE number = %s FOR UPDATE", (order.number,))
            saving, saved = _in_a_thread(lambda: store.save(order, expected_version=order.version))
            _until_one_waits(admin)  # the save is inside its transaction, on the shared connection
            reserving, reserved = _in_a_thread(
                lambda: inventory.reserve(key="1001:1", warehouse="TOKYO", sku="TEA", quantity=2)
            )
            reserving.join(0.5)  # before: refused at once; now it waits for the save's turn
            other.commit()
            saving.join()
            reserving.join()
        assert saved == [None]
        assert reserved == [2]
        assert store.get(order.number).version == order.version
        assert inventory.stock("TOKYO", "TEA").reserved == 2


def test_a_host_connection_the_server_ended_is_refused_as_closed(
    fresh_postgres_db: str, admin: psycopg.Connection[Any]
) -> None:
    """Before, every call after the first failure said the connection was inside a transaction."""
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        store = PostgresStore(conn)
        assert store.pending() == []
        _end_sessions(admin)
        with pytest.raises(StoreError):
            store.pending()  # the server's words: the session was ended
        with pytest.raises(StoreError, match="the connection is closed"):
            store.pending()


def test_sessions_of_its_own_the_server_ended_are_opened_anew(
    fresh_postgres_db: str, admin: psycopg.Connection[Any]
) -> None:
    """A worker idle while the database restarted goes on at its next call.

    Before, the next call of every thread failed (StoreError: terminating connection due to
    administrator command), a customer's order among them.
    """
    orders = sample_orders()
    store, inventory = PostgresStore(fresh_postgres_db), PostgresInventory(fresh_postgres_db)
    store.add(orders[0])
    inventory.receive("TOKYO", "TEA", 5)
    _end_sessions(admin)
    assert store.get(orders[0].number) == orders[0]
    assert inventory.available("TOKYO", "TEA") == 5
    _end_sessions(admin)
    store.add(orders[1])
    assert inventory.reserve(key="1002:1", warehouse="TOKYO", sku="TEA", quantity=1) == 1
    assert store.get(orders[1].number) == orders[1]
    store.close()
    inventory.close()


def test_a_session_reading_committed_pays_no_extra_statement(
    fresh_postgres_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a host's connection (or a pool's), every transaction sent SET TRANSACTION ISOLATION
    LEVEL before its work, although the session's default already read committed: a save and a
    get took four statements instead of two (a round trip each, over the network)."""
    with psycopg.connect(fresh_postgres_db, autocommit=True) as conn:
        store = PostgresStore(conn)
        order = sample_orders()[0]
        store.add(order)
        stored = store.get(order.number)
        sent: list[str] = []
        real = psycopg.Cursor.execute

        def execute(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            sent.append(str(query))
            return real(cursor, query, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", execute)
        store.save(stored, expected_version=stored.version)
        store.get(order.number)
        assert len(sent) == 2, sent


class _DictPool:
    """A host's pool whose connections give rows as dicts (``kwargs={"row_factory": dict_row}``)."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(self.conninfo, row_factory=dict_row) as conn:
            yield conn


@pytest.mark.parametrize("given", ["connection", "pool"])
def test_a_host_connection_giving_rows_as_dicts_serves_the_stores(
    fresh_postgres_db: str, given: str
) -> None:
    """A web app's connections often give dicts (``row_factory=dict_row``): before, every store
    and the inventory failed with ``KeyError: 0`` (not orderflow's) from their first query."""
    order = sample_orders()[0]
    with psycopg.connect(fresh_postgres_db, autocommit=True, row_factory=dict_row) as conn:
        source: Any = conn if given == "connection" else _DictPool(fresh_postgres_db)
        store, inventory = PostgresStore(source), PostgresInventory(source)
        purchase_orders = PostgresPurchaseOrderStore(source)
        inventory.receive("TOKYO", "TEA", 10)
        assert inventory.reserve(key="1001:1", warehouse="TOKYO", sku="TEA", quantity=2) == 2
        store.add(order)
        store.save(order, expected_version=order.version)
        assert store.get(order.number).number == order.number
        assert store.count(QueueQuery.by_status(order.status)) == 1
        assert purchase_orders.pending() == []
        assert conn.execute("SELECT 1 AS one").fetchone() == {"one": 1}  # the host's, as it was


@pytest.mark.parametrize("existing", [False, True])
def test_a_host_connection_preparing_every_statement_serves_the_stores(
    fresh_postgres_db: str, existing: bool
) -> None:
    """``prepare_threshold=0`` (psycopg prepares each statement at its first run): the stores
    made their tables with one multi-statement script, which PostgreSQL refuses to prepare, and
    failed with ``StoreError`` (cannot insert multiple commands into a prepared statement)."""
    if existing:  # tables made before: the script ran all the same
        for made in (PostgresStore, PostgresInventory, PostgresPurchaseOrderStore):
            made(fresh_postgres_db).close()
    order = sample_orders()[0]
    with psycopg.connect(fresh_postgres_db, prepare_threshold=0) as conn:
        store, inventory = PostgresStore(conn), PostgresInventory(conn)
        purchase_orders = PostgresPurchaseOrderStore(conn)
        inventory.receive("TOKYO", "TEA", 10)
        assert inventory.reserve(key="1001:1", warehouse="TOKYO", sku="TEA", quantity=2) == 2
        store.add(order)
        store.save(order, expected_version=order.version)
        assert store.get(order.number).number == order.number
        assert store.count(QueueQuery.by_status(order.status)) == 1
        assert purchase_orders.pending() == []


def _customer_named(name: str) -> Order:
    order = sample_orders()[0]
    return attrs.evolve(order, customer=attrs.evolve(order.customer, name=name))


def test_a_database_whose_sessions_speak_shift_jis_keeps_japanese_orders(
    fresh_postgres_db: str, admin: psycopg.Connection[Any]
) -> None:
    """A database set to ``client_encoding = SJIS`` for a legacy application: before, every
    order with Japanese text was stored but could not be read back (``UnicodeDecodeError``, not
    orderflow's), and a name outside Shift_JIS (髙, an emoji) was refused likewise. The store's
    own sessions speak UTF8; a host's connection that does not is refused, saying so."""
    name = conninfo_to_dict(admin.info.dsn)["dbname"]
    admin.execute(f"ALTER DATABASE \"{name}\" SET client_encoding = 'SJIS'")
    store = PostgresStore(fresh_postgres_db)
    order = _customer_named("髙橋 🍵")
    store.add(order)
    assert store.get(order.number).customer.name == "髙橋 🍵"
    with (
        psycopg.connect(fresh_postgres_db, autocommit=True) as conn,
        pytest.raises(StoreError, match=r"client_encoding is SJIS.*UTF8"),
    ):
        PostgresStore(conn).get(order.number)


def test_a_database_not_in_utf8_is_refused_before_anything_is_made(
    postgres_uri: str, admin: psycopg.Connection[Any]
) -> None:
    """Before, a store opened an ``EUC_JP`` database, took orders it could not read back and
    raised ``UnicodeEncodeError`` for names outside EUC-JP."""
    name = f"{conninfo_to_dict(admin.info.dsn)['dbname']}_euc"
    admin.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'EUC_JP' LOCALE 'C'")
    euc = make_conninfo(postgres_uri, dbname=name)
    for opening in (PostgresStore, PostgresInventory, PostgresPurchaseOrderStore):
        with pytest.raises(StoreError, match=r"EUC_JP.*UTF8"):
            opening(euc)
    with psycopg.connect(euc) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


@pytest.mark.parametrize("style", ["SQL, DMY", "German", "Postgres, MDY"])
def test_the_ledger_reads_on_a_database_whose_dates_are_not_iso(
    fresh_postgres_db: str, admin: psycopg.Connection[Any], style: str
) -> None:
    """A database set to another ``DateStyle`` (and time zone): before, ``movements()`` raised
    ``NotImplementedError`` (not orderflow's): psycopg reads only ISO dates as text."""
    name = conninfo_to_dict(admin.info.dsn)["dbname"]
    admin.execute(f"ALTER DATABASE \"{name}\" SET datestyle = '{style}'")
    admin.execute(f"ALTER DATABASE \"{name}\" SET timezone = 'Asia/Tokyo'")
    clock = FixedClock()
    inventory = PostgresInventory(fresh_postgres_db, clock=clock)
    inventory.receive("TOKYO", "TEA", 10, reason="入荷")
    (movement,) = inventory.movements("TOKYO", "TEA")
    assert movement.at == clock.now() and movement.at.utcoffset() == timedelta(0)


class _AsyncPool:
    """An asyncio pool (``psycopg_pool.AsyncConnectionPool``): ``async with pool.connection()``."""

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        raise AssertionError("never opened")
        yield


@pytest.mark.parametrize("opening", [PostgresStore, PostgresInventory, PostgresPurchaseOrderStore])
def test_an_asyncio_pool_is_refused_when_the_store_is_made(
    opening: Callable[[Any], object],
) -> None:
    """Before, it was taken, and the first query raised ``TypeError`` (not orderflow's)."""
    with pytest.raises(InvalidValue, match=r"source: .*synchronous"):
        opening(_AsyncPool())
