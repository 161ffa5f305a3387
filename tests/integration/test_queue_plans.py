"""On a SQLite file, a page of a work list reads the list's index, never every order.

And the open orders a sweep goes through are read a page at a time.

A grown shop holds tens of thousands of orders and a work list a few of them: a page (or a
count) that walks the whole ``orders`` table costs the table, not the list, however short the
list. The plans are SQLite's own (``EXPLAIN QUERY PLAN``) for the statements the store runs.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from orderflow import OrderStatus, PaymentMethod, QueueQuery
from orderflow.stores import SQLiteStore
from orderflow.stores._sql import pending_select, utc_text
from orderflow.stores._sql_queues import queue_count, queue_select
from tests.builders import place, shop

NOW = datetime(2026, 11, 23, tzinfo=UTC)
LISTS: dict[str, tuple[QueueQuery, str]] = {
    "status": (QueueQuery.by_status(OrderStatus.ALLOCATED), "orders_by_status"),
    "held": (QueueQuery.held(), "order_holds"),
    "held fraud_review": (QueueQuery.held("fraud_review"), "order_holds"),
    "awaiting payment": (QueueQuery.awaiting_payment(), "orders_awaiting"),
    "awaiting konbini": (QueueQuery.awaiting_payment(PaymentMethod.KONBINI), "orders_awaiting"),
    "ready to instruct": (QueueQuery.ready_to_instruct(NOW), "orders_ready_until"),
    "not shipped": (QueueQuery.not_shipped(NOW), "orders_instructed"),
    "stuck": (QueueQuery.stuck(NOW), "orders_pending"),
    "points due": (QueueQuery.points_due(NOW), "orders_points_due"),
    "deadlines": (QueueQuery.deadlines(NOW), "orders_deadlines"),
    "booked since": (QueueQuery.booked_since(NOW), "orders_booked_changed"),
}


def _plan(path: Path, sql: str, params: list[object] | tuple[object, ...]) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    finally:
        conn.close()


def _walks_orders(step: str) -> bool:
    """A step reading every order: a scan of the table or of its key, or a walk of its key.

    A scan of a partial index (the ready orders alone) reads the list, not the table.
    """
    key = "sqlite_autoindex_orders_1"
    return step in ("SCAN o", "SCAN orders") or (
        key in step and (step.startswith("SCAN") or "(number>?)" in step)
    )


@pytest.fixture
def shop_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.sqlite3"
    SQLiteStore(path).close()
    return path


@pytest.mark.parametrize("after", [None, "1000"])
@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_page_of_a_work_list_reads_its_index(shop_file: Path, name: str, after: str) -> None:
    query, index = LISTS[name]
    plan = _plan(shop_file, *queue_select(query, after, 100, "?", utc_text))
    assert not any(_walks_orders(step) for step in plan), plan
    assert any(index in step for step in plan), plan


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_count_of_a_work_list_reads_its_index(shop_file: Path, name: str) -> None:
    query, index = LISTS[name]
    plan = _plan(shop_file, *queue_count(query, "?", utc_text))
    assert not any(_walks_orders(step) for step in plan), plan
    assert any(index in step for step in plan), plan


def test_the_orders_with_pending_effects_are_read_off_their_index(shop_file: Path) -> None:
    plan = _plan(shop_file, pending_select("?"), ())
    assert not any(_walks_orders(step) for step in plan), plan
    assert any("orders_pending" in step for step in plan), plan


def test_the_open_orders_are_read_a_page_at_a_time(shop_file: Path) -> None:
    # a sweep goes through every open order once: a grown shop's 18,000 open orders were read
    # and decoded in one list (199 MB at their peak) before the first was looked at
    s = shop()
    for n in range(5):
        place(s, f"100{n}")
    s.desk.cancel("1002", reason="お客様都合")
    store = SQLiteStore(shop_file)
    for order in s.store.orders.values():
        store.add(order)
    store.open_page = 2
    fetched: list[int] = []
    read = store._rows

    def counted(sql: str, params: tuple[Any, ...] | list[Any]) -> list[Any]:
        rows = read(sql, params)
        fetched.append(len(rows))
        return rows

    store._rows = counted  # type: ignore[method-assign]
    listed = store.open_orders()
    assert fetched == []  # nothing read before the caller asks
    assert [o.number for o in listed] == ["1000", "1001", "1003", "1004"]
    assert fetched == [2, 2, 0]
    store.close()
