"""``SQLiteInventory``: the :class:`~orderflow.ports.Inventory` port on one SQLite file.

Standard library only (:mod:`sqlite3`). Safe from many threads (a connection per thread) and
many processes on one file (WAL journal, every write in a ``BEGIN IMMEDIATE`` transaction, which
holds the database's one write lock from the key's check to the ledger row).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from orderflow.errors import ProviderError, StoreError
from orderflow.ports import Clock
from orderflow.stores._inventory import (
    COLUMNS,
    SCHEMA_VERSION,
    LedgerInventory,
    Movement,
    StockLevel,
    refuse_foreign,
)
from orderflow.stores._sqlite import Connections, create_tables, foreign_tables
from orderflow.stores._stock_requests import Asked, MovementKind, each_until_refused, order_ref

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


class SQLiteInventory(LedgerInventory):
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

    _db: Connections

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

    def __repr__(self) -> str:
        return self._db.name

    # -- the SQL ---------------------------------------------------------------------------------

    def _knows(self, sku: str) -> bool:
        return bool(self._read("knows", "SELECT 1 FROM stock WHERE sku = ? LIMIT 1", (sku,)))

    def _reserve(self, requests: Sequence[tuple[str, Asked]]) -> list[int | ProviderError]:
        """One statement decides and records each answer, under the write lock.

        The ledger row is inserted with its answer computed in SQL from the stock row
        (``min(quantity, on_hand - reserved)``), and the stock row moves by exactly that with a
        conditional update; the CHECK constraints stand behind both.
        """
        return self._write(
            "reserve", lambda conn: each_until_refused(conn, self._reserve_one, requests)
        )

    def _reserve_one(self, conn: sqlite3.Connection, key: str, asked: Asked) -> int:
        _, warehouse, sku, quantity = asked
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
                "at": self._now_text(),
            },
        ).fetchone()
        if inserted is None:
            return self._replay(key, asked, conn.execute(_FIRST, (key,)).fetchone())
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

    def _unreserve(self, requests: Sequence[tuple[str, Asked]]) -> list[ProviderError | None]:
        what = requests[0][1][0].value if requests else "release"
        return self._write(
            what, lambda conn: each_until_refused(conn, self._unreserve_one, requests)
        )

    def _unreserve_one(self, conn: sqlite3.Connection, key: str, asked: Asked) -> None:
        kind, warehouse, sku, quantity = asked
        if first := conn.execute(_FIRST, (key,)).fetchone():
            self._replay(key, asked, first)  # raises a recorded refusal
            return None
        on_hand = ", on_hand = on_hand - :q" if kind is MovementKind.COMMIT else ""
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
            refusal = self._refusal(key, asked, row[0] if row else 0)
        self._record(conn, key, asked, 0 if refusal else quantity, "", refusal)
        if refusal is not None:
            raise ProviderError(refusal)  # recorded: each_until_refused keeps the transaction
        return None

    def _receive(self, key: str | None, asked: Asked, reason: str) -> None:
        _, warehouse, sku, quantity = asked

        def work(conn: sqlite3.Connection) -> None:
            if key is not None and (first := conn.execute(_FIRST, (key,)).fetchone()):
                self._replay(key, asked, first)
                return
            conn.execute(
                "INSERT INTO stock (warehouse, sku, on_hand, reserved) VALUES (?, ?, ?, 0) "
                "ON CONFLICT (warehouse, sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand",
                (warehouse, sku, quantity),
            )
            self._record(conn, key, asked, quantity, reason, None)

        self._write("receive", work)

    def _adjust(self, key: str | None, asked: Asked, reason: str) -> None:
        _, warehouse, sku, delta = asked

        def work(conn: sqlite3.Connection) -> None:
            if key is not None and (first := conn.execute(_FIRST, (key,)).fetchone()):
                self._replay(key, asked, first)
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
                if row is not None or delta < 0:
                    raise self._below_reserved(asked, *(row or (0, 0)))
                conn.execute(
                    "INSERT INTO stock (warehouse, sku, on_hand, reserved) VALUES (?, ?, ?, 0)",
                    (warehouse, sku, delta),
                )
            self._record(conn, key, asked, delta, reason, None)

        self._write("adjust", work)

    def _level(self, warehouse: str, sku: str) -> Sequence[Any] | None:
        rows = self._read(
            "stock",
            "SELECT on_hand, reserved FROM stock WHERE warehouse = ? AND sku = ?",
            (warehouse, sku),
        )
        return rows[0] if rows else None

    def _ledger(self, filters: dict[str, str]) -> list[Sequence[Any]]:
        where = " AND ".join(f"{column} = ?" for column in filters)
        return self._read(
            "movements",
            "SELECT id, key, kind, warehouse, sku, requested, done, reason, order_ref, at, refusal "
            "FROM stock_movements" + (f" WHERE {where}" if where else "") + " ORDER BY id",
            tuple(filters.values()),
        )

    @staticmethod
    def _at(value: Any) -> datetime:
        return datetime.fromisoformat(value)

    # -- inside ----------------------------------------------------------------------------------

    def _record(
        self,
        conn: sqlite3.Connection,
        key: str | None,
        asked: Asked,
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
                self._now_text(),
                refusal,
            ),
        )

    def _now_text(self) -> str:
        return self._now().isoformat()

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        refuse_foreign(self._db.path, foreign_tables(conn, COLUMNS))
        create_tables(conn, "inventory", SCHEMA_VERSION, _SCHEMA, self._db.path)

    def _read(self, what: str, sql: str, args: tuple[Any, ...]) -> list[Any]:
        with self._db.connection(what) as conn:
            return conn.execute(sql, args).fetchall()

    def _write(self, what: str, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one ``BEGIN IMMEDIATE`` transaction; roll back on any error."""
        with self._db.write(what) as conn:
            return work(conn)
