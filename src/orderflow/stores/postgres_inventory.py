"""``PostgresInventory``: the :class:`~orderflow.ports.Inventory` port on PostgreSQL (psycopg 3).

The same tables and behaviour as :class:`~orderflow.stores.SQLiteInventory`. Each request is one
transaction: the ledger row is inserted first (``ON CONFLICT (key) DO NOTHING``, so a concurrent
request with the same key waits for the first one and then replays its answer), then the stock
row moves with one conditional statement under its row lock.

This is the only module of orderflow that imports psycopg.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

import psycopg

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
from orderflow.stores._postgres import Connections, PoolLike, Source

__all__ = ["ConnectionSource", "PostgresInventory"]

T = TypeVar("T")
Asked = tuple[MovementKind, str, str, int]


ConnectionSource = PoolLike
"""A pool: anything with ``connection()`` lending a connection for a ``with`` block."""


_SCHEMA: tuple[str, ...] = (
    "SELECT pg_advisory_xact_lock(hashtext('orderflow.inventory.schema'))",
    "CREATE TABLE IF NOT EXISTS inventory_schema (version integer NOT NULL)",
    """CREATE TABLE IF NOT EXISTS stock (
        warehouse text NOT NULL,
        sku text NOT NULL,
        on_hand bigint NOT NULL DEFAULT 0,
        reserved bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (warehouse, sku),
        CONSTRAINT stock_on_hand_not_negative CHECK (on_hand >= 0),
        CONSTRAINT stock_reserved_not_negative CHECK (reserved >= 0),
        CONSTRAINT stock_reserved_within_on_hand CHECK (reserved <= on_hand)
    )""",
    "CREATE INDEX IF NOT EXISTS stock_sku ON stock (sku)",
    """CREATE TABLE IF NOT EXISTS stock_movements (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key text UNIQUE,
        kind text NOT NULL
            CHECK (kind IN ('receive', 'reserve', 'release', 'commit', 'adjust')),
        warehouse text NOT NULL,
        sku text NOT NULL,
        requested bigint NOT NULL,
        done bigint NOT NULL,
        reason text NOT NULL DEFAULT '',
        order_ref text,
        at timestamptz NOT NULL,
        refusal text
    )""",
    "CREATE INDEX IF NOT EXISTS stock_movements_item ON stock_movements (warehouse, sku)",
    "CREATE INDEX IF NOT EXISTS stock_movements_order ON stock_movements (order_ref)",
)

_CLAIM = (
    "INSERT INTO stock_movements "
    "(key, kind, warehouse, sku, requested, done, reason, order_ref, at) "
    "VALUES (%s, %s, %s, %s, %s, 0, %s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING id"
)
_FIRST = "SELECT kind, warehouse, sku, requested, done, refusal FROM stock_movements WHERE key = %s"
_SETTLE = "UPDATE stock_movements SET done = %s, refusal = %s WHERE id = %s"
_RESERVE = """
WITH cur AS (
    SELECT warehouse, sku, LEAST(%(q)s, on_hand - reserved) AS take
    FROM stock WHERE warehouse = %(w)s AND sku = %(s)s
    FOR UPDATE
)
UPDATE stock SET reserved = stock.reserved + cur.take
FROM cur
WHERE stock.warehouse = cur.warehouse AND stock.sku = cur.sku AND cur.take > 0
RETURNING cur.take
"""
_RELEASE = (
    "UPDATE stock SET reserved = reserved - %(q)s "
    "WHERE warehouse = %(w)s AND sku = %(s)s AND reserved >= %(q)s"
)
_COMMIT = (
    "UPDATE stock SET reserved = reserved - %(q)s, on_hand = on_hand - %(q)s "
    "WHERE warehouse = %(w)s AND sku = %(s)s AND reserved >= %(q)s"
)


class PostgresInventory:
    """Stock per (warehouse, SKU) and its movement ledger, in PostgreSQL.

    ``source`` is one of:

    - a conninfo string (``postgresql://…``): this object opens one connection per thread that
      uses it and closes them in :meth:`close`;
    - a ``psycopg.Connection``: used under a lock, one request at a time; it must not be inside a
      transaction when a request starts (autocommit, or idle); the host closes it;
    - a pool (:class:`ConnectionSource`, such as ``psycopg_pool.ConnectionPool``): a connection is
      borrowed for each request. Pooling is the host's business.

    The tables are created when missing. ``clock`` stamps the ledger's rows (UTC now by default).
    Database failures raise :class:`~orderflow.errors.StoreError` with the psycopg error chained.
    """

    def __init__(
        self,
        source: Source,
        *,
        clock: Clock | None = None,
    ) -> None:
        self._db = Connections(source, owner=type(self).__name__)
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
        return bool(self._read("knows", "SELECT 1 FROM stock WHERE sku = %s LIMIT 1", (sku,)))

    def available(self, warehouse: str, sku: str) -> int:
        """On hand less reserved; 0 for a SKU the warehouse never had."""
        return self.stock(warehouse, sku).available

    def reserve(self, *, key: str, warehouse: str, sku: str, quantity: int) -> int:
        """Reserve up to ``quantity`` units; return how many were reserved (0..quantity).

        One transaction: the ledger row claims the key, then one conditional ``UPDATE`` takes
        ``LEAST(quantity, on_hand - reserved)`` under the stock row's lock. A repeated key returns
        the first answer and moves nothing.
        """
        asked = self._asked(MovementKind.RESERVE, key, warehouse, sku, quantity)

        def work(cur: psycopg.Cursor[Any]) -> int:
            row_id = self._claim(cur, key, asked, "")
            if row_id is None:
                return self._replay(cur, key, asked)
            taken = cur.execute(_RESERVE, {"q": quantity, "w": warehouse, "s": sku}).fetchone()
            done = int(taken[0]) if taken else 0
            if done:
                cur.execute(_SETTLE, (done, None, row_id))
            return done

        return self._write("reserve", work)

    def release(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """Give ``quantity`` reserved units back; a ProviderError if fewer are reserved."""
        self._unreserve(MovementKind.RELEASE, _RELEASE, key, warehouse, sku, quantity)

    def commit(self, *, key: str, warehouse: str, sku: str, quantity: int) -> None:
        """Take ``quantity`` reserved units off on hand (they shipped); once per key."""
        self._unreserve(MovementKind.COMMIT, _COMMIT, key, warehouse, sku, quantity)

    # -- the operator's moves ---------------------------------------------------------------

    def receive(
        self, warehouse: str, sku: str, quantity: int, *, reason: str = "", key: str | None = None
    ) -> None:
        """入荷: add ``quantity`` units on hand (the SKU becomes known). Once per ``key``."""
        check_reason(reason, required=False)
        key = check_optional_key(key)
        asked = self._asked(MovementKind.RECEIVE, key, warehouse, sku, quantity)

        def work(cur: psycopg.Cursor[Any]) -> None:
            row_id = self._claim(cur, key, asked, reason)
            if row_id is None:
                self._replay(cur, key, asked)
                return
            cur.execute(
                "INSERT INTO stock (warehouse, sku, on_hand, reserved) VALUES (%s, %s, %s, 0) "
                "ON CONFLICT (warehouse, sku) "
                "DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand",
                (warehouse, sku, quantity),
            )
            cur.execute(_SETTLE, (quantity, None, row_id))

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
        asked: Asked = (MovementKind.ADJUST, warehouse, sku, delta)

        def work(cur: psycopg.Cursor[Any]) -> None:
            row_id = self._claim(cur, key, asked, reason)
            if row_id is None:
                self._replay(cur, key, asked)
                return
            moved = cur.execute(
                "UPDATE stock SET on_hand = on_hand + %(d)s "
                "WHERE warehouse = %(w)s AND sku = %(s)s AND on_hand + %(d)s >= reserved",
                {"d": delta, "w": warehouse, "s": sku},
            ).rowcount
            if not moved:
                level = cur.execute(
                    "SELECT on_hand, reserved FROM stock WHERE warehouse = %s AND sku = %s "
                    "FOR UPDATE",
                    (warehouse, sku),
                ).fetchone()
                if level is None and delta > 0:
                    cur.execute(
                        "INSERT INTO stock (warehouse, sku, on_hand, reserved) "
                        "VALUES (%s, %s, %s, 0)",
                        (warehouse, sku, delta),
                    )
                else:
                    on_hand, reserved = level or (0, 0)
                    raise InvalidValue(
                        "delta",
                        delta,
                        f"a change leaving on hand ({on_hand}) at or above the {reserved} "
                        f"reserved units of {sku}@{warehouse}",
                    )
            cur.execute(_SETTLE, (delta, None, row_id))

        self._write("adjust", work)

    def stock(self, warehouse: str, sku: str) -> StockLevel:
        """On hand and reserved units of ``sku`` in ``warehouse`` (zeros when it has none)."""
        check_text("warehouse", warehouse)
        check_text("sku", sku)
        rows = self._read(
            "stock",
            "SELECT on_hand, reserved FROM stock WHERE warehouse = %s AND sku = %s",
            (warehouse, sku),
        )
        return StockLevel(int(rows[0][0]), int(rows[0][1])) if rows else StockLevel(0, 0)

    def movements(
        self,
        warehouse: str | None = None,
        sku: str | None = None,
        order_ref: str | None = None,
    ) -> list[Movement]:
        """The ledger's rows, oldest first, filtered by whichever of the arguments are given."""
        for field, value in (("warehouse", warehouse), ("sku", sku), ("order_ref", order_ref)):
            if value is not None:
                check_text(field, value)
        rows = self._read(
            "movements",
            "SELECT id, key, kind, warehouse, sku, requested, done, reason, order_ref, at, "
            "refusal FROM stock_movements "
            "WHERE (%(w)s::text IS NULL OR warehouse = %(w)s) "
            "AND (%(s)s::text IS NULL OR sku = %(s)s) "
            "AND (%(o)s::text IS NULL OR order_ref = %(o)s) ORDER BY id",
            {"w": warehouse, "s": sku, "o": order_ref},
        )
        return [
            Movement(
                id=int(r[0]),
                key=r[1],
                kind=MovementKind(r[2]),
                warehouse=r[3],
                sku=r[4],
                requested=int(r[5]),
                done=int(r[6]),
                reason=r[7],
                order_ref=r[8],
                at=r[9].astimezone(UTC),
                refusal=r[10],
            )
            for r in rows
        ]

    # -- life cycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connections this instance opened (not a given connection or pool)."""
        self._db.close(final=True)

    def __enter__(self) -> PostgresInventory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return "PostgresInventory()"

    # -- inside ----------------------------------------------------------------------------------

    def _asked(
        self, kind: MovementKind, key: str | None, warehouse: str, sku: str, quantity: int
    ) -> Asked:
        if kind is not MovementKind.RECEIVE:
            check_key(key)
        check_text("warehouse", warehouse)
        check_text("sku", sku)
        check_units("quantity", quantity)
        return (kind, warehouse, sku, quantity)

    def _unreserve(
        self,
        kind: MovementKind,
        statement: str,
        key: str,
        warehouse: str,
        sku: str,
        quantity: int,
    ) -> None:
        asked = self._asked(kind, key, warehouse, sku, quantity)

        def work(cur: psycopg.Cursor[Any]) -> str | None:
            row_id = self._claim(cur, key, asked, "")
            if row_id is None:
                self._replay(cur, key, asked)  # raises a recorded refusal
                return None
            moved = cur.execute(statement, {"q": quantity, "w": warehouse, "s": sku}).rowcount
            refusal = None
            if not moved:
                held = cur.execute(
                    "SELECT reserved FROM stock WHERE warehouse = %s AND sku = %s",
                    (warehouse, sku),
                ).fetchone()
                refusal = (
                    f"PostgresInventory.{kind.value} {quantity} of {sku}@{warehouse} "
                    f"(key {key!r}): only {held[0] if held else 0} reserved"
                )
            cur.execute(_SETTLE, (0 if refusal else quantity, refusal, row_id))
            return refusal

        refusal = self._write(kind.value, work)
        if refusal is not None:
            raise ProviderError(refusal)

    def _claim(self, cur: psycopg.Cursor[Any], key: str | None, asked: Asked, reason: str) -> Any:
        """Insert the request's ledger row (done = 0 for now); None when the key has one."""
        kind, warehouse, sku, requested = asked
        row = cur.execute(
            _CLAIM,
            (key, kind.value, warehouse, sku, requested, reason, order_ref(key), self._now()),
        ).fetchone()
        return None if row is None else row[0]

    def _replay(self, cur: psycopg.Cursor[Any], key: str | None, asked: Asked) -> int:
        assert key is not None  # a row without a key never conflicts
        first = cur.execute(_FIRST, (key,)).fetchone()
        if first is None:  # the conflicting request rolled back between the two statements
            raise StoreError(f"{asked[0].value} {key!r}: the key's first request vanished; retry")
        kind, warehouse, sku, requested, done, refusal = first
        return replay(
            "PostgresInventory",
            key,
            asked,
            (kind, warehouse, sku, int(requested), int(done), refusal),
        )

    def _now(self) -> datetime:
        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        return now.astimezone(UTC)

    def _create_schema(self, cur: psycopg.Cursor[Any]) -> None:
        for statement in _SCHEMA:
            cur.execute(statement)
        row = cur.execute("SELECT max(version) FROM inventory_schema").fetchone()
        version = row[0] if row else None
        if version is None:
            cur.execute("INSERT INTO inventory_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        elif version > SCHEMA_VERSION:
            raise StoreError(
                f"inventory schema version {version} is newer than this orderflow's "
                f"({SCHEMA_VERSION}); upgrade orderflow"
            )

    def _run(self, what: str, work: Callable[[psycopg.Cursor[Any]], T]) -> T:
        """Run ``work`` in one transaction on a connection; psycopg errors become StoreError."""
        with self._db.transaction(what) as conn, conn.cursor() as cur:
            return work(cur)

    def _write(self, what: str, work: Callable[[psycopg.Cursor[Any]], T]) -> T:
        return self._run(what, work)

    def _read(self, what: str, sql: Any, args: Any) -> list[Any]:
        return self._run(what, lambda cur: cur.execute(sql, args).fetchall())
