"""``PostgresInventory``: the :class:`~orderflow.ports.Inventory` port on PostgreSQL (psycopg 3).

The same tables and behaviour as :class:`~orderflow.stores.SQLiteInventory`. Each request is one
transaction: the ledger row is inserted first (``ON CONFLICT (key) DO NOTHING``, so a concurrent
request with the same key waits for the first one and then replays its answer), then the stock
row moves with one conditional statement under its row lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg

from orderflow.errors import ProviderError, StoreError
from orderflow.ports import Clock
from orderflow.stores._inventory import COLUMNS, SCHEMA_VERSION, LedgerInventory, refuse_foreign
from orderflow.stores._postgres import Connections, PoolLike, Source
from orderflow.stores._stock_requests import Asked, MovementKind, each_until_refused, order_ref

__all__ = ["ConnectionSource", "PostgresInventory"]

T = TypeVar("T")

ConnectionSource = PoolLike
"""A pool: anything with ``connection()`` lending a connection for a ``with`` block."""


_LOCK = "SELECT pg_advisory_xact_lock(hashtext('orderflow.inventory.schema'))"
"""Taken before the tables are made: of two processes starting at once, one creates them."""

SCHEMA: tuple[str, ...] = (
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


class PostgresInventory(LedgerInventory):
    """Stock per (warehouse, SKU) and its movement ledger, in PostgreSQL.

    ``source`` is one of:

    - a conninfo string (``postgresql://…``): this object opens one connection per thread that
      uses it and closes them in :meth:`close`;
    - a ``psycopg.Connection``: used under a lock, one request at a time; it must not be inside a
      transaction when a request starts (autocommit, or idle); the host closes it;
    - a pool (:class:`ConnectionSource`, such as ``psycopg_pool.ConnectionPool``): a connection is
      borrowed for each request. Pooling is the host's business.

    The tables are created when missing (``create=False``: your migrations made them, from
    :func:`~orderflow.stores.postgres_schema`). ``clock`` stamps the ledger's rows (UTC now by
    default).
    Database failures raise :class:`~orderflow.errors.StoreError` with the psycopg error chained.
    """

    _db: Connections

    def __init__(
        self,
        source: Source,
        *,
        clock: Clock | None = None,
        create: bool = True,
    ) -> None:
        self._db = Connections(source, owner=type(self).__name__)
        self._clock = clock
        if not create:  # the host's migrations made the tables (postgres_schema)
            return
        try:
            self._run("create the schema", self._create_schema)
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return "PostgresInventory()"

    # -- the SQL ---------------------------------------------------------------------------------

    def _knows(self, sku: str) -> bool:
        return bool(self._read("knows", "SELECT 1 FROM stock WHERE sku = %s LIMIT 1", (sku,)))

    def _reserve(self, requests: Sequence[tuple[str, Asked]]) -> list[int | ProviderError]:
        """The ledger row claims the key; one ``UPDATE`` takes ``LEAST(quantity, available)``."""

        def work(cur: psycopg.Cursor[Any]) -> list[int | ProviderError]:
            self._lock_rows(cur, requests)
            return each_until_refused(cur, self._reserve_one, requests)

        return self._run("reserve", work)

    def _reserve_one(self, cur: psycopg.Cursor[Any], key: str, asked: Asked) -> int:
        _, warehouse, sku, quantity = asked
        row_id = self._claim(cur, key, asked, "")
        if row_id is None:
            return self._replay(key, asked, cur.execute(_FIRST, (key,)).fetchone())
        taken = cur.execute(_RESERVE, {"q": quantity, "w": warehouse, "s": sku}).fetchone()
        done = int(taken[0]) if taken else 0
        if done:
            cur.execute(_SETTLE, (done, None, row_id))
        return done

    def _unreserve(self, requests: Sequence[tuple[str, Asked]]) -> list[ProviderError | None]:
        def work(cur: psycopg.Cursor[Any]) -> list[ProviderError | None]:
            self._lock_rows(cur, requests)
            return each_until_refused(cur, self._unreserve_one, requests)

        return self._run(requests[0][1][0].value if requests else "release", work)

    def _unreserve_one(self, cur: psycopg.Cursor[Any], key: str, asked: Asked) -> None:
        kind, warehouse, sku, quantity = asked
        statement = _COMMIT if kind is MovementKind.COMMIT else _RELEASE
        row_id = self._claim(cur, key, asked, "")
        if row_id is None:
            self._replay(key, asked, cur.execute(_FIRST, (key,)).fetchone())  # raises a refusal
            return None
        moved = cur.execute(statement, {"q": quantity, "w": warehouse, "s": sku}).rowcount
        refusal = None
        if not moved:
            held = cur.execute(
                "SELECT reserved FROM stock WHERE warehouse = %s AND sku = %s",
                (warehouse, sku),
            ).fetchone()
            refusal = self._refusal(key, asked, held[0] if held else 0)
        cur.execute(_SETTLE, (0 if refusal else quantity, refusal, row_id))
        if refusal is not None:
            raise ProviderError(refusal)  # recorded: each_until_refused keeps the transaction

    @staticmethod
    def _lock_rows(cur: psycopg.Cursor[Any], requests: Sequence[tuple[str, Asked]]) -> None:
        """Lock a batch's stock rows at once, in one order (warehouse, SKU) for every worker.

        Two workers' batches taking rows in their lines' order locked A then B and B then A,
        and one of them failed with PostgreSQL's deadlock error; a lone move locks one row.
        """
        rows = sorted({(asked[1], asked[2]) for _, asked in requests})
        if len(rows) > 1:
            cur.execute(
                "SELECT 1 FROM stock WHERE (warehouse, sku) IN "
                "(SELECT * FROM unnest(%s::text[], %s::text[])) "
                "ORDER BY warehouse, sku FOR UPDATE",
                ([w for w, _ in rows], [s for _, s in rows]),
            )

    def _receive(self, key: str | None, asked: Asked, reason: str) -> None:
        _, warehouse, sku, quantity = asked

        def work(cur: psycopg.Cursor[Any]) -> None:
            row_id = self._claim(cur, key, asked, reason)
            if row_id is None:
                self._replay(key, asked, cur.execute(_FIRST, (key,)).fetchone())
                return
            cur.execute(
                "INSERT INTO stock (warehouse, sku, on_hand, reserved) VALUES (%s, %s, %s, 0) "
                "ON CONFLICT (warehouse, sku) "
                "DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand",
                (warehouse, sku, quantity),
            )
            cur.execute(_SETTLE, (quantity, None, row_id))

        self._run("receive", work)

    def _adjust(self, key: str | None, asked: Asked, reason: str) -> None:
        _, warehouse, sku, delta = asked

        def work(cur: psycopg.Cursor[Any]) -> None:
            row_id = self._claim(cur, key, asked, reason)
            if row_id is None:
                self._replay(key, asked, cur.execute(_FIRST, (key,)).fetchone())
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
                if level is not None or delta < 0:
                    raise self._below_reserved(asked, *(level or (0, 0)))
                cur.execute(
                    "INSERT INTO stock (warehouse, sku, on_hand, reserved) VALUES (%s, %s, %s, 0)",
                    (warehouse, sku, delta),
                )
            cur.execute(_SETTLE, (delta, None, row_id))

        self._run("adjust", work)

    def _level(self, warehouse: str, sku: str) -> Sequence[Any] | None:
        rows = self._read(
            "stock",
            "SELECT on_hand, reserved FROM stock WHERE warehouse = %s AND sku = %s",
            (warehouse, sku),
        )
        return rows[0] if rows else None

    def _ledger(self, filters: dict[str, str]) -> list[Sequence[Any]]:
        sql = (
            "SELECT id, key, kind, warehouse, sku, requested, done, reason, order_ref, at, "
            "refusal FROM stock_movements "
            "WHERE (%(w)s::text IS NULL OR warehouse = %(w)s) "
            "AND (%(s)s::text IS NULL OR sku = %(s)s) "
            "AND (%(o)s::text IS NULL OR order_ref = %(o)s) ORDER BY id"
        )
        args = {
            "w": filters.get("warehouse"),
            "s": filters.get("sku"),
            "o": filters.get("order_ref"),
        }
        # binary rows: psycopg reads a timestamptz given as text only in the ISO DateStyle, and a
        # database may be set to another ('SQL, DMY', 'German')
        return self._run("movements", lambda cur: cur.execute(sql, args, binary=True).fetchall())

    @staticmethod
    def _at(value: datetime) -> datetime:
        return value.astimezone(UTC)

    # -- inside ----------------------------------------------------------------------------------

    def _claim(self, cur: psycopg.Cursor[Any], key: str | None, asked: Asked, reason: str) -> Any:
        """Insert the request's ledger row (done = 0 for now); None when the key has one."""
        kind, warehouse, sku, requested = asked
        row = cur.execute(
            _CLAIM,
            (key, kind.value, warehouse, sku, requested, reason, order_ref(key), self._now()),
        ).fetchone()
        return None if row is None else row[0]

    def _create_schema(self, cur: psycopg.Cursor[Any]) -> None:
        cur.execute(_LOCK)
        found: dict[str, set[str]] = {}
        for table, column in cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(%s)",
            (list(COLUMNS),),
        ).fetchall():
            found.setdefault(table, set()).add(column)
        refuse_foreign("PostgreSQL", [t for t, columns in found.items() if columns != COLUMNS[t]])
        for statement in SCHEMA:
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

    def _read(self, what: str, sql: str, args: Any) -> list[Any]:
        return self._db.read(sql, args, what)
