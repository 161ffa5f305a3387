"""Many workers share ``resume_pending`` on one database: every pending order is finished once.

Orders are left pending (the card gateway did not answer), then several workers sweep at the
same moment, each with its own store (its own connections). Claims (``FOR UPDATE SKIP LOCKED``
on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) hand each order to one worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from orderflow import Order, OrderDesk
from orderflow.errors import OutcomeUnknown
from orderflow.ports import OrderStore
from orderflow.stores import PostgresStore, SQLiteStore
from orderflow.testing import FakeShop, Fault, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import STOCK, address, customer, lines
from tests.postgres import new_database

ORDERS = 40
WORKERS = 4


def _leave_pending(shop: FakeShop, desk: OrderDesk) -> None:
    shop.gateway.fail_next("authorize", Fault.TIMEOUT_BEFORE, times=ORDERS)
    for n in range(ORDERS):
        with pytest.raises(OutcomeUnknown):
            desk.place(
                number=f"P{n:03d}",
                customer=customer(),
                ship_to=address(),
                lines=lines(),
                token="tok",
            )


def _sweep_together(shop: FakeShop, open_store: Callable[[], OrderStore]) -> list[list[Order]]:
    desks = [desk_on(shop, store=open_store()) for _ in range(WORKERS)]
    start = threading.Barrier(WORKERS)
    results: list[list[Order]] = [[] for _ in range(WORKERS)]

    def work(index: int) -> None:
        start.wait()
        results[index] = desks[index].resume_pending(batch=3)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _check(shop: FakeShop, results: list[list[Order]], store: OrderStore) -> None:
    finished = [order.number for result in results for order in result]
    assert sorted(finished) == [f"P{n:03d}" for n in range(ORDERS)]  # each once, by one worker
    authorized = [key for method, key in shop.gateway.work_done if method == "authorize"]
    assert len(authorized) == ORDERS == len(set(authorized))
    asked = len(shop.gateway.calls_to("authorize"))
    assert asked == 2 * ORDERS  # once timed out, once by one worker: no order driven twice
    assert not list(store.pending())
    assert sum(1 for result in results if result) >= 2, "one worker did all the work"


def test_sqlite_workers_share_the_pending_orders(tmp_path: Path) -> None:
    shop = fake_shop(STOCK)
    path = tmp_path / "shop.sqlite3"
    store = SQLiteStore(path)
    _leave_pending(shop, desk_on(shop, store=store))
    _check(shop, _sweep_together(shop, lambda: SQLiteStore(path)), store)


def test_postgres_workers_share_the_pending_orders(postgres_uri: str) -> None:
    shop = fake_shop(STOCK)
    conninfo = new_database(postgres_uri)
    store = PostgresStore(conninfo)
    _leave_pending(shop, desk_on(shop, store=store))
    _check(shop, _sweep_together(shop, lambda: PostgresStore(conninfo)), store)
