"""``PostgresPurchaseOrderStore``: purchase orders (発注) in PostgreSQL (the document as jsonb)."""

from __future__ import annotations

from typing import Any

import psycopg

from orderflow import codec
from orderflow.domain.purchasing import PurchaseOrder
from orderflow.errors import ConcurrencyError, DuplicateOrder, OrderNotFound, StoreError
from orderflow.stores._foreign import refuse_foreign_postgres_tables
from orderflow.stores._postgres import Connections, Source
from orderflow.stores._sql import (
    POSTGRES_TYPES,
    is_key,
    purchase_order_row,
    purchase_order_schema,
    record_schema,
    statements,
)

__all__ = ["PostgresPurchaseOrderStore"]

SCHEMA = purchase_order_schema(POSTGRES_TYPES)

SCHEMA_VERSION = 1
"""The version of the purchase-order tables (``orderflow_schema``, part ``purchase_orders``)."""


class PostgresPurchaseOrderStore:
    """Purchase orders in PostgreSQL; give a conninfo, a ``psycopg.Connection`` or a pool."""

    def __init__(self, source: Source, *, create: bool = True) -> None:
        self._db = Connections(source)
        if create:
            with self._db.transaction() as conn:
                conn.execute("SELECT pg_advisory_xact_lock(7301)")  # the tables of every part
                refuse_foreign_postgres_tables(conn.execute, "purchase_orders", SCHEMA_VERSION)
                record_schema(
                    conn.execute,
                    "%s",
                    POSTGRES_TYPES,
                    "purchase_orders",
                    SCHEMA_VERSION,
                    "PostgreSQL",
                )
                for statement in statements(SCHEMA):  # one at a time: a host's connection
                    conn.execute(statement)  # may prepare each (prepare_threshold=0)

    def close(self) -> None:
        """Close the connections the store opened itself (never the host's)."""
        self._db.close()

    def __enter__(self) -> PostgresPurchaseOrderStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, number: str) -> PurchaseOrder:
        """The purchase order ``number``; raises :class:`~orderflow.errors.OrderNotFound`."""
        if not is_key(number):  # not text, a NUL: no purchase order has it
            raise OrderNotFound(number)
        rows = self._rows("SELECT document::text FROM purchase_orders WHERE number = %s", (number,))
        if not rows:
            raise OrderNotFound(number)
        return codec.purchase_order_from_text(rows[0][0])

    def add(self, po: PurchaseOrder) -> None:
        """Store a new purchase order (:class:`~orderflow.errors.DuplicateOrder` if it exists)."""
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    "INSERT INTO purchase_orders VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb)",
                    purchase_order_row(po),
                )
        except StoreError as failed:
            if isinstance(failed.__cause__, psycopg.errors.UniqueViolation):
                raise DuplicateOrder(po.number) from None
            raise

    def save(self, po: PurchaseOrder, *, expected_version: int) -> None:
        """Replace it if its version is still ``expected_version`` (else ``ConcurrencyError``)."""
        row = purchase_order_row(po)
        with self._db.transaction() as conn:
            updated = conn.execute(
                "UPDATE purchase_orders SET version = %s, supplier = %s, status = %s, final = %s, "
                "pending = %s, document = %s::jsonb WHERE number = %s AND version = %s",
                (*row[1:], po.number, expected_version),
            ).rowcount
            if updated != 1:
                found = conn.execute(
                    "SELECT version FROM purchase_orders WHERE number = %s", (po.number,)
                ).fetchone()
                if found is None:
                    raise OrderNotFound(po.number)
                raise ConcurrencyError(po.number, expected_version, found[0])

    def open_purchase_orders(self, supplier: str | None = None) -> list[PurchaseOrder]:
        """Purchase orders not received nor cancelled (of ``supplier``), by number."""
        if supplier is None:
            rows = self._rows(
                "SELECT document::text FROM purchase_orders WHERE final = 0 ORDER BY number", ()
            )
        else:
            rows = self._rows(
                "SELECT document::text FROM purchase_orders WHERE final = 0 AND supplier = %s "
                "ORDER BY number",
                (supplier,),
            )
        return [codec.purchase_order_from_text(r[0]) for r in rows]

    def pending(self) -> list[PurchaseOrder]:
        """Purchase orders with pending effects."""
        rows = self._rows(
            "SELECT document::text FROM purchase_orders WHERE pending = 1 ORDER BY number", ()
        )
        return [codec.purchase_order_from_text(r[0]) for r in rows]

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        return self._db.read(sql, params)
