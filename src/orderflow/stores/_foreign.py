"""Tables of orderflow's names that another application made: refused before anything is made.

A shop adding orderflow to its existing database may have a table ``orders`` (or
``purchase_orders``) of its own. The stores check the columns of the tables of their part before
creating theirs and refuse (:class:`StoreError` naming the tables) what is not orderflow's,
as the inventories refuse another ``stock``; the shop's tables are left as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from orderflow.errors import StoreError
from orderflow.stores._sql import ADDED_TIMES, ORDER_TABLE

PART_TABLES: dict[str, dict[str, frozenset[str]]] = {
    "orders": {
        "orders": frozenset(name for name, _, _ in ORDER_TABLE),
        "order_holds": frozenset({"code", "number"}),
        "order_tracking": frozenset({"carrier", "tracking_number", "number"}),
        "order_index_version": frozenset({"version"}),
    },
    "purchase_orders": {
        "purchase_orders": frozenset(
            {"number", "version", "supplier", "status", "final", "pending", "document"}
        ),
    },
}
"""The columns of each part's tables: a table of the same name with others is not orderflow's."""

ADDED_COLUMNS = frozenset({"points_due_at", *ADDED_TIMES})
"""Columns of ``orders`` that tables an older orderflow made lack (the stores add them)."""


def part_tables(part: str) -> list[str]:
    """The names of the tables of ``part`` that :func:`refuse_foreign_tables` checks."""
    return ["orderflow_schema", *PART_TABLES.get(part, {})]


def refuse_foreign_tables(
    execute: Callable[..., Any],
    mark: str,
    part: str,
    version: int,
    found: Mapping[str, Collection[str]],
    where: str,
) -> None:
    """Refuse tables of ``part``'s names that another application made (StoreError).

    ``found`` gives the columns of the tables already there (a table missing: none). Called
    in the transaction that creates the tables, before anything is made, so a database holding
    a shop's own ``orders`` is left as it was. Tables a newer orderflow made (their version in
    ``orderflow_schema`` above ``version``) are left to :func:`record_schema` to refuse.
    """
    expected = {"orderflow_schema": frozenset({"part", "version"}), **PART_TABLES.get(part, {})}
    foreign = [
        table
        for table, columns in expected.items()
        if (have := set(found.get(table, ()))) and not columns - ADDED_COLUMNS <= have <= columns
    ]
    if not foreign:
        return
    if "orderflow_schema" not in foreign and found.get("orderflow_schema"):
        sql = f"SELECT version FROM orderflow_schema WHERE part = {mark}"
        row = execute(sql, (part,)).fetchone()
        if row is not None and row[0] > version:
            return  # a newer orderflow's: record_schema says to upgrade
    raise StoreError(
        f"{where}: the table(s) {', '.join(foreign)} are not orderflow's (other columns than "
        f"its {part} tables have): another application's? give orderflow a database "
        "(on PostgreSQL, a schema) of its own"
    )


def refuse_foreign_postgres_tables(execute: Callable[..., Any], part: str, version: int) -> None:
    """:func:`refuse_foreign_tables` in the current schema (``execute``: a connection's)."""
    found: dict[str, set[str]] = {}
    for table, column in execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ANY(%s)",
        (part_tables(part),),
    ).fetchall():
        found.setdefault(table, set()).add(column)
    refuse_foreign_tables(execute, "%s", part, version, found, "PostgreSQL")
