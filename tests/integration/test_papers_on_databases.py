"""Papers and label files from orders kept in SQLite and PostgreSQL: a whole flow per engine.

Orders are placed, allocated and instructed on a desk whose store and inventory are the
database's; the picking list, the 納品書 and the B2クラウド file are made from the orders read back
from it, and the carrier's issued numbers ship them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from orderflow import Customer, Money, OrderDesk, OrderLine, OrderStatus, TaxRate
from orderflow.carrier_files import export_b2, read_b2_issued
from orderflow.papers import delivery_note, picking_list
from orderflow.ports import Inventory, OrderStore
from orderflow.stores import PostgresInventory, PostgresStore, SQLiteInventory, SQLiteStore
from orderflow.testing import fake_shop
from orderflow.testing.shop import desk_on
from tests.builders import address
from tests.postgres import new_database
from tests.unit.test_carrier_files import NUMBERS, SHIPPED_ON, SHIPPER, issued
from tests.unit.test_papers import ISSUER

STOCK = {("TOKYO", "TEA-1"): 20, ("TOKYO", "MUG-1"): 20}


def _flow(store: OrderStore, inventory: Inventory) -> None:
    shop = fake_shop(STOCK)
    desk: OrderDesk = desk_on(shop, store=store, inventory=inventory)
    for n in ("P-1", "P-2"):
        desk.place(
            number=n,
            customer=Customer(f"C{n}", "山田 太郎", f"{n}@example.jp"),
            ship_to=address(),
            lines=[
                OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2, TaxRate.REDUCED),
                OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1),
            ],
            token="tok",
        )
        desk.accept(n)
        desk.instruct_shipping(n)
    orders = [store.get(n) for n in ("P-1", "P-2")]  # read back from the database
    paper = picking_list(orders, "TOKYO", locations={"TEA-1": "A-1", "MUG-1": "B-2"})
    assert {(t.sku, t.quantity) for t in paper.totals} == {("TEA-1", 4), ("MUG-1", 2)}
    note = delivery_note(orders[0], "P-1-S1", ISSUER, desk.settings.tax, date(2026, 11, 22))
    assert note.total == desk.totals(orders[0]).total
    pairs = [(order.shipments[0], order) for order in orders]
    labels = read_b2_issued(issued(export_b2(pairs, SHIPPER, SHIPPED_ON), "伝票番号", NUMBERS))
    assert [label.shipment_id for label in labels] == ["P-1-S1", "P-2-S1"]
    for label, order in zip(labels, orders, strict=True):
        desk.ship(order.number, label.shipment_id, label.tracking_number)
    assert {store.get(n).status for n in ("P-1", "P-2")} == {OrderStatus.SHIPPED}


@pytest.fixture
def on_sqlite(tmp_path: Path) -> Iterator[tuple[OrderStore, Inventory]]:
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    yield SQLiteStore(path), inventory


def test_papers_and_labels_from_a_sqlite_file(on_sqlite: tuple[OrderStore, Inventory]) -> None:
    _flow(*on_sqlite)


def test_papers_and_labels_from_postgres(postgres_uri: str) -> None:
    conninfo = new_database(postgres_uri)
    inventory = PostgresInventory(conninfo)
    for (warehouse, sku), units in STOCK.items():
        inventory.receive(warehouse, sku, units)
    _flow(PostgresStore(conninfo), inventory)
