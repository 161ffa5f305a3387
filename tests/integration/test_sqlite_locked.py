"""A SQLite file whose write lock another connection keeps: the refusal says what to do.

The typical case is a web framework's own transaction on the same file (Django's
``transaction.atomic()`` after a write): the desk waited ``busy_timeout`` seconds and raised
``StoreError: … database is locked``, which told a shop neither how long it waited nor why.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from orderflow import Address, Customer, Money, OrderLine
from orderflow.errors import StoreError
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import fake_shop
from orderflow.testing.shop import desk_on

SHIP_TO = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "山田 太郎", "03-1234-5678")


def _held_by_the_host(path: Path) -> sqlite3.Connection:
    """A connection of the host's, inside a write transaction on the file (kept open)."""
    host = sqlite3.connect(path, isolation_level=None)
    host.execute("CREATE TABLE IF NOT EXISTS shop_cart (id INTEGER)")
    host.execute("BEGIN")
    host.execute("INSERT INTO shop_cart VALUES (1)")
    return host


def test_a_place_inside_the_hosts_write_transaction_says_why_it_waited(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    store, inventory = SQLiteStore(path, busy_timeout=0.2), SQLiteInventory(path)
    inventory.receive("TOKYO", "TEA-1", 5, reason="入荷")
    shop = fake_shop()
    desk = desk_on(shop, store=store, inventory=inventory)
    host = _held_by_the_host(path)
    try:
        with pytest.raises(StoreError) as refused:
            desk.place(
                number="1001",
                customer=Customer("C1", "山田 太郎", "taro@example.jp"),
                ship_to=SHIP_TO,
                lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)],
                token="tok_visa",
            )
    finally:
        host.execute("ROLLBACK")
        host.close()
    message = str(refused.value)
    assert "database is locked" in message
    assert "busy_timeout" in message and "0.2" in message
    assert "transaction" in message  # the likely cause: a transaction of the host's own
    assert not shop.gateway.calls  # nothing asked of the gateway


def test_an_inventory_write_inside_the_hosts_transaction_says_why(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path, busy_timeout=0.2)
    host = _held_by_the_host(path)
    try:
        with pytest.raises(StoreError, match=r"busy_timeout.*0\.2.*transaction"):
            inventory.receive("TOKYO", "TEA-1", 5, reason="入荷")
    finally:
        host.execute("ROLLBACK")
        host.close()
    assert inventory.stock("TOKYO", "TEA-1").on_hand == 0
