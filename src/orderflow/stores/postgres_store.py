"""``PostgresStore``: orders in PostgreSQL, for a shop on several worker processes and hosts.

The same row as :class:`~orderflow.stores.SQLiteStore` (the document as ``jsonb``, times as
``timestamptz``), a version-checked ``UPDATE`` per save, and pending orders claimed with
``FOR UPDATE SKIP LOCKED``: many workers on many hosts share ``resume_pending`` without waiting
on each other. Needs psycopg 3, the ``postgres`` extra (``pip install -e '.[postgres]'`` in
orderflow's clone).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import psycopg

from orderflow import codec
from orderflow.domain.order import Order
from orderflow.domain.queues import check_claim
from orderflow.errors import ConcurrencyError, DuplicateOrder, OrderNotFound, StoreError
from orderflow.stores._foreign import refuse_foreign_postgres_tables
from orderflow.stores._kept import ClaimTokens, Remembered
from orderflow.stores._postgres import Connections, Source
from orderflow.stores._sql import (
    ADDED_INDEXES,
    ADDED_TIMES,
    INDEX_VERSION,
    INDEX_VERSION_SELECT,
    ORDER_COLUMNS,
    POINTS_DUE_INDEX,
    POSTGRES_TYPES,
    READY_INDEX,
    REINDEX_TIMES,
    OrderReads,
    as_is,
    every_row,
    guard_deposits,
    is_key,
    order_row,
    order_schema,
    record_schema,
    reindexed_times,
    statements,
    tracking_rows,
)

__all__ = ["PostgresStore"]

SCHEMA_VERSION = 1
"""The version of the order tables (``orderflow_schema``, part ``orders``)."""

SCHEMA = (
    order_schema(POSTGRES_TYPES)
    + "ALTER TABLE orders ADD COLUMN IF NOT EXISTS points_due_at timestamptz;\n"
    + POINTS_DUE_INDEX
    + "".join(
        f"ALTER TABLE orders ADD COLUMN IF NOT EXISTS {c} timestamptz;\n" for c in ADDED_TIMES
    )
    + READY_INDEX
    + ADDED_INDEXES
)

_MARKS = ", ".join(["%s"] * (len(ORDER_COLUMNS) - 1) + ["%s::jsonb"])
_INSERT = f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) VALUES ({_MARKS})"
_UPDATE = (
    "UPDATE orders SET "
    + ", ".join(f"{c} = %s" for c in ORDER_COLUMNS[1:-1])
    + ", document = %s::jsonb WHERE number = %s AND version = %s"
)
_INSERT_TRACKING = (
    "INSERT INTO order_tracking (carrier, tracking_number, number) VALUES (%s, %s, %s) "
    "ON CONFLICT (carrier, tracking_number, number) DO NOTHING"
)

_DEPOSITS_GUARD = (
    "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE i.indrelid = 'order_tracking'::regclass AND c.relname = 'order_deposits_once'"
)
"""The schema-qualified name of ``order_deposits_once`` on this store's ``order_tracking``, if
made: not a name looked up along the search path, which found (and dropped) the index of
another shop's tables in a schema after this one's."""


class PostgresStore(OrderReads):
    """Orders in PostgreSQL; give a conninfo, a ``psycopg.Connection`` or the host's pool.

    ``PostgresStore(pool)`` creates the tables if they are missing (``create=False`` when your
    migrations own the schema). Decoded orders are kept by (number, version).
    """

    def __init__(self, source: Source, *, create: bool = True) -> None:
        self._db = Connections(source)
        if create:
            with self._db.transaction() as conn:
                conn.execute("SELECT pg_advisory_xact_lock(7301)")  # two workers starting at once
                refuse_foreign_postgres_tables(conn.execute, "orders", SCHEMA_VERSION)
                record_schema(
                    conn.execute, "%s", POSTGRES_TYPES, "orders", SCHEMA_VERSION, "PostgreSQL"
                )
                for statement in statements(SCHEMA):  # one at a time: a host's connection
                    conn.execute(statement)  # may prepare each (prepare_threshold=0)
        self._known = Remembered()
        self._claims = ClaimTokens()
        self._mark = "%s"
        self._time = as_is
        if create:
            self._index_all()

    def close(self) -> None:
        """Close the connections the store opened itself (never the host's)."""
        self._db.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading: OrderReads (stores/_sql.py) -------------------------------------------------

    # -- writing ---------------------------------------------------------------------------

    def add(self, order: Order) -> None:
        """Store a new order; raises :class:`~orderflow.errors.DuplicateOrder` if it exists."""
        row, codes = order_row(order, codec.dumps_text(order), as_is)
        try:
            with self._db.transaction() as conn:
                conn.execute(_INSERT, row)
                self._write_holds(conn, order.number, codes, fresh=True)
                self._write_tracking(conn, order, fresh=True)
        except StoreError as failed:
            if isinstance(failed.__cause__, psycopg.errors.UniqueViolation):
                raise self.deposit_taken(order) or DuplicateOrder(order.number) from None
            raise
        self._known.keep(order, codes)

    def save(self, order: Order, *, expected_version: int) -> None:
        """Replace the stored order if its version is still ``expected_version``.

        One transaction: the version-checked ``UPDATE`` (a row lock: concurrent saves of one
        order queue, and all but the first fail the check), the order with its outbox, its holds.
        """
        number = order.number
        row, codes = order_row(order, codec.dumps_text(order), as_is)
        try:
            with self._db.transaction() as conn:
                updated = conn.execute(_UPDATE, (*row[1:], number, expected_version)).rowcount
                if updated != 1:
                    found = conn.execute(
                        "SELECT version FROM orders WHERE number = %s", (number,)
                    ).fetchone()
                    if found is None:
                        raise OrderNotFound(number)
                    raise ConcurrencyError(number, expected_version, found[0])
                if not self._known.holds_unchanged(number, expected_version, codes):
                    self._write_holds(conn, number, codes, fresh=False)
                if not self._known.tracking_unchanged(number, expected_version, order):
                    self._write_tracking(conn, order, fresh=False)
        except StoreError as failed:
            taken = None
            if isinstance(failed.__cause__, psycopg.errors.UniqueViolation):
                taken = self.deposit_taken(order)  # the same deposit given to two orders at once
            if taken is None:
                raise
            raise taken from None
        self._known.keep(order, codes)

    def claim_pending(self, *, now: datetime, lease: timedelta, limit: int = 100) -> list[str]:
        """Take up to ``limit`` pending orders nobody holds, for ``lease``.

        ``FOR UPDATE SKIP LOCKED``: workers claiming at the same moment get different orders
        and never wait for each other.
        """
        check_claim(now, lease, limit)
        until = now + lease
        rows = self._changed_rows(
            "UPDATE orders SET claimed_until = %s WHERE number IN ("
            " SELECT number FROM orders WHERE pending_since IS NOT NULL"
            " AND (claimed_until IS NULL OR claimed_until <= %s)"
            " ORDER BY pending_since, number LIMIT %s FOR UPDATE SKIP LOCKED"
            ") RETURNING number",
            (until, now, limit),
        )
        numbers = sorted(r[0] for r in rows)
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
            self._changed_rows(
                "UPDATE orders SET claimed_until = NULL WHERE number = %s "
                "AND (%s::timestamptz IS NULL OR claimed_until = %s) RETURNING number",
                (number, until, until),
            )
        except StoreError:
            if until is not None:  # not given back: a retry must still know it is ours
                self._claims.took([number], until)
            raise

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _write_holds(
        conn: psycopg.Connection[Any], number: str, codes: tuple[str, ...], *, fresh: bool
    ) -> None:
        if not fresh:
            conn.execute("DELETE FROM order_holds WHERE number = %s", (number,))
        if codes:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO order_holds (code, number) VALUES (%s, %s)",
                    [(code, number) for code in codes],
                )

    @staticmethod
    def _write_tracking(conn: psycopg.Connection[Any], order: Order, *, fresh: bool) -> None:
        if not fresh:
            conn.execute("DELETE FROM order_tracking WHERE number = %s", (order.number,))
        rows = tracking_rows(order)
        if rows:
            with conn.cursor() as cur:
                cur.executemany(_INSERT_TRACKING, rows)

    def _index_all(self) -> None:
        """Tables of an older index (or none yet): index every order's numbers again, once.

        Then a deposit is made to count on one order (:func:`guard_deposits`), if not yet.
        """
        with self._db.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(7303)")  # one worker indexes
            found = conn.execute(INDEX_VERSION_SELECT).fetchone()
            if found is None or found[0] is None or found[0] < INDEX_VERSION:
                guard = conn.execute(_DEPOSITS_GUARD).fetchone()
                if guard is not None:
                    conn.execute(f"DROP INDEX {guard[0]}")
                conn.execute("DELETE FROM order_tracking")
                for row in every_row(conn.execute, "%s"):
                    order = self._known.order(*row)
                    self._write_tracking(conn, order, fresh=True)
                    times = reindexed_times(order, as_is)
                    conn.execute(REINDEX_TIMES.format(mark="%s"), times)
                conn.execute("DELETE FROM order_index_version")
                conn.execute("INSERT INTO order_index_version VALUES (%s)", (INDEX_VERSION,))
            if conn.execute(_DEPOSITS_GUARD).fetchone() is None:
                guard_deposits(conn.execute, "%s", "PostgreSQL")

    def _rows(self, sql: str, params: tuple[Any, ...] | list[Any]) -> list[Any]:
        return self._db.read(sql, params)

    def _changed_rows(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """The rows an ``UPDATE … RETURNING`` gives, in a transaction of its own (never re-sent)."""
        with self._db.transaction() as conn:
            return conn.execute(sql, params).fetchall()
