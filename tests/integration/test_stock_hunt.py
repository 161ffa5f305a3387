"""Stock defects found by hunting: purchase orders of split orders, set SKUs, 分納 refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from orderflow import (
    Address,
    Customer,
    Money,
    Order,
    OrderChange,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ShopSettings,
)
from orderflow.domain.machine import allowed_moves
from orderflow.domain.purchasing import PurchaseOrderStatus
from orderflow.errors import InvalidValue, MoveBlocked, MoveNotAllowed, StoreError
from orderflow.testing import FakeShop, fake_shop

SHIP_TO = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "見本 花子", "03-1234-5678")
TEA = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)
MUG = OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 1)


def _placed(shop: FakeShop, number: str = "1001", lines: list[OrderLine] | None = None) -> None:
    shop.desk.place(
        number=number,
        customer=Customer(f"C{number}", "見本 花子", f"c{number}@example.jp"),
        ship_to=SHIP_TO,
        lines=lines or [TEA, MUG],
        token="tok_visa",
    )
    shop.desk.accept(number)


# -- 発注 for an order that is split ------------------------------------------------------------


def test_a_split_order_keeps_the_purchase_order_ordered_for_it() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 5})
    desk = shop.desk
    _placed(shop)
    po = desk.order_from_supplier("TEA-1", 2, "ACME", for_order="1001", send=True)
    waiting, _ = desk.split("1001", [{"L1": 2}, {"L2": 1}])
    desk.resume_pending()  # the routine sweep: the parent is closed as split, not cancelled
    assert desk.purchase_order(po.number).status is PurchaseOrderStatus.SENT
    assert not shop.supplier.calls_to("cancel")
    served = desk.receive_purchase_order(po.number, {"TEA-1": 2}, receipt_id="R1")
    assert [o.number for o in served] == [waiting.number]
    assert desk.get(waiting.number).status is OrderStatus.ALLOCATED


def test_cancelling_every_part_of_a_split_order_cancels_its_purchase_order() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 5})
    desk = shop.desk
    _placed(shop)
    po = desk.order_from_supplier("TEA-1", 2, "ACME", for_order="1001", send=True)
    first, second = desk.split("1001", [{"L1": 1}, {"L1": 1, "L2": 1}])
    desk.cancel(first.number, reason="no longer wanted")
    assert desk.purchase_order(po.number).lines[0].open == 2  # the other part still waits
    desk.cancel(second.number, reason="no longer wanted")
    assert desk.purchase_order(po.number).status is PurchaseOrderStatus.CANCELLED


def test_a_purchase_order_for_a_cancelled_order_is_refused() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 5})
    desk = shop.desk
    _placed(shop)
    desk.cancel("1001", reason="no longer wanted")
    with pytest.raises(InvalidValue) as refused:
        desk.order_from_supplier("TEA-1", 2, "ACME", for_order="1001", send=True)
    assert refused.value.field == "for_order"
    assert not list(desk.open_purchase_orders("ACME"))
    assert not shop.supplier.calls_to("send")


# -- セット商品: a set is never in stock --------------------------------------------------------

SETS = ShopSettings(sets={"GIFT-A": (("TEA-1", 2), ("MUG-1", 1))})
GIFT = OrderLine("L1", "GIFT-A", "ギフトセット", Money.yen(5400), 1)


def test_a_set_sku_is_not_received_into_stock() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 0}, settings=SETS)
    _placed(shop, lines=[GIFT])
    with pytest.raises(InvalidValue) as refused:
        shop.desk.receive("TOKYO", "GIFT-A", 3, receipt_id="R1")
    assert refused.value.field == "sku"
    assert ("TOKYO", "GIFT-A") not in shop.inventory.on_hand
    assert not shop.inventory.calls_to("receive")


def test_a_set_sku_is_not_ordered_from_a_supplier() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 0}, settings=SETS)
    _placed(shop, lines=[GIFT])
    with pytest.raises(InvalidValue) as refused:
        shop.desk.order_from_supplier("GIFT-A", 3, "ACME", for_order="1001", send=True)
    assert refused.value.field == "sku"
    assert not list(shop.desk.open_purchase_orders("ACME"))


def test_a_plain_line_of_a_sku_made_a_set_since_may_still_be_received() -> None:
    shop = fake_shop({("TOKYO", "GIFT-A"): 0})
    _placed(shop, lines=[GIFT])  # GIFT-A is a plain SKU when the order is placed
    shop.desk.settings = SETS
    served = shop.desk.receive("TOKYO", "GIFT-A", 1, receipt_id="R1")
    assert [o.number for o in served] == ["1001"]


# -- 分納 of an order with nothing reserved ---------------------------------------------------


def test_ship_available_with_nothing_reserved_says_so_and_changes_nothing() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0})
    _placed(shop, lines=[TEA])  # nothing in stock: 中途引当 with nothing reserved
    before = shop.desk.get("1001")
    assert before.status is OrderStatus.PARTIALLY_ALLOCATED and not before.allocations
    with pytest.raises(MoveBlocked, match="nothing is reserved"):
        shop.desk.ship_available("1001")
    assert shop.desk.get("1001") == before


# -- a hold cleared on an order waiting for stock ---------------------------------------------


def test_clearing_the_hold_of_a_waiting_order_takes_the_stock_that_came_meanwhile() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 1})
    desk = shop.desk
    _placed(shop)  # one tea of two and the mug: 中途引当
    desk.raise_hold("1001", "check", "住所の確認")
    assert desk.receive("TOKYO", "TEA-1", 1, receipt_id="R1") == []  # held: passed by
    order = desk.clear_hold("1001", "check")  # the last hold: the order goes on by itself
    assert order.status is OrderStatus.ALLOCATED and not order.unallocated()
    assert shop.inventory.reserved[("TOKYO", "TEA-1")] == 2


# -- a change of lines of an order waiting with nothing reserved ------------------------------


def test_a_line_added_to_an_order_waiting_with_nothing_reserved_is_allocated() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 5})
    desk = shop.desk
    _placed(shop, lines=[TEA])  # nothing in stock: 中途引当, nothing reserved
    added = OrderChange(add_lines=(MUG,))
    desk.change("1001", added, request_id="add-mug")
    order = desk.get("1001")
    assert order.unallocated() == {"L1": 2}  # the mug on the shelf is reserved
    assert shop.inventory.reserved[("TOKYO", "MUG-1")] == 1
    desk.change("1001", OrderChange(remove_lines=frozenset({"L1"})), request_id="drop-tea")
    order = desk.get("1001")
    assert order.status is OrderStatus.ALLOCATED  # the mug alone: it may be instructed
    assert shop.inventory.reserved[("TOKYO", "MUG-1")] == 1


def test_a_split_whose_parts_are_not_made_yet_keeps_its_purchase_order() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 5})
    desk = shop.desk
    _placed(shop)
    po = desk.order_from_supplier("TEA-1", 2, "ACME", for_order="1001", send=True)
    add = shop.store.add

    def down(order: Order) -> None:
        raise StoreError("the store is down")

    shop.store.add = down  # type: ignore[method-assign]
    with pytest.raises(StoreError):
        desk.split("1001", [{"L1": 2}, {"L2": 1}])  # closed as split, its parts not yet made
    desk.resume_pending()  # the parts cannot be made yet: they are not gone
    assert desk.purchase_order(po.number).status is PurchaseOrderStatus.SENT
    shop.store.add = add  # type: ignore[method-assign]
    desk.resume_pending()
    assert desk.get("1001-1").unallocated() == {"L1": 2}
    assert desk.purchase_order(po.number).status is PurchaseOrderStatus.SENT


# -- 注文分割 of an order whose number leaves no room for the parts' -----------------------------


def test_a_split_whose_part_numbers_would_be_too_long_is_refused_and_changes_nothing() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 5, ("TOKYO", "MUG-1"): 5})
    number = "R" * 63  # an order number may be 64 characters: "<63>-1" would be 65
    _placed(shop, number)
    before = shop.desk.get(number)
    with pytest.raises(InvalidValue) as refused:
        shop.desk.split(number, [{"L1": 2}, {"L2": 1}])
    assert refused.value.field == "parts"
    assert shop.desk.get(number) == before
    assert sorted(shop.store.orders) == [number]
    shorter = "S" * 62  # "<62>-1" is 64 characters: its parts can be handled
    _placed(shop, shorter)
    first, second = shop.desk.split(shorter, [{"L1": 1}, {"L1": 1, "L2": 1}])
    assert shop.desk.instruct_shipping(second.number).status is OrderStatus.SHIPPING_INSTRUCTED
    assert shop.desk.cancel(first.number, reason="no longer wanted").status is OrderStatus.CANCELLED


# -- the moves a refusal names ------------------------------------------------------------------


def test_a_refused_wait_names_the_moves_the_status_really_allows() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 5, ("TOKYO", "MUG-1"): 5})
    _placed(shop)  # 引当済
    with pytest.raises(MoveNotAllowed) as refused:
        shop.desk.wait_for_stock("1001")
    assert refused.value.allowed == tuple(m.value for m in allowed_moves(OrderStatus.ALLOCATED))
    shop.desk.cancel("1001", reason="no longer wanted")
    with pytest.raises(MoveNotAllowed) as refused:
        shop.desk.expect_arrival("1001", "L1", date(2026, 12, 1))
    assert refused.value.allowed == ()  # キャンセル is final


# -- 入荷 against a purchase order under a receipt id used before ------------------------------


def test_a_purchase_order_receipt_id_reused_for_another_delivery_is_refused() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0})
    desk = shop.desk
    po = desk.order_from_supplier("TEA-1", 6, "ACME", send=True)
    desk.receive_purchase_order(po.number, {"TEA-1": 2}, receipt_id="R1")
    assert desk.receive_purchase_order(po.number, {"TEA-1": 2}, receipt_id="R1") == []  # again
    before = desk.purchase_order(po.number)
    with pytest.raises(InvalidValue) as refused:  # three more came: not the same receipt
        desk.receive_purchase_order(po.number, {"TEA-1": 3}, receipt_id="R1")
    assert refused.value.field == "receipt_id"
    assert desk.purchase_order(po.number) == before
    assert shop.inventory.on_hand[("TOKYO", "TEA-1")] == 2


def test_a_held_plain_line_of_a_sku_made_a_set_since_still_lets_it_be_received() -> None:
    shop = fake_shop({("TOKYO", "GIFT-A"): 0})
    _placed(shop, lines=[GIFT])  # a plain SKU when the order is placed: it waits for one
    shop.desk.raise_hold("1001", "check", "確認")
    shop.desk.settings = SETS
    assert shop.desk.receive("TOKYO", "GIFT-A", 1, receipt_id="R1") == []  # held: passed by
    assert shop.inventory.on_hand[("TOKYO", "GIFT-A")] == 1
    order = shop.desk.clear_hold("1001", "check")
    assert order.status is OrderStatus.ALLOCATED


def test_a_waiting_order_paid_at_last_takes_the_stock_that_came_meanwhile() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 1, ("TOKYO", "MUG-1"): 1})
    desk = shop.desk
    _placed(shop)  # one tea of two and the mug: 中途引当
    at_the_store = OrderChange(payment_method=PaymentMethod.KONBINI)
    desk.change("1001", at_the_store, request_id="pay-at-konbini")
    assert desk.receive("TOKYO", "TEA-1", 1, receipt_id="R1") == []  # unpaid: passed by
    total = desk.totals(desk.get("1001")).total
    order = desk.record_konbini_payment("1001", reference="K-1", amount=total)
    assert order.status is OrderStatus.ALLOCATED and not order.unallocated()


def test_an_unpaid_order_expired_has_its_purchase_order_lines_cancelled() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 0})
    desk = shop.desk
    desk.place(
        number="1001",
        customer=Customer("C1001", "見本 花子", "c1001@example.jp"),
        ship_to=SHIP_TO,
        lines=[TEA],
        token="tok_visa",
        payment_method=PaymentMethod.KONBINI,
    )
    desk.accept("1001")
    po = desk.order_from_supplier("TEA-1", 2, "ACME", for_order="1001", send=True)
    shop.clock.advance(timedelta(days=30))
    assert [o.number for o in desk.expire_unpaid()] == ["1001"]
    assert desk.purchase_order(po.number).status is PurchaseOrderStatus.CANCELLED
