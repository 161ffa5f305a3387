"""``SQLiteInventory``: the :class:`~orderflow.ports.Inventory` port on one SQLite file.

Standard library only (:mod:`sqlite3`). Safe from many threads (a connection per thread) and
many processes on one file (WAL journal, every write in a ``BEGIN IMMEDIATE`` transaction, which
holds the database's one write lock from the key's check to the ledger row).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

from orderflow.errors import InvalidValue, ProviderError, StoreError
from orderflow.ports import Clock
from orderflow.stores._inventory import (
    SCHEMA_VERSION,
    Movement,
    MovementKind,
    StockLevel,
    check_delta,
    check_key,
    check_optional_key,
    check_reason,
    check_text,
    check_units,
    order_ref,
    replay,
)
from orderflow.stores._sqlite import Connections

__all__ = ["Movement", "MovementKind", "SQLiteInventory", "StockLevel"]

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stock (
    warehouse TEXT NOT NULL,
    sku TEXT NOT NULL,
    on_hand INTEGER NOT NULL DEFAULT 0,
    reserved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (warehouse, sku),
    CHECK (on_hand >= 0),
    CHECK (reserved >= 0),
    CHECK (reserved <= on_hand)
);
CREATE INDEX IF NOT EXISTS stock_sku ON stock (sku);
CREATE TABLE IF NOT EXISTS stock_movements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('receive', 'reserve', 'release', 'commit', 'adjust')),
    warehouse TEXT NOT NULL,
    sku TEXT NOT NULL,
    requested INTEGER NOT NULL,
    done INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    order_ref TEXT,
    at TEXT NOT NULL,
    refusal TEXT
);
CREATE INDEX IF NOT EXISTS stock_movements_item ON stock_movements (warehouse, sku);
CREATE INDEX IF NOT EXISTS stock_movements_order ON stock_movements (order_ref);
"""

_FIRST = "SELECT kind, warehouse, sku, requested, done, refusal FROM stock_movements WHERE key = ?"
_LEDGER = (
    "INSERT INTO stock_movements "
    "(key, kind, warehouse, sku, requested, done, reason, order_ref, at, refusal) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class SQLiteInventory:
    """Stock per (warehouse, SKU) and its movement ledger, in one SQLite file.

    ``path`` is the database file (created with its tables when missing). ``":memory:"`` gives a
    private in-memory database: one connection shared by this object's threads under a lock (for
    tests and demos; it is gone when closed). ``busy_timeout`` is how many seconds a write waits
    for another connection's write before it fails with :class:`~orderflow.errors.StoreError`.
    ``synchronous`` is SQLite's setting (``NORMAL`` is durable in WAL mode except for the last
    transactions before a power cut). ``clock`` stamps the ledger's rows (UTC now by default).

    Several threads may share one instance; several processes each open their own on one file.
    Do not carry an instance across ``fork`` and keep using it in both processes: the child opens
    fresh connections when it notices it is another process.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = 5.0,
        synchronous: str = "NORMAL",
        clock: Clock | None = None,
    ) -> None:
        self._db = Connections(
            path,
            busy_timeout=busy_timeout,
            synchronous=synchronous,
            memory=True,
            owner=type(self).__name__,
        )
        self._clock = clock
        try:
            self._write("create the schema", self._create_schema)
        except BaseException:
            self.close()
            raise

    # -- the port ---------------------------------------------------------------------------

    def knows(self, sku: str) -> bool:
        """Whether ``sku`` has a stock row in any warehouse (it was ever received)."""
        check_text("sku", sku)
        row = self._read("knows", "SELECT 1 FROM stock WHERE sku = ? LIMIT 1", (sku,))
        return bool(row)

    def available(self, warehouse: str, sku: str) -> int:
        """On hand less reserved; 0 for a SKU the warehouse never had."""
        return self.stock(warehouse, sku).available

    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        """Reserve up to ``quantity`` units; return how many were reserved (0..quantity).

        Under the write lock, the ledger row is inserted with its answer computed in SQL from the
        stock row (``min(quantity, on_hand - reserved)``), and the stock row moves by exactly that
        with a conditional update; the CHECK constraints stand behind both. A repeated key returns
        the first answer and moves nothing.
        """
        asked = self._asked(MovementKind.RESERVE, key, warehouse, sku, quantity)

        def work(conn: sqlite3.Connection) -> int:
            inserted = conn.execute(
                "INSERT INTO stock_movements "
                "(key, kind, warehouse, sku, requested, done, reason, order_ref, at) "
                "SELECT :key, 'reserve', :w, :s, :q, coalesce(("
                "  SELECT max(0, min(:q, on_hand - reserved)) FROM stock"
                "  WHERE warehouse = :w AND sku = :s), 0), '', :ref, :at "
                "WHERE true ON CONFLICT (key) DO NOTHING RETURNING done",
                {
                    "key": key,
                    "w": warehouse,
                    "s": sku,
                    "q": quantity,
                    "ref": order_ref(key),
                    "at": self._now(),
                },
            ).fetchone()
            if inserted is None:
                return self._replay(conn, key, asked)
            done = int(inserted[0])
            if done:
                moved = conn.execute(
                    "UPDATE stock SET reserved = reserved + ? "
                    "WHERE warehouse = ? AND sku = ? AND on_hand - reserved >= ?",
                    (done, warehouse, sku, done),
                ).rowcount
                if moved != 1:  # cannot happen under the write lock; never reserve blind
                    raise StoreError(f"reserve {key!r}: the stock row moved under the write lock")
            return done

        return self._write("reserve", work)

    def release(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """Give ``quantity`` reserved units back; a ProviderError if fewer are reserved."""
        self._unreserve(MovementKind.RELEASE, key, warehouse, sku, quantity)

    def commit(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """Take ``quantity`` reserved units off on hand (they shipped); once per key."""
        self._unreserve(MovementKind.COMMIT, key, warehouse, sku, quantity)

    # -- the operator's moves ---------------------------------------------------------------

    def receive(
        self, warehouse: str, sku: str, quantity: int, *, reason: str = "", key: str | None = None
    ) -> None:
        """入荷: add ``quantity`` units on hand (the SKU becomes known). Once per ``key``."""
        check_reason(reason, required=False)
        key = check_optional_key(key)
        asked = self._asked(MovementKind.RECEIVE, key, warehouse, sku, quantity)

        def work(conn: sqlite3.Connection) -> None:
            if key is not None and (first := conn.execute(_FIRST, (key,)).fetchone()):
                replay(type(self).__name__, key, asked, first)
                return
            conn.execute(
                "INSERT INTO stock (warehouse, sku, on_hand, reserved) VALUES (?, ?, ?, 0) "
                "ON CONFLICT (warehouse, sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand",
                (warehouse, sku, quantity),
            )
            self._record(conn, key, asked, quantity, reason, None)

        self._write("receive", work)

    def adjust(
        self, warehouse: str, sku: str, delta: int, *, reason: str, key: str | None = None
    ) -> None:
        """棚卸 correction: change on hand by ``delta`` (negative takes units off).

        Refused with :class:`~orderflow.errors.InvalidValue` (and nothing written) when on hand
        would fall below the reserved units. ``reason`` is required. Once per ``key``.
        """
        check_reason(reason, required=True)
        key = check_optional_key(key)
        check_text("warehouse", warehouse)
        check_text("sku", sku)
        check_delta(delta)
        asked = (MovementKind.ADJUST, warehouse, sku, delta)

        def work(conn: sqlite3.Connection) -> None:
            if key is not None and (first := conn.execute(_FIRST, (key,)).fetchone()):
                replay(type(self).__name__, key, asked, first)
                return
            moved = conn.execute(
                "UPDATE stock SET on_hand = on_hand + ? "
                "WHERE warehouse = ? AND sku = ? AND on_hand + ? >= reserved",
                (delta, warehouse, sku, delta),
            ).rowcount
            if not moved:
                row = conn.execute(
                    "SELECT on_hand, reserved FROM stock WHERE warehouse = ? AND sku = ?",
                    (warehouse, sku),
                ).fetchone()
                if row is None and delta > 0:
                    conn.execute(
                        "INSERT INTO stock (warehouse, sku, on_hand, reserved) VALUES (?, ?, ?, 0)",
                        (warehouse, sku, delta),
                    )
                else:
                    on_hand, reserved = row or (0, 0)
                    raise InvalidValue(
                        "delta",
                        delta,
                        f"a change leaving on hand ({on_hand}) at or above the {reserved} "
                        f"reserved units of {sku}@{warehouse}",
                    )
            self._record(conn, key, asked, delta, reason, None)

        self._write("adjust", work)

    def stock(self, warehouse: str, sku: str) -> StockLevel:
        """On hand and reserved units of ``sku`` in ``warehouse`` (zeros when it has none)."""
        check_text("warehouse", warehouse)
        check_text("sku", sku)
        row = self._read(
            "stock",
            "SELECT on_hand, reserved FROM stock WHERE warehouse = ? AND sku = ?",
            (warehouse, sku),
        )
        return StockLevel(*row[0]) if row else StockLevel(0, 0)

    def movements(
        self,
        warehouse: str | None = None,
        sku: str | None = None,
        order_ref: str | None = None,
    ) -> list[Movement]:
        """The ledger's rows, oldest first, filtered by whichever of the arguments are given."""
        where: list[str] = []
        args: list[str] = []
        for column, value in (("warehouse", warehouse), ("sku", sku), ("order_ref", order_ref)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(check_text(column, value))
        rows = self._read(
            "movements",
            "SELECT id, key, kind, warehouse, sku, requested, done, reason, order_ref, at, refusal "
            "FROM stock_movements"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY id",
            tuple(args),
        )
        return [
            Movement(
                id=r[0],
                key=r[1],
                kind=MovementKind(r[2]),
                warehouse=r[3],
                sku=r[4],
                requested=r[5],
                done=r[6],
                reason=r[7],
                order_ref=r[8],
                at=datetime.fromisoformat(r[9]),
                refusal=r[10],
            )
            for r in rows
        ]

    # -- life cycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection this instance opened; later calls raise StoreError."""
        self._db.close(final=True)

    def __enter__(self) -> SQLiteInventory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return self._db.name

    # -- inside ----------------------------------------------------------------------------------

    def _asked(
        self, kind: MovementKind, key: str | None, warehouse: str, sku: str, quantity: int
    ) -> tuple[MovementKind, str, str, int]:
        if kind is not MovementKind.RECEIVE:
            check_key(key)
        check_text("warehouse", warehouse)
        check_text("sku", sku)
        check_units("quantity", quantity)
        return (kind, warehouse, sku, quantity)

    def _unreserve(
        self, kind: MovementKind, key: str, warehouse: str, sku: str, quantity: int
    ) -> None:
        asked = self._asked(kind, key, warehouse, sku, quantity)
        on_hand = ", on_hand = on_hand - :q" if kind is MovementKind.COMMIT else ""

        def work(conn: sqlite3.Connection) -> str | None:
            if first := conn.execute(_FIRST, (key,)).fetchone():
                replay(type(self).__name__, key, asked, first)  # raises a recorded refusal
                return None
            moved = conn.execute(
                f"UPDATE stock SET reserved = reserved - :q{on_hand} "
                "WHERE warehouse = :w AND sku = :s AND reserved >= :q",
                {"q": quantity, "w": warehouse, "s": sku},
            ).rowcount
            refusal = None
            if not moved:
                row = conn.execute(
                    "SELECT reserved FROM stock WHERE warehouse = ? AND sku = ?", (warehouse, sku)
                ).fetchone()
                refusal = (
                    f"{type(self).__name__}.{kind.value} {quantity} of {sku}@{warehouse} "
                    f"(key {key!r}): only {row[0] if row else 0} reserved"
                )
            self._record(conn, key, asked, 0 if refusal else quantity, "", refusal)
            return refusal

        refusal = self._write(kind.value, work)
        if refusal is not None:
            raise ProviderError(refusal)

    def _replay(
        self, conn: sqlite3.Connection, key: str, asked: tuple[MovementKind, str, str, int]
    ) -> int:
        first = conn.execute(_FIRST, (key,)).fetchone()
        return replay(type(self).__name__, key, asked, first)

    def _record(
        self,
        conn: sqlite3.Connection,
        key: str | None,
        asked: tuple[MovementKind, str, str, int],
        done: int,
        reason: str,
        refusal: str | None,
    ) -> None:
        kind, warehouse, sku, requested = asked
        conn.execute(
            _LEDGER,
            (
                key,
                kind.value,
                warehouse,
                sku,
                requested,
                done,
                reason,
                order_ref(key),
                self._now(),
                refusal,
            ),
        )

    def _now(self) -> str:
        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        return now.astimezone(UTC).isoformat()

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self._db.path}: inventory schema version {version} is newer than this "
                f"orderflow's ({SCHEMA_VERSION}); upgrade orderflow"
            )
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _read(self, what: str, sql: str, args: tuple[Any, ...]) -> list[Any]:
        with self._db.connection(what) as conn:
            return conn.execute(sql, args).fetchall()

    def _write(self, what: str, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one ``BEGIN IMMEDIATE`` transaction; roll back on any error."""
        with self._db.write(what) as conn:
            return work(conn)
