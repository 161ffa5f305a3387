"""Stores and inventories on real databases: SQLite (embedded default) and PostgreSQL.

``SQLiteStore`` and ``SQLiteInventory`` need only the standard library. ``PostgresStore`` and
``PostgresInventory`` need psycopg 3, the ``postgres`` extra (``pip install -e '.[postgres]'`` in
orderflow's clone: the ``orderflow`` on PyPI is another project); they are imported
only when asked for, so a shop on SQLite never needs psycopg.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the type checker sees the classes; at run time they load on first use
    from orderflow.stores._inventory import Movement as Movement
    from orderflow.stores._inventory import StockLevel as StockLevel
    from orderflow.stores._pg_schema import postgres_schema as postgres_schema
    from orderflow.stores._stock_requests import MovementKind as MovementKind
    from orderflow.stores.postgres_inventory import PostgresInventory as PostgresInventory
    from orderflow.stores.postgres_purchase_orders import (
        PostgresPurchaseOrderStore as PostgresPurchaseOrderStore,
    )
    from orderflow.stores.postgres_store import PostgresStore as PostgresStore
    from orderflow.stores.sqlite_inventory import SQLiteInventory as SQLiteInventory
    from orderflow.stores.sqlite_purchase_orders import (
        SQLitePurchaseOrderStore as SQLitePurchaseOrderStore,
    )
    from orderflow.stores.sqlite_store import SQLiteStore as SQLiteStore

_HOMES = {
    "SQLiteStore": "orderflow.stores.sqlite_store",
    "SQLiteInventory": "orderflow.stores.sqlite_inventory",
    "PostgresStore": "orderflow.stores.postgres_store",
    "PostgresInventory": "orderflow.stores.postgres_inventory",
    "SQLitePurchaseOrderStore": "orderflow.stores.sqlite_purchase_orders",
    "PostgresPurchaseOrderStore": "orderflow.stores.postgres_purchase_orders",
    "postgres_schema": "orderflow.stores._pg_schema",
    "Movement": "orderflow.stores._inventory",
    "MovementKind": "orderflow.stores._inventory",
    "StockLevel": "orderflow.stores._inventory",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """Import a store's module the first time it is asked for (psycopg only when needed)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'orderflow.stores' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
