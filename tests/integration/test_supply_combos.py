"""The supply-side features where they meet: 直送, 代引き, セット商品, 分納, 同梱, 発注."""

from __future__ import annotations

from datetime import date

import pytest

from orderflow import (
    Address,
    Customer,
    Money,
    OrderChange,
    OrderLine,
    PaymentMethod,
    Requester,
)
from orderflow.codec import purchase_order_from_text, purchase_order_to_text
from orderflow.errors import InvalidValue
from orderflow.testing import FakeShop, fake_shop

SHIP_TO = Address("150-0001", "東京都", "渋谷区神宮前", "1-2-3", "見本 花子", "03-1234-5678")
TEA = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 1)
CHAIR = OrderLine("L2", "CHAIR-1", "椅子", Money.yen(19800), 1, supplier="ACME")


@pytest.fixture
def shop() -> FakeShop:
    return fake_shop({("TOKYO", "TEA-1"): 5})


def _place(shop: FakeShop, lines: list[OrderLine], method: PaymentMethod) -> None:
    shop.desk.place(
        number="1001",
        customer=Customer("C1", "見本 花子", "c1@example.jp"),
        ship_to=SHIP_TO,
        lines=lines,
        token="tok_visa" if method is PaymentMethod.CARD else None,
        payment_method=method,
    )


@pytest.mark.parametrize("lines", [[CHAIR], [TEA, CHAIR]], ids=["direct-only", "mixed"])
def test_a_drop_shipped_line_is_not_paid_cash_on_delivery(
    shop: FakeShop, lines: list[OrderLine]
) -> None:
    # The maker's carrier collects nothing for the shop: the order recorded the 代引き money
    # received when the maker's parcel was delivered, and the customer was told to pay a
    # driver who never asked.
    with pytest.raises(InvalidValue) as refused:
        _place(shop, lines, PaymentMethod.COD)
    assert refused.value.field == "payment_method"
    assert "1001" not in shop.store.orders
    assert not shop.notifier.sent


def test_a_cod_order_takes_no_drop_shipped_line_and_a_direct_one_no_cod(shop: FakeShop) -> None:
    desk = shop.desk
    operator = Requester.operator("op")
    _place(shop, [TEA], PaymentMethod.COD)
    add = OrderChange(add_lines=(CHAIR,))
    for dry_run in (True, False):
        with pytest.raises(InvalidValue) as refused:
            desk.change("1001", add, requester=operator, dry_run=dry_run)
        assert refused.value.field == "change.add_lines[0].supplier"
    assert [x.line_id for x in desk.get("1001").lines] == ["L1"]

    shop2 = fake_shop({("TOKYO", "TEA-1"): 5})
    _place(shop2, [TEA, CHAIR], PaymentMethod.CARD)
    before = shop2.desk.get("1001")
    with pytest.raises(InvalidValue) as refused:
        shop2.desk.change("1001", OrderChange(payment_method=PaymentMethod.COD), requester=operator)
    assert refused.value.field == "payment_method"
    assert shop2.desk.get("1001").payment == before.payment


def _sent_direct(shop: FakeShop) -> str:
    _place(shop, [TEA, CHAIR], PaymentMethod.CARD)
    shop.desk.accept("1001")
    shop.desk.instruct_shipping("1001")
    (po,) = shop.desk.open_purchase_orders("ACME")
    return po.number


def test_the_supplier_ships_with_its_own_carrier(shop: FakeShop) -> None:
    # The maker sent the chair by ゆうパック: the shipping notice named ヤマト運輸 and linked
    # Yamato's tracking page, and a 書留 number (11 digits) was refused as not Yamato's.
    desk = shop.desk
    po = _sent_direct(shop)
    registered = "12345678903"  # 書留: 11 digits, mod 7
    order = desk.supplier_shipped(po, registered, carrier="japanpost")
    shipment = order.shipments[-1]
    assert (shipment.shipment_id, shipment.carrier) == ("1001-S2", "japanpost")
    assert shipment.tracking_number == registered
    notice = shop.notifier.sent[-1]
    assert notice.kind == "shipping"
    assert notice.fact("carrier") == "japanpost"
    assert "japanpost.jp" in str(notice.fact("tracking_url"))
    assert desk.supplier_shipped(po, registered, carrier="japanpost") == order  # a repeat
    assert [s.carrier for s in order.shipments] == ["yamato", "japanpost"]


def test_a_supplier_carrier_is_checked_before_anything(shop: FakeShop) -> None:
    desk = shop.desk
    po = _sent_direct(shop)
    before = desk.get("1001")
    cases: tuple[tuple[object, str], ...] = (
        ("dhl", "123456789013"),
        (["japanpost"], "123456789013"),
        ("japanpost", "1234-5678-9014"),
    )
    for carrier, number in cases:
        with pytest.raises(InvalidValue) as refused:
            desk.supplier_shipped(po, number, carrier=carrier)  # type: ignore[arg-type]
        assert refused.value.field == ("tracking_number" if carrier == "japanpost" else "carrier")
    assert desk.get("1001") == before
    order = desk.supplier_shipped(po, "123456789013")  # the shop's carrier, as instructed
    assert order.shipments[-1].carrier == "yamato"


def test_a_partly_shipped_order_reads_the_stock_when_its_hold_comes_off() -> None:
    # A receipt passes a held order by. A 中途引当 order reads the stock again when its last hold
    # comes off; one shipped in part (分納) did not: the unit that came in for it stayed free,
    # and an order placed after took it, ahead of the customer who had waited longest.
    shop = fake_shop({("TOKYO", "TEA-1"): 1})
    desk = shop.desk
    two = OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 2)
    _place(shop, [two], PaymentMethod.CARD)
    desk.accept("1001")
    desk.ship_available("1001")
    desk.raise_hold("1001", "check", "確認")
    assert desk.receive("TOKYO", "TEA-1", 1, receipt_id="R-1") == []  # held: passed by
    order = desk.clear_hold("1001", "check")
    assert order.unallocated() == {}
    assert [
        (s.shipment_id, [(x.line_id, x.quantity) for x in s.lines]) for s in order.shipments
    ] == [
        ("1001-S1", [("L1", 1)]),
        ("1001-S2", [("L1", 1)]),
    ]
    assert shop.inventory.reserved == {("TOKYO", "TEA-1"): 2}


def test_the_supplier_is_told_the_delivery_date_and_slot(shop: FakeShop) -> None:
    # The customer asked for 12/5 午前中 and the maker's shipping notice repeated it, but the
    # drop-ship purchase order did not carry it: the maker shipped whenever it liked.
    desk = shop.desk
    _place(shop, [TEA, CHAIR], PaymentMethod.CARD)
    desk.accept("1001")
    when = OrderChange(delivery_date=date(2026, 12, 5), delivery_slot="午前中")
    desk.change("1001", when, requester=Requester.operator("op"))
    desk.instruct_shipping("1001")
    (po,) = desk.open_purchase_orders("ACME")
    assert (po.delivery_date, po.delivery_slot) == (date(2026, 12, 5), "午前中")
    assert purchase_order_from_text(purchase_order_to_text(po)) == po
    assert desk.order_from_supplier("TEA-1", 3, "ACME").delivery_date is None  # for our stock
