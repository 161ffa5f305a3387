"""発注, 入荷 and メーカー直送 called as a shop's developer would: each test a defect found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orderflow import Address, Customer, Money, OrderLine, OrderStatus
from orderflow.domain import purchasing
from orderflow.domain.lifecycle import Context
from orderflow.domain.purchasing import PurchaseOrderStatus
from orderflow.errors import EffectInterrupted, InvalidValue, OutcomeUnknown
from orderflow.testing import FakeShop, Fault, fake_shop

SHIP_TO = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "見本 花子", "03-1234-5678")


def _place(shop: FakeShop, number: str, line: OrderLine, who: str = "C1") -> None:
    shop.desk.place(
        number=number,
        customer=Customer(who, "見本 花子", f"{who.lower()}@example.jp"),
        ship_to=SHIP_TO,
        lines=[line],
        token="tok_visa",
    )
    shop.desk.accept(number)


def _tea(quantity: int = 2) -> OrderLine:
    return OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), quantity)


def _kyusu(price: int = 8800) -> OrderLine:
    return OrderLine("L1", "KYUSU-9", "急須", Money.yen(price), 1, supplier="ACME")


# -- numbering ---------------------------------------------------------------------------------


def test_a_new_purchase_order_gets_a_number_after_a_thousand_closed_ones() -> None:
    """``PO-<n>`` was counted from the open purchase orders and tried 999 numbers: a shop with
    999 received ones could order nothing more (InvalidValue 'a purchase-order number not
    taken')."""
    shop = fake_shop({("TOKYO", "TEA-1"): 0})
    ctx = Context(datetime(2026, 1, 1, tzinfo=UTC), "test")
    for n in range(1, 1001):
        po = purchasing.draft(f"PO-{n}", "ACME", "TOKYO", "TEA-1", 1, ctx)
        shop.purchase_orders.add(purchasing.cancel(po, ctx))  # closed: 取消
    po = shop.desk.order_from_supplier("TEA-1", 1, "ACME")
    assert po.number == "PO-1001" and po.status is PurchaseOrderStatus.DRAFT


# -- a receipt interrupted, finished by resume_pending ------------------------------------------


def _receipt_interrupted(shop: FakeShop, how: str) -> str:
    _place(shop, "1001", _tea())
    po = shop.desk.order_from_supplier("TEA-1", 3, "ACME", for_order="1001", send=True)
    if how == "timeout":
        shop.inventory.fail_next("receive", Fault.TIMEOUT_AFTER)
        with pytest.raises(OutcomeUnknown):
            shop.desk.receive_purchase_order(po.number, {"TEA-1": 3}, receipt_id="R1")
        return po.number
    receive = shop.inventory.receive

    def dies(*args: object, **kwargs: object) -> None:
        receive(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("the worker died")

    shop.inventory.receive = dies  # type: ignore[method-assign]
    with pytest.raises(EffectInterrupted):
        shop.desk.receive_purchase_order(po.number, {"TEA-1": 3}, receipt_id="R1")
    shop.inventory.receive = receive  # type: ignore[method-assign]
    return po.number


@pytest.mark.parametrize("how", ["crash", "timeout"])
def test_resume_after_an_interrupted_receipt_fills_the_waiting_orders(how: str) -> None:
    """resume_pending put the units in stock but left the order they were for waiting (未引当):
    without the interruption it is 引当済."""
    shop = fake_shop({("TOKYO", "TEA-1"): 0})
    number = _receipt_interrupted(shop, how)
    shop.desk.resume_pending()
    assert shop.desk.get("1001").status is OrderStatus.ALLOCATED
    assert shop.desk.purchase_order(number).status is PurchaseOrderStatus.RECEIVED
    assert shop.inventory.on_hand[("TOKYO", "TEA-1")] == 3
    assert shop.inventory.reserved[("TOKYO", "TEA-1")] == 2


def test_the_next_receipt_also_fills_what_an_interrupted_one_left_waiting() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 0, ("TOKYO", "MUG-1"): 0})
    _place(shop, "1001", _tea())
    po = shop.desk.order_from_supplier("TEA-1", 3, "ACME", for_order="1001")
    shop.desk.order_from_supplier("MUG-1", 1, "ACME")
    shop.desk.send_purchase_orders()
    shop.inventory.fail_next("receive", Fault.TIMEOUT_BEFORE)
    with pytest.raises(OutcomeUnknown):
        shop.desk.receive_purchase_order(po.number, {"TEA-1": 3}, receipt_id="R1")
    shop.desk.receive_purchase_order(po.number, {"MUG-1": 1}, receipt_id="R2")
    assert shop.desk.get("1001").status is OrderStatus.ALLOCATED


# -- a receipt id that is a purchase order's key ------------------------------------------------


def test_a_receipt_id_shaped_as_a_purchase_orders_key_is_refused() -> None:
    """desk.receive(receipt_id="PO-1:2") was kept as ``receipt:PO-1:2``, the key of PO-1's own
    receipt: that receipt then counted as done and its 3 units never came in."""
    shop = fake_shop({("TOKYO", "TEA-1"): 0})
    desk = shop.desk
    for receipt_id in ("PO-1:2", "DS-1001-4:1"):
        with pytest.raises(InvalidValue) as refused:
            desk.receive("TOKYO", "TEA-1", 3, receipt_id=receipt_id)
        assert refused.value.field == "receipt_id"
    assert shop.inventory.on_hand[("TOKYO", "TEA-1")] == 0
    po = desk.order_from_supplier("TEA-1", 3, "ACME", send=True, number="ACME-2026")
    with pytest.raises(InvalidValue):
        desk.receive("TOKYO", "TEA-1", 3, receipt_id="ACME-2026:2")  # a number given by hand
    desk.receive("TOKYO", "TEA-1", 3, receipt_id="WMS:20261122")  # no purchase order's
    desk.receive_purchase_order(po.number, {"TEA-1": 3}, receipt_id="R1")
    assert shop.inventory.on_hand[("TOKYO", "TEA-1")] == 6


# -- drop-ship purchase-order numbers --------------------------------------------------------------


def test_a_purchase_order_numbered_by_hand_like_a_drop_ship_one_is_refused() -> None:
    """A purchase order numbered ``DS-2001-6`` by hand took the drop-ship order's number: the
    instruction found it and sent nothing to the supplier."""
    shop = fake_shop({("TOKYO", "TEA-1"): 0})
    with pytest.raises(InvalidValue) as refused:
        shop.desk.order_from_supplier("TEA-1", 1, "ACME", number="DS-2001-6")
    assert refused.value.field == "number"
    assert shop.purchase_orders.open_purchase_orders() == []


def test_orders_whose_numbers_differ_by_a_colon_each_get_their_drop_ship_order() -> None:
    """``1-1`` and ``1:1`` both gave ``DS-1-1-<seq>``: the second order's instruction found the
    first one's purchase order and its own was never sent."""
    shop = fake_shop()
    for n, (number, price) in enumerate((("A-1", 8800), ("A:1", 9900))):
        _place(shop, number, _kyusu(price), who=f"C{n}")
        shop.desk.instruct_shipping(number)
    sent = {str(po.lines[0].for_order): po for po in shop.desk.open_purchase_orders("ACME")}
    assert sorted(sent) == ["A-1", "A:1"]
    assert sent["A:1"].shipment_id == "A:1-S1"
    assert len(shop.supplier.calls_to("send")) == 2


def test_the_drop_ship_order_of_a_long_order_number_can_be_shipped() -> None:
    """An order number of 64 characters gave a drop-ship order number of 69, which every
    purchase-order command refused: the maker's parcel could not be recorded."""
    shop = fake_shop()
    number = "A" * 64
    _place(shop, number, _kyusu())
    shop.desk.instruct_shipping(number)
    (po,) = shop.desk.open_purchase_orders("ACME")
    order = shop.desk.supplier_shipped(po.number, "1234-5678-9013")
    assert order.status is OrderStatus.SHIPPED
    assert shop.desk.purchase_order(po.number).status is PurchaseOrderStatus.RECEIVED


# -- what is left is drop-shipped only: nothing waits for stock -----------------------------------


def _mug_and_kyusu(shop: FakeShop, number: str, who: str) -> None:
    shop.desk.place(
        number=number,
        customer=Customer(who, "見本 花子", f"{who.lower()}@example.jp"),
        ship_to=SHIP_TO,
        lines=[
            OrderLine("L1", "MUG-1", "湯呑", Money.yen(2200), 1),  # none in stock
            OrderLine("L2", "KYUSU-9", "急須", Money.yen(8800), 1, supplier="ACME"),
        ],
        token="tok_visa",
    )
    shop.desk.accept(number)
    assert shop.desk.get(number).status is OrderStatus.PARTIALLY_ALLOCATED


def test_dropping_the_waiting_line_leaves_a_drop_shipped_order_allocated() -> None:
    """The order stayed 中途引当 with nothing missing: no receipt or sweep ever moved it on, and
    it could not be instructed."""
    shop = fake_shop({("TOKYO", "MUG-1"): 0})
    _mug_and_kyusu(shop, "4001", "C1")
    assert shop.desk.drop_missing("4001").status is OrderStatus.ALLOCATED
    assert shop.desk.instruct_shipping("4001").status is OrderStatus.SHIPPING_INSTRUCTED
    assert shop.inventory.reserved.get(("TOKYO", "KYUSU-9"), 0) == 0


def test_a_split_part_of_drop_shipped_lines_only_is_allocated() -> None:
    """The part was 未引当 with nothing missing: nothing but a hand-made allocate moved it."""
    shop = fake_shop({("TOKYO", "MUG-1"): 0})
    _mug_and_kyusu(shop, "4002", "C2")
    parts = shop.desk.split("4002", [{"L1": 1}, {"L2": 1}])
    assert [p.status for p in parts] == [OrderStatus.UNALLOCATED, OrderStatus.ALLOCATED]
    assert shop.desk.instruct_shipping(parts[1].number).status is OrderStatus.SHIPPING_INSTRUCTED


def test_a_priority_that_fails_refuses_the_receipt_before_anything_is_received() -> None:
    """receive_purchase_order raised InvalidValue naming ``priority`` after the purchase order
    had counted the receipt and the units were in stock (desk.receive checks it first)."""
    shop = fake_shop({("TOKYO", "TEA-1"): 0})
    _place(shop, "1001", _tea())
    po = shop.desk.order_from_supplier("TEA-1", 3, "ACME", send=True)
    with pytest.raises(InvalidValue) as refused:
        shop.desk.receive_purchase_order(
            po.number, {"TEA-1": 3}, receipt_id="R1", priority=lambda order: 1 / 0
        )
    assert refused.value.field == "priority"
    assert shop.desk.purchase_order(po.number) == po
    assert shop.inventory.on_hand[("TOKYO", "TEA-1")] == 0
    served = shop.desk.receive_purchase_order(po.number, {"TEA-1": 3}, receipt_id="R1")
    assert [o.number for o in served] == ["1001"]
