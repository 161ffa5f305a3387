"""出荷指示取消 of one parcel, and dropping what no parcel carries: an order one of whose parcels
left while another never will (the supplier cannot deliver, the second warehouse lost the goods)
is finished: the parcel is taken back, its units are instructed again or dropped, the payment
follows."""

from __future__ import annotations

import pytest

from orderflow import (
    Address,
    Customer,
    Money,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ShopSettings,
)
from orderflow.domain.order import ShipmentStatus
from orderflow.domain.purchasing import PurchaseOrderStatus
from orderflow.domain.shipments import pending_units
from orderflow.errors import InvalidValue, MoveBlocked, MoveNotAllowed
from orderflow.testing import FakeShop, fake_shop

SHIP_TO = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "見本 花子", "03-1234-5678")
WHO = Customer("C1001", "見本 花子", "c1001@example.jp")
TEA = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)
CHAIR = OrderLine("L2", "CHAIR-1", "椅子", Money.yen(19800), 1, supplier="ACME")
MUG = OrderLine("L2", "MUG-1", "湯呑", Money.yen(2200), 3)


def _drop_shipped() -> FakeShop:
    """1001: two teas from TOKYO (shipped as S1) and a chair the supplier ACME ships (S2)."""
    shop = fake_shop({("TOKYO", "TEA-1"): 5})
    desk = shop.desk
    desk.place(number="1001", customer=WHO, ship_to=SHIP_TO, lines=[TEA, CHAIR], token="tok_visa")
    desk.accept("1001")
    desk.instruct_shipping("1001")
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    return shop


def _accepted_in_two(method: PaymentMethod, teas: int = 5) -> FakeShop:
    """1001 accepted: three mugs in OSAKA, two teas in TOKYO (which has ``teas``)."""
    settings = ShopSettings(warehouses=("TOKYO", "OSAKA"))
    shop = fake_shop({("TOKYO", "TEA-1"): teas, ("OSAKA", "MUG-1"): 4}, settings=settings)
    shop.desk.place(
        number="1001",
        customer=WHO,
        ship_to=SHIP_TO,
        lines=[TEA, MUG],
        token="tok_visa",
        payment_method=method,
    )
    shop.desk.accept("1001")
    return shop


def _two_warehouses(method: PaymentMethod = PaymentMethod.CARD) -> FakeShop:
    """1001: three mugs from OSAKA (shipped as S1) and two teas from TOKYO (S2, instructed)."""
    shop = _accepted_in_two(method)
    desk = shop.desk
    order = desk.instruct_shipping("1001")
    assert [s.warehouse for s in order.shipments] == ["OSAKA", "TOKYO"]
    if method is not PaymentMethod.COD:
        desk.ship("1001", "1001-S1", "1234-5678-9013")
    return shop


def test_the_supplier_cannot_deliver_the_parcel_is_taken_back_and_its_line_dropped() -> None:
    shop = _drop_shipped()
    desk = shop.desk
    (po,) = desk.open_purchase_orders("ACME")
    order = desk.recall("1001", shipment_id="1001-S2")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED
    assert [(s.shipment_id, s.status) for s in order.shipments] == [
        ("1001-S1", ShipmentStatus.SHIPPED)
    ]
    assert pending_units(order) == {("L2", "supplier:ACME"): 1}
    assert desk.purchase_order(po.number).status is PurchaseOrderStatus.CANCELLED
    assert not order.outbox

    order = desk.drop_unshipped("1001", reason="the maker cannot deliver")
    assert order.status is OrderStatus.SHIPPED
    assert [(x.line_id, x.quantity) for x in order.lines] == [("L1", 2)]
    total = order.totals(desk.settings.tax).total
    assert total == Money.yen(2160)
    assert order.payment.captured == total  # taken when the order moved on: the tea alone
    assert shop.gateway.live_authorizations() == {}
    assert not order.outbox
    assert desk.deliver("1001", "1001-S1").status is OrderStatus.DELIVERED
    assert desk.book("1001").status is OrderStatus.BOOKED


def test_a_parcel_taken_back_is_instructed_again_under_a_new_id() -> None:
    shop = _drop_shipped()
    desk = shop.desk
    desk.recall("1001", shipment_id="1001-S2")
    order = desk.instruct_shipping("1001")
    assert [(s.shipment_id, s.warehouse) for s in order.shipments] == [
        ("1001-S1", "TOKYO"),
        ("1001-S3", "supplier:ACME"),
    ]
    (po,) = desk.open_purchase_orders("ACME")
    assert po.shipment_id == "1001-S3"
    order = desk.supplier_shipped(po.number, "2234-5678-9010")
    assert order.status is OrderStatus.SHIPPED
    assert order.payment.captured == order.totals(desk.settings.tax).total == Money.yen(21960)


def test_a_second_warehouse_parcel_taken_back_gives_its_stock_back_when_dropped() -> None:
    shop = _two_warehouses()
    desk = shop.desk
    order = desk.recall("1001", shipment_id="1001-S2")
    assert shop.warehouses["TOKYO"].calls_to("recall")
    assert order.status is OrderStatus.SHIPPING_INSTRUCTED
    assert pending_units(order) == {("L1", "TOKYO"): 2}
    assert shop.inventory.reserved[("TOKYO", "TEA-1")] == 2  # still held for the order

    order = desk.drop_unshipped("1001")
    assert shop.inventory.reserved.get(("TOKYO", "TEA-1"), 0) == 0
    assert shop.inventory.available("TOKYO", "TEA-1") == 5
    assert [(a.line_id, a.warehouse, a.quantity) for a in order.allocations] == [("L2", "OSAKA", 3)]
    assert order.status is OrderStatus.SHIPPED
    assert order.payment.captured == order.totals(desk.settings.tax).total == Money.yen(6600)
    assert not order.outbox


def test_a_parcel_that_left_is_not_taken_back() -> None:
    shop = _two_warehouses()
    desk = shop.desk
    shop.warehouses["TOKYO"].mark_shipped("1001-S2")
    with pytest.raises(MoveBlocked) as refused:
        desk.recall("1001", shipment_id="1001-S2")
    assert "1001-S2" in str(refused.value)
    order = desk.get("1001")
    assert [s.status for s in order.shipments] == [
        ShipmentStatus.SHIPPED,
        ShipmentStatus.INSTRUCTED,
    ]
    assert len(shop.warehouses["TOKYO"].calls_to("instruct")) == 1  # nothing sent again
    assert not order.outbox
    assert desk.ship("1001", "1001-S2", "1234-5678-9024").status is OrderStatus.SHIPPED


def test_a_repeat_with_the_request_id_returns_the_order() -> None:
    shop = _two_warehouses()
    desk = shop.desk
    first = desk.recall("1001", shipment_id="1001-S2", request_id="r-1")
    again = desk.recall("1001", shipment_id="1001-S2", request_id="r-1")
    assert again.version == first.version
    assert len(shop.warehouses["TOKYO"].calls_to("recall")) == 1


def test_the_only_parcel_recalls_the_whole_order() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 5})
    desk = shop.desk
    desk.place(number="1001", customer=WHO, ship_to=SHIP_TO, lines=[TEA], token="tok_visa")
    desk.accept("1001")
    desk.instruct_shipping("1001")
    order = desk.recall("1001", shipment_id="1001-S1")
    assert order.status is OrderStatus.ALLOCATED and order.shipments == ()


def test_bad_parcels_are_refused_and_change_nothing() -> None:
    shop = _two_warehouses()
    desk = shop.desk
    before = desk.get("1001")
    with pytest.raises(InvalidValue) as unknown:
        desk.recall("1001", shipment_id="1001-S9")
    assert unknown.value.field == "shipment_id"
    with pytest.raises(InvalidValue) as blank:
        desk.recall("1001", shipment_id="")
    assert blank.value.field == "shipment_id"
    with pytest.raises(MoveBlocked):
        desk.recall("1001", shipment_id="1001-S1")  # it left
    with pytest.raises(InvalidValue) as nothing:
        desk.drop_unshipped("1001")  # every unit is on a parcel
    assert nothing.value.field == "number"
    assert desk.get("1001") == before
    assert not shop.warehouses["TOKYO"].calls_to("recall")


def test_an_order_not_instructed_has_no_parcel_to_take_back() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 5})
    desk = shop.desk
    desk.place(number="1001", customer=WHO, ship_to=SHIP_TO, lines=[TEA], token="tok_visa")
    desk.accept("1001")
    with pytest.raises(MoveNotAllowed):
        desk.recall("1001", shipment_id="1001-S1")
    with pytest.raises(InvalidValue):
        desk.drop_unshipped("1001")


def test_cod_money_of_a_parcel_taken_back_goes_with_the_parcel_sent_again() -> None:
    shop = _two_warehouses(PaymentMethod.COD)
    desk = shop.desk
    order = desk.get("1001")
    total = order.totals(desk.settings.tax).total
    assert [s.cod_amount for s in order.shipments] == [total, None]  # the first collects
    desk.ship("1001", "1001-S2", "1234-5678-9024")  # the teas left; the mugs' parcel is lost
    order = desk.recall("1001", shipment_id="1001-S1")
    with pytest.raises(InvalidValue) as refused:
        desk.drop_unshipped("1001")  # nothing would collect the teas' money
    assert refused.value.field == "number" and "代引き" in str(refused.value)
    order = desk.instruct_shipping("1001")
    assert [(s.shipment_id, s.cod_amount) for s in order.shipments] == [
        ("1001-S2", None),
        ("1001-S3", total),
    ]
    desk.ship("1001", "1001-S3", "1234-5678-9035")
    desk.deliver("1001", "1001-S2")
    order = desk.deliver("1001", "1001-S3")
    assert order.status is OrderStatus.DELIVERED and order.payment.received == total


def test_cod_owed_back_after_two_drops_is_what_the_parcel_collects_above_the_total() -> None:
    """Found by the campaign (seed 751): the second drop recorded as owed back the whole excess
    of the parcels over the new total, the first drop's share again."""
    shop = _accepted_in_two(PaymentMethod.COD, teas=1)
    desk = shop.desk
    order = desk.ship_available("1001")  # the mugs (S1, collecting the total), one tea (S2)
    collects = order.shipments[0].cod_amount
    assert collects is not None and [s.warehouse for s in order.shipments] == ["OSAKA", "TOKYO"]
    desk.drop_missing("1001")  # the second tea never comes
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    desk.recall("1001", shipment_id="1001-S2")
    order = desk.drop_unshipped("1001")  # nor does the first
    total = order.totals(desk.settings.tax).total
    assert order.status is OrderStatus.SHIPPED and [x.sku for x in order.lines] == ["MUG-1"]
    assert order.payment.refund_owed == collects - total
    order = desk.deliver("1001", "1001-S1")
    assert order.payment.received - order.payment.refund_owed == total


def test_the_whole_recall_refused_names_the_recall_of_one_parcel() -> None:
    shop = _two_warehouses()
    with pytest.raises(MoveBlocked) as refused:
        shop.desk.recall("1001")
    assert "shipment_id=" in str(refused.value)


def test_units_a_goodwill_refund_took_its_share_from_are_not_dropped() -> None:
    """Found by the campaign (seed 11464): a goodwill refund taken while the second parcel was
    instructed, then that parcel taken back and its units dropped: the refund paid back more at
    a rate than the order then charged there, and a transfer order owed back more than it
    paid."""
    shop = _accepted_in_two(PaymentMethod.KONBINI)
    desk = shop.desk
    total = desk.totals(desk.get("1001")).total
    desk.record_konbini_payment("1001", reference="K-1", amount=total)
    desk.accept("1001")
    desk.instruct_shipping("1001")
    desk.ship("1001", "1001-S1", "1234-5678-9013")
    desk.refund("1001", Money.yen(1000), reason="お詫び", request_id="g-1")
    desk.recall("1001", shipment_id="1001-S2")
    before = desk.get("1001")
    with pytest.raises(InvalidValue) as refused:
        desk.drop_unshipped("1001")
    assert refused.value.field == "number" and "instruct_shipping" in str(refused.value)
    assert desk.get("1001") == before
    assert desk.instruct_shipping("1001").shipments[-1].shipment_id == "1001-S3"
