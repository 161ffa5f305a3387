"""``SQLitePurchaseOrderStore``: purchase orders (発注) in a SQLite file (may share the orders').

One row per purchase order: number, version, supplier, status, whether it is final, whether it has
pending effects, and the whole purchase order as a JSON document (:mod:`orderflow.codec`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from orderflow import codec
from orderflow.domain.purchasing import PurchaseOrder
from orderflow.errors import ConcurrencyError, DuplicateOrder, OrderNotFound, StoreError
from orderflow.stores._sql import (
    SQLITE_TYPES,
    is_key,
    purchase_order_row,
    purchase_order_schema,
)
from orderflow.stores._sqlite import Connections

__all__ = ["SQLitePurchaseOrderStore"]

SCHEMA = purchase_order_schema(SQLITE_TYPES)

SCHEMA_VERSION = 1
"""The version of the purchase-order tables (``orderflow_schema``, part ``purchase_orders``)."""


class SQLitePurchaseOrderStore:
    """Purchase orders in a SQLite file; version-checked saves, one transaction each."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 10.0) -> None:
        self._db = Connections(
            path,
            busy_timeout=busy_timeout,
            synchronous="NORMAL",
            schema=SCHEMA,
            part="purchase_orders",
            version=SCHEMA_VERSION,
        )

    def close(self) -> None:
        """Close the connections."""
        self._db.close()

    def __enter__(self) -> SQLitePurchaseOrderStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, number: str) -> PurchaseOrder:
        """The purchase order ``number``; raises :class:`~orderflow.errors.OrderNotFound`."""
        if not is_key(number):  # not text, a NUL: no purchase order has it
            raise OrderNotFound(number)
        rows = self._all("SELECT document FROM purchase_orders WHERE number = ?", (number,))
        if not rows:
            raise OrderNotFound(number)
        return codec.purchase_order_from_text(rows[0][0])

    def add(self, po: PurchaseOrder) -> None:
        """Store a new purchase order (:class:`~orderflow.errors.DuplicateOrder` if it exists)."""
        try:
            with self._db.write() as conn:
                conn.execute(
                    "INSERT INTO purchase_orders VALUES (?, ?, ?, ?, ?, ?, ?)",
                    purchase_order_row(po),
                )
        except sqlite3.IntegrityError:
            raise DuplicateOrder(po.number) from None
        except sqlite3.Error as failed:
            raise StoreError(f"cannot add purchase order {po.number}: {failed}") from failed

    def save(self, po: PurchaseOrder, *, expected_version: int) -> None:
        """Replace it if its version is still ``expected_version`` (else ``ConcurrencyError``)."""
        row = purchase_order_row(po)
        try:
            with self._db.write() as conn:
                updated = conn.execute(
                    "UPDATE purchase_orders SET version = ?, supplier = ?, status = ?, final = ?, "
                    "pending = ?, document = ? WHERE number = ? AND version = ?",
                    (*row[1:], po.number, expected_version),
                ).rowcount
                if updated != 1:
                    found = conn.execute(
                        "SELECT version FROM purchase_orders WHERE number = ?", (po.number,)
                    ).fetchone()
                    if found is None:
                        raise OrderNotFound(po.number)
                    raise ConcurrencyError(po.number, expected_version, found[0])
        except sqlite3.Error as failed:
            raise StoreError(f"cannot save purchase order {po.number}: {failed}") from failed

    def open_purchase_orders(self, supplier: str | None = None) -> list[PurchaseOrder]:
        """Purchase orders not received nor cancelled (of ``supplier``), by number."""
        params: tuple[Any, ...] = ()
        if supplier is None:
            sql = "SELECT document FROM purchase_orders WHERE final = 0"
        else:
            sql = "SELECT document FROM purchase_orders WHERE final = 0 AND supplier = ?"
            params = (supplier,)
        return self._pos(sql + " ORDER BY number", params)

    def pending(self) -> list[PurchaseOrder]:
        """Purchase orders with pending effects."""
        return self._pos("SELECT document FROM purchase_orders WHERE pending = 1 ORDER BY number")

    def _pos(self, sql: str, params: tuple[Any, ...] = ()) -> list[PurchaseOrder]:
        return [codec.purchase_order_from_text(r[0]) for r in self._all(sql, params)]

    def _all(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        try:
            with self._db.connection() as conn:
                return conn.execute(sql, params).fetchall()
        except sqlite3.Error as failed:
            raise StoreError(f"cannot read purchase orders: {failed}") from failed
