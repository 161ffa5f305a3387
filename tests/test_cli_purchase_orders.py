"""Purchase orders from the command line: ``send-purchase-orders`` at the supplier's cut-off, and
the purchase orders a command makes (a drop-ship shipment instructed by ``resume``) kept in the
database, not in memory."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from orderflow import Address, Customer, Money, OrderLine, ShopSettings
from orderflow.cli import ExitCode, main
from orderflow.domain.purchasing import PurchaseOrderStatus
from orderflow.errors import EffectInterrupted
from orderflow.stores import SQLiteInventory, SQLitePurchaseOrderStore, SQLiteStore
from orderflow.testing import FakeShop, FixedClock, fake_shop
from orderflow.testing.shop import desk_on

SHIP_TO = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "見本 花子", "03-1234-5678")


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "shop.sqlite3")


@contextmanager
def shop_on(db: str) -> Iterator[FakeShop]:
    """Fakes with a desk on the SQLite file ``db``: orders, stock and purchase orders."""
    clock = FixedClock(datetime(2026, 11, 22, 1, 0, tzinfo=UTC))
    shop = fake_shop(settings=ShopSettings(warehouses=("TOKYO", "OSAKA")), clock=clock)
    inventory = SQLiteInventory(db)
    inventory.receive("TOKYO", "TEA-1", 10, reason="初期在庫")
    purchase_orders = SQLitePurchaseOrderStore(db)
    with SQLiteStore(db) as store:
        shop.desk = desk_on(shop, store=store, inventory=inventory, purchase_orders=purchase_orders)
        yield shop
    inventory.close()
    purchase_orders.close()


def _file_purchase_orders(db: str) -> list[Any]:
    store = SQLitePurchaseOrderStore(db)
    try:
        return list(store.open_purchase_orders(None))
    finally:
        store.close()


def test_a_drop_ship_purchase_order_made_by_resume_is_kept_in_the_database(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with shop_on(db) as shop:
        desk = shop.desk
        chair = OrderLine("L2", "CHAIR-1", "椅子", Money.yen(19800), 1, supplier="ACME")
        desk.place(
            number="1001",
            customer=Customer("C1", "見本 花子", "c1@example.jp"),
            ship_to=SHIP_TO,
            lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2), chair],
            token="tok_visa",
        )
        desk.accept("1001")

        def dies(*args: object, **kwargs: object) -> object:
            raise RuntimeError("the worker died")

        monkeypatch.setattr(type(desk.executor), "_instruct_direct", dies)
        with pytest.raises(EffectInterrupted):
            desk.instruct_shipping("1001")
        monkeypatch.undo()
    assert _file_purchase_orders(db) == []
    assert main(["resume", "--db", db, "--fakes"]) == ExitCode.OK
    (po,) = _file_purchase_orders(db)
    assert po.drop_ship and [x.for_order for x in po.lines] == ["1001"]


def test_send_purchase_orders_sends_the_drafts(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with shop_on(db) as shop:
        draft = shop.desk.order_from_supplier("TEA-1", 5, "ACME")
        assert draft.status is PurchaseOrderStatus.DRAFT
    assert main(["send-purchase-orders", "--db", db, "--fakes"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert f"{draft.number}  ACME  TOKYO  1 line" in out and "sent 1" in out
    (po,) = _file_purchase_orders(db)
    assert po.number == draft.number and po.status is PurchaseOrderStatus.SENT
    assert main(["send-purchase-orders", "--db", db, "--fakes"]) == ExitCode.OK  # none left
    assert "sent 0" in capsys.readouterr().out


def test_a_cutoff_before_the_draft_leaves_it_for_the_next_one(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with shop_on(db) as shop:
        draft = shop.desk.order_from_supplier("TEA-1", 5, "ACME")
    argv = ["send-purchase-orders", "--db", db, "--fakes", "--cutoff", "2026-11-22T09:59+09:00"]
    assert main(argv) == ExitCode.OK
    assert "sent 0" in capsys.readouterr().out
    (po,) = _file_purchase_orders(db)
    assert po.number == draft.number and po.status is PurchaseOrderStatus.DRAFT


def test_an_unknown_supplier_or_a_cutoff_without_its_zone_is_a_usage_error(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with shop_on(db) as shop:
        shop.desk.order_from_supplier("TEA-1", 5, "ACME")
    argv = ["send-purchase-orders", "--db", db, "--fakes", "--supplier", "NOPE"]
    assert main(argv) == ExitCode.USAGE
    assert "supplier" in capsys.readouterr().err
    argv = ["send-purchase-orders", "--db", db, "--fakes", "--cutoff", "2026-11-22T10:00"]
    with pytest.raises(SystemExit) as usage:
        main(argv)
    assert usage.value.code == ExitCode.USAGE
    assert "time zone" in capsys.readouterr().err
    assert _file_purchase_orders(db)[0].status is PurchaseOrderStatus.DRAFT


NO_PURCHASE_ORDERS = """
from orderflow import OrderDesk
from orderflow.adapters.carriers import Yamato
from orderflow.testing import fake_shop


def desk(*, store, inventory):
    shop = fake_shop()
    return OrderDesk(
        store=store,
        inventory=inventory,
        gateway=shop.gateway,
        warehouses=shop.warehouses,
        carriers={"yamato": Yamato()},
        accounting=shop.accounting,
        notifier=shop.notifier,
        clock=shop.clock,
    )
"""
"""A shop's desk factory whose desk has no purchase-order store (nor suppliers)."""


def test_a_desk_without_a_purchase_order_store_is_a_usage_error(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nopo_desk.py").write_text(NO_PURCHASE_ORDERS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERFLOW_DESK", raising=False)
    monkeypatch.setitem(sys.modules, "nopo_desk", None)
    del sys.modules["nopo_desk"]  # imported afresh, and forgotten after the test
    with shop_on(db):
        pass
    argv = ["send-purchase-orders", "--db", db, "--desk", "nopo_desk:desk"]
    assert main(argv) == ExitCode.USAGE
    assert "purchase_orders" in capsys.readouterr().err
