"""The PostgreSQL tables as one DDL script, for a shop whose migrations own the schema.

``PostgresStore``, ``PostgresInventory`` and ``PostgresPurchaseOrderStore`` create their tables
when they open a database; with ``create=False`` they leave that to the host, and
:func:`postgres_schema` is what the host's migration runs (Alembic's ``op.execute``, a Django
``RunSQL``, ``psql -f``): the same statements, the version rows included, safe to run twice.
"""

from __future__ import annotations

from orderflow.stores import postgres_inventory, postgres_purchase_orders, postgres_store
from orderflow.stores._inventory import SCHEMA_VERSION as INVENTORY_SCHEMA_VERSION
from orderflow.stores._sql import (
    DEPOSITS_ONCE,
    INDEX_VERSION,
    PARTS_TABLE,
    POSTGRES_TYPES,
    statements,
)

__all__ = ["postgres_schema"]


def _part(part: str, version: int) -> str:
    return (
        f"INSERT INTO orderflow_schema (part, version) VALUES ('{part}', {version}) "
        "ON CONFLICT (part) DO NOTHING"
    )


def postgres_schema() -> str:
    """The DDL of every orderflow table on PostgreSQL, with the rows saying their versions.

    Run it once in the database (and schema) the stores will use, then open them with
    ``create=False``. A later orderflow that changes a table says so in its changelog, with the
    statements to add.
    """
    parts = [
        PARTS_TABLE.format(text=POSTGRES_TYPES["text"], integer=POSTGRES_TYPES["integer"]),
        _part("orders", postgres_store.SCHEMA_VERSION),
        *statements(postgres_store.SCHEMA),
        DEPOSITS_ONCE,
        "INSERT INTO order_index_version (version) SELECT "
        f"{INDEX_VERSION} WHERE NOT EXISTS (SELECT 1 FROM order_index_version)",
        *postgres_inventory.SCHEMA,
        "INSERT INTO inventory_schema (version) SELECT "
        f"{INVENTORY_SCHEMA_VERSION} WHERE NOT EXISTS (SELECT 1 FROM inventory_schema)",
        _part("purchase_orders", postgres_purchase_orders.SCHEMA_VERSION),
        *statements(postgres_purchase_orders.SCHEMA),
    ]
    return "".join(part.strip() + ";\n" for part in parts)
