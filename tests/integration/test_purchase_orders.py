"""発注: the rules of purchase orders and whole flows on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from orderflow import Address, Customer, Money, OrderLine, OrderStatus
from orderflow.domain.purchasing import PurchaseOrderStatus
from orderflow.errors import InvalidValue, MoveNotAllowed, OrderNotFound, OutcomeUnknown
from orderflow.stores import (
    PostgresInventory,
    PostgresPurchaseOrderStore,
    PostgresStore,
    SQLiteInventory,
    SQLitePurchaseOrderStore,
    SQLiteStore,
)
from orderflow.testing import FakeShop, Fault, fake_shop
from orderflow.testing.shop import desk_on
from tests.postgres import new_database

SHIP_TO = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "見本 花子", "03-1234-5678")


def _waiting_order(shop: FakeShop, number: str = "1001") -> None:
    shop.desk.place(
        number=number,
        customer=Customer(f"C{number}", "見本 花子", f"c{number}@example.jp"),
        ship_to=SHIP_TO,
        lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)],
        token="tok_visa",
    )
    shop.desk.accept(number)


@pytest.fixture
def shop() -> FakeShop:
    return fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 0})


def test_drafts_gather_per_supplier_until_the_cutoff(shop: FakeShop) -> None:
    desk = shop.desk
    first = desk.order_from_supplier("TEA-1", 5, "ACME")
    second = desk.order_from_supplier("MUG-1", 2, "ACME")
    assert second.number == first.number and len(second.lines) == 2
    assert not shop.supplier.calls_to("send")
    cutoff = shop.clock.now()
    shop.clock.advance(timedelta(hours=1))
    later = desk.order_from_supplier("TEA-1", 1, "ACME", send=True)  # its own, sent at once
    assert later.number != first.number and later.status is PurchaseOrderStatus.SENT
    sent = desk.send_purchase_orders("ACME", cutoff=cutoff)
    assert [po.number for po in sent] == [first.number]
    assert sent[0].reference is not None


def test_receiving_fills_the_waiting_orders_once_per_receipt(shop: FakeShop) -> None:
    desk = shop.desk
    _waiting_order(shop)
    po = desk.order_from_supplier("TEA-1", 3, "ACME", for_order="1001", send=True)
    desk.confirm_purchase_order(po.number)
    served = desk.receive_purchase_order(po.number, {"TEA-1": 2}, receipt_id="R1")
    assert [o.number for o in served] == ["1001"]
    assert desk.get("1001").status is OrderStatus.ALLOCATED
    assert desk.purchase_order(po.number).status is PurchaseOrderStatus.PARTLY_RECEIVED
    assert desk.receive_purchase_order(po.number, {"TEA-1": 2}, receipt_id="R1") == []
    assert shop.inventory.on_hand[("TOKYO", "TEA-1")] == 2
    with pytest.raises(InvalidValue) as refused:
        desk.receive_purchase_order(po.number, {"TEA-1": 2}, receipt_id="R2")
    assert refused.value.field == "received[TEA-1]"
    desk.receive_purchase_order(po.number, {"TEA-1": 1}, receipt_id="R2")
    assert desk.purchase_order(po.number).status is PurchaseOrderStatus.RECEIVED


def test_a_draft_cannot_be_received_and_bad_input_changes_nothing(shop: FakeShop) -> None:
    desk = shop.desk
    po = desk.order_from_supplier("TEA-1", 3, "ACME")
    with pytest.raises(MoveNotAllowed):
        desk.receive_purchase_order(po.number, {"TEA-1": 1}, receipt_id="R1")
    for bad in ({"supplier": "NOBODY"}, {"warehouse": "NARNIA"}, {"quantity": 0}):
        args = {"sku": "TEA-1", "quantity": 1, "supplier": "ACME", **bad}
        with pytest.raises(InvalidValue) as refused:
            desk.order_from_supplier(**args)  # type: ignore[arg-type]
        assert refused.value.field == next(iter(bad))
    assert desk.purchase_order(po.number) == po


def test_a_refused_move_says_what_the_purchase_order_allows(shop: FakeShop) -> None:
    """A draft confirmed (a supplier's answer before the order was sent) was refused as if the
    draft were closed: "allowed moves: none (final status)" (fresh campaign seed 20270002)."""
    desk = shop.desk
    po = desk.order_from_supplier("TEA-1", 3, "ACME")
    with pytest.raises(MoveNotAllowed) as refused:
        desk.confirm_purchase_order(po.number)
    assert refused.value.allowed == ("send", "cancel")
    assert "final status" not in str(refused.value)
    sent = desk.send_purchase_orders("ACME")[0]
    desk.cancel_purchase_order(sent.number)
    with pytest.raises(MoveNotAllowed, match="final status"):
        desk.confirm_purchase_order(sent.number)


def test_cancelling_an_order_cancels_its_lines_at_the_supplier(shop: FakeShop) -> None:
    desk = shop.desk
    _waiting_order(shop)
    po = desk.order_from_supplier("TEA-1", 2, "ACME", for_order="1001", send=True)
    desk.cancel("1001", reason="お客様都合")
    after = desk.purchase_order(po.number)
    assert after.status is PurchaseOrderStatus.CANCELLED
    assert [c.request[1] for c in shop.supplier.calls_to("cancel")] == [(("1", 2),)]


def test_a_cancel_too_late_leaves_the_units_coming_as_stock(shop: FakeShop) -> None:
    desk = shop.desk
    _waiting_order(shop)
    po = desk.order_from_supplier("TEA-1", 2, "ACME", for_order="1001", send=True)
    assert po.reference is not None
    shop.supplier.mark_dispatched(po.reference)
    desk.cancel("1001", reason="お客様都合")
    after = desk.purchase_order(po.number)
    assert after.status is PurchaseOrderStatus.SENT
    assert after.lines[0].for_order is None and after.history[-1].name == "cancel_refused"


def test_a_send_that_times_out_is_finished_by_resume(shop: FakeShop) -> None:
    desk = shop.desk
    desk.order_from_supplier("TEA-1", 2, "ACME")
    shop.supplier.fail_next("send", Fault.TIMEOUT_AFTER)
    assert desk.send_purchase_orders() == []
    assert [po.number for po in shop.purchase_orders.pending()] == ["PO-1"]
    desk.resume_pending()
    po = desk.purchase_order("PO-1")
    assert not po.outbox and po.reference == "ACME-1"
    assert len(shop.supplier.work_done) == 1


def test_a_refused_send_goes_back_to_draft(shop: FakeShop) -> None:
    desk = shop.desk
    desk.order_from_supplier("TEA-1", 2, "ACME")
    shop.supplier.fail_next("send", Fault.DECLINE)
    desk.send_purchase_orders()
    assert desk.purchase_order("PO-1").status is PurchaseOrderStatus.DRAFT
    assert desk.send_purchase_orders()[0].status is PurchaseOrderStatus.SENT


def test_a_receipt_that_times_out_counts_once(shop: FakeShop) -> None:
    desk = shop.desk
    po = desk.order_from_supplier("TEA-1", 2, "ACME", send=True)
    shop.inventory.fail_next("receive", Fault.TIMEOUT_AFTER)
    with pytest.raises(OutcomeUnknown):
        desk.receive_purchase_order(po.number, {"TEA-1": 2}, receipt_id="R1")
    desk.resume_pending()
    desk.receive_purchase_order(po.number, {"TEA-1": 2}, receipt_id="R1")
    assert shop.inventory.on_hand[("TOKYO", "TEA-1")] == 2


def _whole_flow(shop: FakeShop) -> None:
    desk = shop.desk
    _waiting_order(shop, "2001")
    po = desk.order_from_supplier("TEA-1", 2, "ACME", for_order="2001")
    (sent,) = desk.send_purchase_orders("ACME")
    desk.confirm_purchase_order(sent.number)
    served = desk.receive_purchase_order(po.number, {"TEA-1": 2}, receipt_id="R-1")
    assert [o.number for o in served] == ["2001"]
    assert desk.purchase_order(po.number).status is PurchaseOrderStatus.RECEIVED
    assert desk.open_purchase_orders("ACME") == []


def test_a_whole_flow_on_sqlite(tmp_path: Path) -> None:
    shop = fake_shop()
    path = tmp_path / "shop.sqlite3"
    inventory = SQLiteInventory(path)
    inventory.receive("TOKYO", "TEA-1", 1, reason="入荷")
    inventory.adjust("TOKYO", "TEA-1", -1, reason="棚卸")
    store, pos = SQLiteStore(path), SQLitePurchaseOrderStore(path)
    shop.purchase_orders = pos
    shop.desk = desk_on(shop, store=store, inventory=inventory, purchase_orders=pos)
    try:
        _whole_flow(shop)
    finally:
        for opened in (store, pos, inventory):
            opened.close()


@pytest.fixture
def pg_shop(postgres_uri: str) -> Iterator[FakeShop]:
    uri = new_database(postgres_uri)
    shop = fake_shop()
    inventory = PostgresInventory(uri)
    inventory.receive("TOKYO", "TEA-1", 1, reason="入荷")
    inventory.adjust("TOKYO", "TEA-1", -1, reason="棚卸")
    store, pos = PostgresStore(uri), PostgresPurchaseOrderStore(uri)
    shop.purchase_orders = pos
    shop.desk = desk_on(shop, store=store, inventory=inventory, purchase_orders=pos)
    yield shop
    for opened in (store, pos, inventory):
        opened.close()


def test_a_whole_flow_on_postgres(pg_shop: FakeShop) -> None:
    _whole_flow(pg_shop)


def test_a_receipt_the_inventory_keeps_refusing_waits_for_a_person(shop: FakeShop) -> None:
    desk = shop.desk
    po = desk.order_from_supplier("TEA-1", 2, "ACME", send=True)
    assert desk.purchase_orders_waiting() == []
    shop.inventory.fail_next("receive", Fault.DECLINE, times=3)
    desk.receive_purchase_order(po.number, {"TEA-1": 2}, receipt_id="R1")
    waiting = desk.purchase_orders_waiting()
    assert [p.number for p in waiting] == [po.number]
    assert waiting[0].history[-1].name == "receipt_refused"
    assert shop.inventory.on_hand[("TOKYO", "TEA-1")] == 0
    desk.resume_pending()  # the inventory works again: the receipt is performed, once
    assert desk.purchase_orders_waiting() == []
    assert shop.inventory.on_hand[("TOKYO", "TEA-1")] == 2
    assert not desk.purchase_order(po.number).outbox


@pytest.mark.parametrize("sent", [False, True])
def test_a_cancel_or_receipt_naming_what_the_purchase_order_lacks_names_the_argument(
    shop: FakeShop, sent: bool
) -> None:
    """An unknown line id, an empty mapping of lines (never taken for 'every line', nor for
    nothing) and a SKU the purchase order does not hold are refused naming what was given, and
    change nothing."""
    desk = shop.desk
    po = desk.order_from_supplier("TEA-1", 6, "ACME")
    po = desk.order_from_supplier("MUG-1", 2, "ACME")
    if sent:
        (po,) = desk.send_purchase_orders("ACME")
    for lines, field in (({"1": 1, "9": 1}, "lines[9]"), ({}, "lines")):
        with pytest.raises(InvalidValue) as refused:
            desk.cancel_purchase_order(po.number, lines=lines)
        assert refused.value.field == field
    if sent:
        with pytest.raises(InvalidValue) as refused:
            desk.receive_purchase_order(po.number, {"CAKE-1": 1}, receipt_id="R1")
        assert refused.value.field == "received[CAKE-1]"
        assert "TEA-1" in str(refused.value) and "0 units open" not in str(refused.value)
    assert desk.purchase_order(po.number) == po
    assert not shop.supplier.calls_to("cancel")


def test_the_sqlite_purchase_order_store_closes_at_the_end_of_a_with_block(tmp_path: Path) -> None:
    """Like the order store and the inventory: ``with SQLitePurchaseOrderStore(path) as pos:``."""
    with SQLitePurchaseOrderStore(tmp_path / "shop.sqlite3") as pos:
        with pytest.raises(OrderNotFound):
            pos.get("PO-1")
        assert pos._db._all  # the thread's connection is open
    assert not pos._db._all  # closed by the block


def test_the_postgres_purchase_order_store_closes_at_the_end_of_a_with_block(
    postgres_uri: str,
) -> None:
    with PostgresPurchaseOrderStore(new_database(postgres_uri)) as pos:
        with pytest.raises(OrderNotFound):
            pos.get("PO-1")
        assert pos._db._owned  # the connection it opened
    assert not pos._db._owned  # closed by the block
