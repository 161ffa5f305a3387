"""A timed sweep goes on past an order whose stored document this orderflow cannot read.

A document a newer orderflow wrote (a rolling upgrade: new web workers, the old cron) or one a
shop's migration does not cover stops that order alone: the sweep logs it and judges the others.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from orderflow import Customer, Money, OrderDesk, OrderLine, OrderStatus, PaymentMethod
from orderflow.errors import CodecError
from orderflow.stores import SQLiteInventory, SQLiteStore
from orderflow.testing import FakeShop, fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import address


def _konbini_shop(path: Path) -> tuple[FakeShop, OrderDesk]:
    shop = fake_shop()
    inventory = SQLiteInventory(path)
    inventory.receive("TOKYO", "TEA-1", 10, reason="入荷")
    inventory.receive("TOKYO", "MUG-1", 1, reason="入荷")
    inventory.adjust("TOKYO", "MUG-1", -1, reason="棚卸: sold out, still stocked")
    desk = desk_on(shop, store=SQLiteStore(path), inventory=inventory)
    for number in ("K1", "K2"):
        desk.place(
            number=number,
            customer=Customer(f"C-{number}", "山田 太郎", "taro@example.jp"),
            ship_to=address(),
            lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)],
            payment_method=PaymentMethod.KONBINI,
        )
    return shop, desk


def _written_by_a_newer_orderflow(path: Path, number: str) -> None:
    with sqlite3.connect(path) as conn:
        (text,) = conn.execute("SELECT document FROM orders WHERE number = ?", (number,)).fetchone()
        document = json.loads(text)
        document["schema"] += 1
        conn.execute(
            "UPDATE orders SET document = ?, version = version + 1 WHERE number = ?",
            (json.dumps(document), number),
        )


def test_expire_unpaid_skips_an_unreadable_order_and_expires_the_others(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "shop.sqlite3"
    shop, desk = _konbini_shop(path)
    _written_by_a_newer_orderflow(path, "K1")
    shop.clock.advance(timedelta(days=30))  # past every konbini deadline
    with caplog.at_level(logging.WARNING, logger="orderflow"):
        expired = desk.expire_unpaid()
    assert [order.number for order in expired] == ["K2"]
    assert desk.get("K2").status is OrderStatus.CANCELLED
    assert any("K1" in r.getMessage() and "CodecError" in r.getMessage() for r in caplog.records)
    with pytest.raises(CodecError):  # the order itself is still refused, not changed
        desk.get("K1")


def test_every_timed_sweep_goes_on_past_an_unreadable_order(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    shop, desk = _konbini_shop(path)
    _written_by_a_newer_orderflow(path, "K1")
    shop.clock.advance(timedelta(days=30))
    assert desk.reauthorize_expiring() == []
    assert desk.sweep_absent() == []


def test_fill_backorders_goes_on_past_an_unreadable_open_order(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The receipt sweep reads every open order: one it cannot read stopped it (and with it
    ``python -m orderflow sweep``'s carrier events and 持戻り, exit 2)."""
    path = tmp_path / "shop.sqlite3"
    _, desk = _konbini_shop(path)
    desk.place(
        number="W1",
        customer=Customer("C-W1", "佐藤 花子", "hanako@example.jp"),
        ship_to=address(),
        lines=[OrderLine("L1", "MUG-1", "湯呑", Money.yen(2200), 1)],
        token="tok_visa",
    )
    desk.accept("W1")
    assert desk.get("W1").status is not OrderStatus.ALLOCATED  # no MUG-1 in stock: it waits
    _written_by_a_newer_orderflow(path, "K1")
    SQLiteInventory(path).receive("TOKYO", "MUG-1", 1, reason="入荷 booked by the WMS")
    with caplog.at_level(logging.WARNING, logger="orderflow"):
        served = desk.fill_backorders()
    assert [order.number for order in served] == ["W1"]
    assert any("K1" in r.getMessage() and "CodecError" in r.getMessage() for r in caplog.records)
