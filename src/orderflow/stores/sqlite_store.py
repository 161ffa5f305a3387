"""``SQLiteStore``: orders in a SQLite file, the embedded default (standard library only).

One row per order: its number, version, status, customer, time of placing, the columns the work
lists are read from, and the whole order as a JSON document (:mod:`orderflow.codec`). Open holds
are rows of ``order_holds``. A save is one transaction: the version check, the order with its
pending effects (its outbox, inside the document) and its holds.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from orderflow import codec
from orderflow.domain.order import Order
from orderflow.domain.queues import check_claim
from orderflow.errors import (
    ConcurrencyError,
    DuplicateOrder,
    OrderNotFound,
    StoreError,
)
from orderflow.stores._kept import ClaimTokens, Remembered
from orderflow.stores._sql import (
    ADDED_INDEXES,
    ADDED_TIMES,
    INDEX_VERSION,
    INDEX_VERSION_SELECT,
    ORDER_COLUMNS,
    POINTS_DUE_INDEX,
    READY_INDEX,
    REINDEX_TIMES,
    SQLITE_TYPES,
    OrderReads,
    every_row,
    guard_deposits,
    is_key,
    order_row,
    order_schema,
    reindexed_times,
    statements,
    tracking_rows,
    utc_text,
)
from orderflow.stores._sqlite import Connections

__all__ = ["SQLiteStore"]

SCHEMA_VERSION = 1
"""The version of the order tables (``orderflow_schema``, part ``orders``)."""

SCHEMA = order_schema(SQLITE_TYPES)

_MARKS = ", ".join("?" * len(ORDER_COLUMNS))
_INSERT = f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) VALUES ({_MARKS})"
_UPDATE = (
    "UPDATE orders SET "
    + ", ".join(f"{c} = ?" for c in ORDER_COLUMNS[1:])
    + " WHERE number = ? AND version = ?"
)


_INSERT_TRACKING = (
    "INSERT INTO order_tracking (carrier, tracking_number, number) VALUES (?, ?, ?) "
    "ON CONFLICT (carrier, tracking_number, number) DO NOTHING"
)


class SQLiteStore(OrderReads):
    """Orders in a SQLite file (WAL, ``synchronous=NORMAL``), from many threads and processes.

    ``SQLiteStore("shop.sqlite3")`` creates the tables if they are missing. Each thread uses its
    own connection; writes are ``BEGIN IMMEDIATE`` transactions that wait up to
    ``busy_timeout`` seconds for another writer. Decoded orders are kept by (number, version):
    a read whose row has not changed is not decoded again.
    """

    def __init__(
        self, path: str | Path, *, busy_timeout: float = 10.0, synchronous: str = "NORMAL"
    ) -> None:
        self._db = Connections(
            path,
            busy_timeout=busy_timeout,
            synchronous=synchronous,
            schema=SCHEMA,
            part="orders",
            version=SCHEMA_VERSION,
        )
        self._migrate()
        self._known = Remembered()
        self._claims = ClaimTokens()
        self._mark = "?"
        self._time = utc_text
        self._index_all()

    def _migrate(self) -> None:
        """Add the columns that tables made before them lack.

        ``points_due_at`` (NULL for their orders), then the :data:`ADDED_TIMES` (filled when
        the orders are indexed again, :data:`INDEX_VERSION` 3 to 5).
        """
        try:
            with self._db.write() as conn:
                columns = {row[1] for row in conn.execute("PRAGMA table_info(orders)")}
                if "points_due_at" not in columns:
                    conn.execute("ALTER TABLE orders ADD COLUMN points_due_at TEXT")
                for column in ADDED_TIMES:
                    if column not in columns:
                        conn.execute(f"ALTER TABLE orders ADD COLUMN {column} TEXT")
                conn.execute(POINTS_DUE_INDEX)
                for statement in statements(ADDED_INDEXES):
                    conn.execute(statement)
                for statement in statements(READY_INDEX):
                    conn.execute(statement)
        except sqlite3.Error as failed:
            raise StoreError(f"cannot upgrade the tables in {self.path!r}: {failed}") from failed

    @property
    def path(self) -> str:
        """The database file."""
        return self._db.path

    def close(self) -> None:
        """Close the connections (the store opens new ones if used again)."""
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading: OrderReads (stores/_sql.py) -------------------------------------------------

    # -- writing ---------------------------------------------------------------------------

    def add(self, order: Order) -> None:
        """Store a new order; raises :class:`~orderflow.errors.DuplicateOrder` if it exists."""
        row, codes = order_row(order, codec.dumps_text(order), utc_text)
        try:
            with self._db.write() as conn:
                conn.execute(_INSERT, row)
                conn.executemany(
                    "INSERT INTO order_holds (code, number) VALUES (?, ?)",
                    [(code, order.number) for code in codes],
                )
                conn.executemany(_INSERT_TRACKING, tracking_rows(order))
        except sqlite3.IntegrityError:
            raise self.deposit_taken(order) or DuplicateOrder(order.number) from None
        except sqlite3.Error as failed:
            raise StoreError(f"cannot add order {order.number}: {failed}") from failed
        self._known.keep(order, codes)

    def save(self, order: Order, *, expected_version: int) -> None:
        """Replace the stored order if its version is still ``expected_version``.

        One transaction: the version check, the order with its outbox, its holds. Raises
        :class:`~orderflow.errors.ConcurrencyError` when somebody else saved first.
        """
        number = order.number
        row, codes = order_row(order, codec.dumps_text(order), utc_text)
        try:
            with self._db.write() as conn:
                updated = conn.execute(_UPDATE, (*row[1:], number, expected_version)).rowcount
                if updated != 1:
                    found = conn.execute(
                        "SELECT version FROM orders WHERE number = ?", (number,)
                    ).fetchone()
                    if found is None:
                        raise OrderNotFound(number)
                    raise ConcurrencyError(number, expected_version, found[0])
                if not self._known.holds_unchanged(number, expected_version, codes):
                    conn.execute("DELETE FROM order_holds WHERE number = ?", (number,))
                    conn.executemany(
                        "INSERT INTO order_holds (code, number) VALUES (?, ?)",
                        [(code, number) for code in codes],
                    )
                if not self._known.tracking_unchanged(number, expected_version, order):
                    conn.execute("DELETE FROM order_tracking WHERE number = ?", (number,))
                    conn.executemany(_INSERT_TRACKING, tracking_rows(order))
        except sqlite3.Error as failed:
            unique = isinstance(failed, sqlite3.IntegrityError)
            taken = self.deposit_taken(order) if unique else None
            if taken is not None:  # another worker gave the same deposit to another order
                raise taken from None
            raise StoreError(f"cannot save order {number}: {failed}") from failed
        self._known.keep(order, codes)

    def claim_pending(self, *, now: datetime, lease: timedelta, limit: int = 100) -> list[str]:
        """Take up to ``limit`` orders with pending effects that nobody holds, for ``lease``.

        A worker finishing pending effects claims orders first, so that workers sharing the
        file do not drive the same order at once; a claim lapses after ``lease`` (a worker
        that died gives its orders back by itself).
        """
        check_claim(now, lease, limit)
        until = utc_text(now + lease)
        try:
            with self._db.write() as conn:
                numbers = [
                    r[0]
                    for r in conn.execute(
                        "SELECT number FROM orders WHERE pending_since IS NOT NULL "
                        "AND (claimed_until IS NULL OR claimed_until <= ?) "
                        "ORDER BY pending_since, number LIMIT ?",
                        (utc_text(now), limit),
                    )
                ]
                conn.executemany(
                    "UPDATE orders SET claimed_until = ? WHERE number = ?",
                    [(until, n) for n in numbers],
                )
        except sqlite3.Error as failed:
            raise StoreError(f"cannot claim pending orders: {failed}") from failed
        self._claims.took(numbers, until)
        return numbers

    def release_claim(self, number: str) -> None:
        """Give order ``number`` back (its worker is done with it, finished or not).

        Only the claim this store took: one that lapsed and was taken by another worker since
        stays the other's. A key no order can have (not text, a NUL) gives nothing back.
        """
        if not is_key(number):
            return
        until = self._claims.give_back(number)
        try:
            with self._db.write() as conn:
                if until is None:
                    conn.execute(
                        "UPDATE orders SET claimed_until = NULL WHERE number = ?", (number,)
                    )
                else:
                    conn.execute(
                        "UPDATE orders SET claimed_until = NULL "
                        "WHERE number = ? AND claimed_until = ?",
                        (number, until),
                    )
        except (sqlite3.Error, StoreError) as failed:
            if until is not None:  # not given back: a retry must still know it is ours
                self._claims.took([number], until)
            if isinstance(failed, StoreError):
                raise
            raise StoreError(f"cannot release order {number}: {failed}") from failed

    # -- helpers ---------------------------------------------------------------------------

    def _index_all(self) -> None:
        """Tables of an older index (or none yet): index every order's numbers again, once.

        Then a deposit is made to count on one order (:func:`guard_deposits`), if not yet.
        """
        try:
            with self._db.write() as conn:
                found = conn.execute(INDEX_VERSION_SELECT).fetchone()[0]
                if found is None or found < INDEX_VERSION:
                    conn.execute("DROP INDEX IF EXISTS order_deposits_once")
                    conn.execute("DELETE FROM order_tracking")
                    for row in every_row(conn.execute, "?"):
                        order = self._known.order(*row)
                        conn.executemany(_INSERT_TRACKING, tracking_rows(order))
                        times = reindexed_times(order, utc_text)
                        conn.execute(REINDEX_TIMES.format(mark="?"), times)
                    conn.execute("DELETE FROM order_index_version")
                    conn.execute("INSERT INTO order_index_version VALUES (?)", (INDEX_VERSION,))
                guarded = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'order_deposits_once'"
                ).fetchone()
                if guarded is None:
                    guard_deposits(conn.execute, "?", self.path)
        except sqlite3.Error as failed:
            raise StoreError(f"cannot index the orders in {self.path!r}: {failed}") from failed

    def _rows(self, sql: str, params: tuple[Any, ...] | list[Any]) -> list[Any]:
        try:
            with self._db.connection() as conn:
                return conn.execute(sql, params).fetchall()
        except sqlite3.Error as failed:
            raise StoreError(f"cannot read orders: {failed}") from failed
