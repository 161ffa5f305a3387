"""Carrier label files of 同梱 parcels: one box, one label, collecting what the box collects."""

from __future__ import annotations

import csv
import io
from datetime import date

import attrs
import pytest

from orderflow import (
    Address,
    Customer,
    Money,
    Order,
    OrderDesk,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    Shipment,
    ShopSettings,
    TaxRate,
)
from orderflow.carrier_files import (
    CarrierFileError,
    Shipper,
    export_b2,
    export_ehiden,
    label_rows,
    read_b2_issued,
)
from orderflow.errors import MoveBlocked
from orderflow.testing import fake_shop
from tests.builders import allocated_tea

SHIPPED_ON = date(2026, 11, 23)
SHIPPER = Shipper(
    Address("100-0001", "東京都", "千代田区", "千代田1-1", "お茶の店", "03-3000-0000"),
    b2_customer_code="012345678901",
    b2_freight_code="01",
    ehiden_customer_code="123456789012",
)
HOME = Address("150-0001", "東京都", "渋谷区", "神宮前1-2-3", "山田 太郎", "090-3141-5926")


def boxed(
    method: PaymentMethod, prices: tuple[int, ...] = (1080, 2160), carrier: str = "yamato"
) -> tuple[OrderDesk, list[tuple[Shipment, Order]]]:
    """Orders 1001, 1002 … of one customer, packed in one box and instructed: their shipments."""
    shop = fake_shop({("TOKYO", "TEA-1"): 100}, settings=ShopSettings(carrier=carrier))
    desk = shop.desk
    numbers = [f"{1001 + n}" for n in range(len(prices))]
    for number, price in zip(numbers, prices, strict=True):
        desk.place(
            number=number,
            customer=Customer("C1", "山田 太郎", "t@example.jp"),
            ship_to=HOME,
            lines=[OrderLine("L1", "TEA-1", "緑茶", Money.yen(price), 1, TaxRate.REDUCED)],
            payment_method=method,
            token="tok_ok" if method is PaymentMethod.CARD else None,
        )
        desk.accept(number)
    for number in numbers:
        for hold in desk.get(number).open_holds:
            desk.clear_hold(number, hold.code)
        desk.allocate(number)
    desk.bundle(numbers)
    desk.instruct_shipping(numbers[0])
    orders = [desk.get(number) for number in numbers]
    return desk, [(shipment, order) for order in orders for shipment in order.shipments]


def rows_of(data: bytes) -> list[dict[str, str]]:
    header, *rows = csv.reader(io.StringIO(data.decode("cp932"), newline=""))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_a_cod_box_of_two_orders_is_one_b2_label_collecting_their_sum() -> None:
    """Each order's shipment collects its own amount; the box is one parcel for the driver, who
    collects the sum at the door (as both orders' notices say): one label, not two."""
    desk, pairs = boxed(PaymentMethod.COD)
    assert pairs[0][0].parcel == pairs[1][0].parcel
    amounts = [shipment.cod_amount for shipment, _ in pairs]
    assert all(amount is not None for amount in amounts)
    box = sum(int(a.amount) for a in amounts if a is not None)
    taxes = sum(int(order.totals(desk.settings.tax).tax_total.amount) for _, order in pairs)

    [row] = rows_of(export_b2(pairs, SHIPPER, SHIPPED_ON, tax_rule=desk.settings.tax))
    assert row["お客様管理番号"] == "1001-S1"
    assert row["送り状種類"] == "2"
    assert row["ｺﾚｸﾄ代金引換額（税込)"] == str(box)
    assert row["内消費税額等"] == str(taxes)
    assert row["品名１"] == "緑茶 ほか"  # the box holds two orders' lines
    assert [len(rows) for rows in label_rows(pairs)] == [2]


def test_the_number_b2_issues_for_the_box_ships_every_order_in_it() -> None:
    desk, pairs = boxed(PaymentMethod.COD, prices=(1080, 2160, 3240))
    data = export_b2(pairs, SHIPPER, SHIPPED_ON)
    rows = list(csv.reader(io.StringIO(data.decode("cp932"), newline="")))
    assert len(rows) == 2
    rows[1][rows[0].index("伝票番号")] = "1234-5678-9013"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    [label] = read_b2_issued(buffer.getvalue().encode("cp932"))
    desk.ship(label.shipment_id.rsplit("-", 1)[0], label.shipment_id, label.tracking_number)
    for number in ("1001", "1002", "1003"):
        assert desk.get(number).status is OrderStatus.SHIPPED


def test_a_prepaid_box_is_one_ehiden_label_that_collects_nothing() -> None:
    _desk, pairs = boxed(PaymentMethod.CARD, carrier="sagawa")
    [row] = rows_of(export_ehiden(pairs, SHIPPER, SHIPPED_ON))
    assert row["お客様管理番号"] == "1001-S1"
    assert row["代引金額"] == "" and row["出荷個数"] == "1"


def test_a_cod_box_is_one_ehiden_label_collecting_the_sum() -> None:
    _desk, pairs = boxed(PaymentMethod.COD, carrier="sagawa")
    box = sum(int(s.cod_amount.amount) for s, _ in pairs if s.cod_amount is not None)
    [row] = rows_of(export_ehiden(pairs, SHIPPER, SHIPPED_ON))
    assert row["代引金額"] == str(box)


def test_a_box_over_the_cod_limit_is_refused_naming_its_row() -> None:
    """B2 collects at most ¥300,000 per label: two orders that each fit may not together.

    出荷指示 refuses such a box with Yamato (test_cod_carrier_limit); the file still refuses
    one given to it (a box sent with Sagawa, its shipments relabelled by hand).
    """
    with pytest.raises(MoveBlocked):
        boxed(PaymentMethod.COD, prices=(160000, 160000))
    _desk, pairs = boxed(PaymentMethod.COD, prices=(160000, 160000), carrier="sagawa")
    pairs = [(attrs.evolve(shipment, carrier="yamato"), order) for shipment, order in pairs]
    with pytest.raises(CarrierFileError) as refused:
        export_b2(pairs, SHIPPER, SHIPPED_ON)
    assert refused.value.row == 2 and "cod_amount" in str(refused.value)


def test_shipments_of_no_parcel_keep_a_row_each_in_the_order_given() -> None:
    shop = fake_shop({("TOKYO", "TEA-1"): 100})
    desk = shop.desk
    pairs: list[tuple[Shipment, Order]] = []
    for n, customer in enumerate(("C1", "C2")):
        number = f"{2001 + n}"
        allocated_tea(desk, number, customer, HOME)
        order = desk.instruct_shipping(number)
        pairs.extend((shipment, order) for shipment in order.shipments)
    rows = rows_of(export_b2(list(reversed(pairs)), SHIPPER, SHIPPED_ON))
    assert [row["お客様管理番号"] for row in rows] == ["2002-S1", "2001-S1"]
    assert [len(label) for label in label_rows(pairs)] == [1, 1]


def test_a_cod_parcel_of_a_partial_shipment_states_the_tax_its_delivery_note_states() -> None:
    """分納 with each parcel collecting its share: the first parcel holds only 10% goods (and
    the fees), so the tax in what its driver collects is 10% tax, as its 納品書 says — not the
    order's mixed 8%/10% tax scaled down by the amount (2,046 instead of 2,120)."""
    from orderflow import CodSplit
    from orderflow.papers import Issuer, delivery_note

    settings = ShopSettings(cod_split=CodSplit.PER_SHIPMENT)
    shop = fake_shop({("TOKYO", "MUG-1"): 5, ("TOKYO", "TEA-1"): 0}, settings=settings)
    desk = shop.desk
    desk.place(
        number="1001",
        customer=Customer("C1", "山田 太郎", "t@example.jp"),
        ship_to=HOME,
        lines=[
            OrderLine("L1", "TEA-1", "緑茶", Money.yen(1080), 5, TaxRate.REDUCED),
            OrderLine("L2", "MUG-1", "湯呑", Money.yen(22000), 1),
        ],
        payment_method=PaymentMethod.COD,
        shipping_fee=Money.yen(880),
    )
    desk.accept("1001")
    order = desk.ship_available("1001")  # the mug now, the teas when they come
    [first] = order.shipments
    issuer = Issuer("お茶の山田", "T7000012050002", "東京都渋谷区神宮前1-2-3")
    note = delivery_note(order, first.shipment_id, issuer, desk.settings.tax, SHIPPED_ON)
    [row] = rows_of(export_b2([(first, order)], SHIPPER, SHIPPED_ON, tax_rule=desk.settings.tax))
    assert first.cod_amount == note.total
    assert row["ｺﾚｸﾄ代金引換額（税込)"] == str(int(note.total.amount))
    assert row["内消費税額等"] == str(int(note.tax_total.amount)) == "2120"
