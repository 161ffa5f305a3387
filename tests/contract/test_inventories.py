"""InventoryContract against every inventory orderflow ships, and each database adapter's own rules.

The fakes (``FakeInventory``, and one that switches threads mid-reservation), ``SQLiteInventory``
on a file (and in memory) and ``PostgresInventory`` on the throw-away server of tests/postgres.py.
"""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from orderflow.errors import InvalidValue, ProviderError, StoreError
from orderflow.ports import Inventory
from orderflow.stores import MovementKind, PostgresInventory, SQLiteInventory, StockLevel
from orderflow.testing import FakeInventory
from orderflow.testing.contracts import InventoryContract

_files = itertools.count(1)


class TestFakeInventory(InventoryContract):
    def make_inventory(self, stock: dict[tuple[str, str], int]) -> Inventory:
        return FakeInventory(stock)


class _YieldingInventory(FakeInventory):
    """A FakeInventory that lets other threads run in the middle of a reservation."""

    def available(self, warehouse: str, sku: str) -> int:
        units = super().available(warehouse, sku)
        time.sleep(0.0001)
        return units


class TestFakeInventoryWithThreadSwitches(InventoryContract):
    """The contract again, with a thread switch between reading and writing the stock."""

    def make_inventory(self, stock: dict[tuple[str, str], int]) -> Inventory:
        return _YieldingInventory(stock)


def _stocked(
    inventory: SQLiteInventory | PostgresInventory,
    stock: dict[tuple[str, str], int],
    execute: Callable[[str, tuple[Any, ...]], None],
) -> None:
    for (warehouse, sku), units in stock.items():
        if units:
            inventory.receive(warehouse, sku, units, reason="contract")
        else:  # a known SKU with nothing on hand
            execute("INSERT INTO stock (warehouse, sku) VALUES ({0}, {0})", (warehouse, sku))


class TestSQLiteInventory(InventoryContract):
    @pytest.fixture(autouse=True)
    def _files(self, tmp_path: Path) -> Iterator[None]:
        self.tmp = tmp_path
        self.opened: list[SQLiteInventory] = []
        yield
        for inventory in self.opened:
            inventory.close()

    def path(self) -> str:
        return str(self.tmp / f"inventory-{next(_files)}.db")

    def make_inventory(self, stock: dict[tuple[str, str], int]) -> Inventory:
        path = self.path()
        inventory = SQLiteInventory(path)
        self.opened.append(inventory)

        def execute(sql: str, args: tuple[Any, ...]) -> None:
            with sqlite3.connect(path) as conn:
                conn.execute(sql.format("?"), args)

        _stocked(inventory, stock, execute)
        return inventory


class TestSQLiteInventoryInMemory(TestSQLiteInventory):
    """``:memory:``: one connection shared by the threads under a lock."""

    def path(self) -> str:
        return ":memory:"

    def make_inventory(self, stock: dict[tuple[str, str], int]) -> Inventory:
        inventory = SQLiteInventory(":memory:")
        self.opened.append(inventory)
        for (warehouse, sku), units in stock.items():
            if units:
                inventory.receive(warehouse, sku, units)
            else:
                inventory.adjust(warehouse, sku, 1, reason="known SKU")
                inventory.adjust(warehouse, sku, -1, reason="known SKU")
        return inventory


class TestPostgresInventory(InventoryContract):
    property_examples = 25

    @pytest.fixture(autouse=True)
    def _database(self, fresh_postgres_db: str) -> Iterator[None]:
        self.uri = fresh_postgres_db
        self.opened: list[PostgresInventory] = []
        yield
        for inventory in self.opened:
            inventory.close()

    def make_inventory(self, stock: dict[tuple[str, str], int]) -> Inventory:
        inventory = PostgresInventory(self.uri)
        self.opened.append(inventory)
        with psycopg.connect(self.uri, autocommit=True) as conn:
            conn.execute("TRUNCATE stock, stock_movements RESTART IDENTITY")

            def execute(sql: str, args: tuple[Any, ...]) -> None:
                conn.execute(sql.format("%s"), args)

            _stocked(inventory, stock, execute)
        return inventory


# -- the database adapters' own rules, on both databases --------------------------------------


class Db:
    """An inventory under test, with a raw connection to its database beside it."""

    def __init__(
        self,
        inventory: SQLiteInventory | PostgresInventory,
        raw: Callable[[str, tuple[Any, ...]], list[Any]],
        errors: type[Exception],
    ) -> None:
        self.inventory = inventory
        self.raw = raw
        self.errors = errors
        """The database driver's base error class."""


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    if request.param == "sqlite":
        path = tmp_path / "inventory.db"
        sqlite = SQLiteInventory(path)

        def raw_sqlite(sql: str, args: tuple[Any, ...]) -> list[Any]:
            with sqlite3.connect(path) as conn:
                return conn.execute(sql.replace("%s", "?"), args).fetchall()

        yield Db(sqlite, raw_sqlite, sqlite3.Error)
        sqlite.close()
    else:
        uri: str = request.getfixturevalue("fresh_postgres_db")
        postgres = PostgresInventory(uri)

        def raw_postgres(sql: str, args: tuple[Any, ...]) -> list[Any]:
            with psycopg.connect(uri, autocommit=True) as conn:
                cur = conn.execute(sql, args)
                return cur.fetchall() if cur.description else []

        yield Db(postgres, raw_postgres, psycopg.Error)
        postgres.close()


def test_the_check_constraints_refuse_negative_stock_from_plain_sql(db: Db) -> None:
    db.inventory.receive("W1", "SKU-A", 3)
    db.inventory.reserve(key="o1:1", warehouse="W1", sku="SKU-A", quantity=2)
    for change in ("reserved = on_hand + 1", "on_hand = 1", "on_hand = -1", "reserved = -1"):
        with pytest.raises(db.errors):
            db.raw(f"UPDATE stock SET {change} WHERE sku = %s", ("SKU-A",))
    assert db.inventory.stock("W1", "SKU-A") == StockLevel(on_hand=3, reserved=2)


def test_the_ledger_has_one_row_per_key(db: Db) -> None:
    inventory = db.inventory
    inventory.receive("W1", "SKU-A", 5, reason="入荷 PO-7", key="PO-7")
    inventory.receive("W1", "SKU-A", 5, reason="入荷 PO-7", key="PO-7")
    for _ in range(3):
        assert inventory.reserve(key="1001:1", warehouse="W1", sku="SKU-A", quantity=7) == 5
    with pytest.raises(ProviderError, match="1001:1"):
        inventory.reserve(key="1001:1", warehouse="W1", sku="SKU-A", quantity=1)
    for _ in range(2):
        inventory.release(key="1001:2", warehouse="W1", sku="SKU-A", quantity=1)
        inventory.commit(key="1001:3", warehouse="W1", sku="SKU-A", quantity=4)
        with pytest.raises(ProviderError, match="only 0 reserved"):
            inventory.commit(key="1001:4", warehouse="W1", sku="SKU-A", quantity=1)
    counts = db.raw("SELECT key, count(*) FROM stock_movements GROUP BY key ORDER BY key", ())
    assert [tuple(row) for row in counts] == [
        ("1001:1", 1),
        ("1001:2", 1),
        ("1001:3", 1),
        ("1001:4", 1),
        ("PO-7", 1),
    ]
    assert inventory.stock("W1", "SKU-A") == StockLevel(on_hand=1, reserved=0)
    rows = inventory.movements(order_ref="1001")
    assert [(m.kind, m.requested, m.done, m.refusal is None) for m in rows] == [
        (MovementKind.RESERVE, 7, 5, True),
        (MovementKind.RELEASE, 1, 1, True),
        (MovementKind.COMMIT, 4, 4, True),
        (MovementKind.COMMIT, 1, 0, False),
    ]
    assert {m.order_ref for m in rows} == {"1001"}
    assert all(m.at.utcoffset() is not None for m in rows)
    [receipt] = inventory.movements(warehouse="W1", sku="SKU-A")[:1]
    assert (receipt.key, receipt.reason, receipt.order_ref) == ("PO-7", "入荷 PO-7", None)
    assert inventory.movements(sku="SKU-B") == []


def test_receive_and_adjust(db: Db) -> None:
    inventory = db.inventory
    assert not inventory.knows("SKU-A")
    inventory.receive("W1", "SKU-A", 4)
    inventory.receive("W2", "SKU-A", 1)
    assert inventory.knows("SKU-A")
    inventory.reserve(key="1:1", warehouse="W1", sku="SKU-A", quantity=3)
    with pytest.raises(InvalidValue, match="reserved") as refused:
        inventory.adjust("W1", "SKU-A", -2, reason="棚卸 2026-11")
    assert refused.value.field == "delta"
    inventory.adjust("W1", "SKU-A", -1, reason="棚卸 2026-11", key="count-11")
    inventory.adjust("W1", "SKU-A", -1, reason="棚卸 2026-11", key="count-11")
    assert inventory.stock("W1", "SKU-A") == StockLevel(on_hand=3, reserved=3)
    assert inventory.available("W1", "SKU-A") == 0
    inventory.adjust("W3", "SKU-N", 2, reason="found on a shelf")
    assert inventory.available("W3", "SKU-N") == 2
    with pytest.raises(InvalidValue):
        inventory.adjust("W4", "SKU-N", -1, reason="nothing there")
    kinds = [m.kind for m in inventory.movements()]
    assert kinds.count(MovementKind.ADJUST) == 2
    assert [m.reason for m in inventory.movements(warehouse="W3")] == ["found on a shelf"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda i: i.reserve(key="k", warehouse="W1", sku="A", quantity=0), "quantity"),
        (lambda i: i.reserve(key="k", warehouse="W1", sku="A", quantity=-1), "quantity"),
        (lambda i: i.reserve(key="k", warehouse="W1", sku="A", quantity=True), "quantity"),
        (lambda i: i.reserve(key="k", warehouse="W1", sku="A", quantity="2"), "quantity"),
        (lambda i: i.reserve(key="k", warehouse="W1", sku="A", quantity=1.5), "quantity"),
        (lambda i: i.reserve(key="", warehouse="W1", sku="A", quantity=1), "key"),
        (lambda i: i.release(key=None, warehouse="W1", sku="A", quantity=1), "key"),
        (lambda i: i.commit(key="k", warehouse=" ", sku="A", quantity=1), "warehouse"),
        (lambda i: i.available("W1", None), "sku"),
        (lambda i: i.knows(""), "sku"),
        (lambda i: i.receive("W1", "A", 0), "quantity"),
        (lambda i: i.receive("W1", "A", 1, key=""), "key"),
        (lambda i: i.adjust("W1", "A", 0, reason="x"), "delta"),
        (lambda i: i.adjust("W1", "A", 1, reason=""), "reason"),
        (lambda i: i.movements(order_ref=""), "order_ref"),
        # text no database keeps (PostgreSQL refuses U+0000; no UTF-8 holds a lone surrogate):
        # before, StoreError or UnicodeEncodeError (not orderflow's), naming no field
        (lambda i: i.receive("W\x001", "A", 1), "warehouse"),
        (lambda i: i.receive("W1", "A\udcff", 1), "sku"),
        (lambda i: i.receive("W1", "A", 1, reason="入荷\x00"), "reason"),
        (lambda i: i.receive("W1", "A", 1, key="r\udcff"), "key"),
        (lambda i: i.adjust("W1", "A", 1, reason="棚卸\udcff"), "reason"),
        (lambda i: i.reserve(key="k\x00", warehouse="W1", sku="A", quantity=1), "key"),
        (lambda i: i.available("W1", "A\x00"), "sku"),
        (lambda i: i.knows("A\udcff"), "sku"),
        (lambda i: i.movements(order_ref="1001\x00"), "order_ref"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(
    db: Db, call: Callable[[Any], object], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        call(db.inventory)
    assert refused.value.field == field
    assert db.raw("SELECT count(*) FROM stock_movements", ())[0][0] == 0


def test_a_closed_inventory_raises_store_error(db: Db) -> None:
    db.inventory.close()
    with pytest.raises(StoreError):
        db.inventory.available("W1", "A")


# -- SQLite only ------------------------------------------------------------------------------


def test_sqlite_locked_beyond_the_busy_timeout_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "inventory.db"
    with SQLiteInventory(path, busy_timeout=0.05) as inventory:
        inventory.receive("W1", "A", 1)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match="reserve") as failed:
                inventory.reserve(key="1:1", warehouse="W1", sku="A", quantity=1)
            assert isinstance(failed.value.__cause__, sqlite3.OperationalError)
            assert inventory.available("W1", "A") == 1  # readers are not blocked (WAL)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert inventory.reserve(key="1:1", warehouse="W1", sku="A", quantity=1) == 1


def test_sqlite_settings_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "inventory.db"
    SQLiteInventory(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer"):
        SQLiteInventory(path)
    bad: list[tuple[str, Any]] = [("busy_timeout", -1), ("synchronous", "SOMETIMES"), ("path", "")]
    for name, value in bad:
        arguments: dict[str, Any] = {"path": tmp_path / "x.db", name: value}
        with pytest.raises(InvalidValue) as refused:
            SQLiteInventory(**arguments)
        assert refused.value.field == name
    with pytest.raises(StoreError) as failed:
        SQLiteInventory(tmp_path / "no-such-dir" / "x.db")
    assert isinstance(failed.value.__cause__, sqlite3.Error)


# -- PostgreSQL only --------------------------------------------------------------------------


def test_postgres_lock_timeout_is_a_store_error(fresh_postgres_db: str) -> None:
    with PostgresInventory(fresh_postgres_db + " options='-c lock_timeout=100'") as inventory:
        inventory.receive("W1", "A", 1)
        with psycopg.connect(fresh_postgres_db) as holder:
            holder.execute("SELECT * FROM stock FOR UPDATE")
            with pytest.raises(StoreError, match="reserve") as failed:
                inventory.reserve(key="1:1", warehouse="W1", sku="A", quantity=1)
            assert isinstance(failed.value.__cause__, psycopg.errors.LockNotAvailable)
        assert inventory.reserve(key="1:1", warehouse="W1", sku="A", quantity=1) == 1
        assert len(inventory.movements()) == 2  # the failed request left no row


def test_postgres_takes_a_connection_or_a_pool(fresh_postgres_db: str) -> None:
    with psycopg.connect(fresh_postgres_db) as conn:  # not autocommit: used idle
        inventory = PostgresInventory(conn)
        inventory.receive("W1", "A", 3)
        assert inventory.reserve(key="1:1", warehouse="W1", sku="A", quantity=2) == 2
        conn.execute("SELECT 1")  # the host left a transaction open
        with pytest.raises(StoreError, match="inside a transaction"):
            inventory.available("W1", "A")
        conn.rollback()
        inventory.close()
        assert not conn.closed  # the host's connection stays the host's

    class Pool:
        lent = 0

        @contextmanager
        def connection(self) -> Iterator[psycopg.Connection[Any]]:
            self.lent += 1
            with psycopg.connect(fresh_postgres_db) as conn:
                yield conn

    pool = Pool()
    with PostgresInventory(pool) as pooled:
        assert pooled.reserve(key="1:1", warehouse="W1", sku="A", quantity=2) == 2
        assert pooled.reserve(key="2:1", warehouse="W1", sku="A", quantity=2) == 1
        assert pooled.available("W1", "A") == 0
    assert pool.lent == 4  # the schema, two reserves, one read
    with pytest.raises(InvalidValue):
        PostgresInventory(42)  # type: ignore[arg-type]


def test_postgres_unreachable_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as failed:
        PostgresInventory(f"host={tmp_path} dbname=nothing connect_timeout=2")
    assert isinstance(failed.value.__cause__, psycopg.OperationalError)


def test_orderflow_and_sqlite_work_without_psycopg() -> None:
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "import orderflow, orderflow.stores\n"
        "from orderflow.stores import SQLiteInventory\n"
        "with SQLiteInventory(':memory:') as i: i.receive('W', 'A', 1)\n"
        "try:\n"
        "    orderflow.stores.PostgresInventory\n"
        "except ImportError:\n"
        "    print('no psycopg')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "no psycopg"
